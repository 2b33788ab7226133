import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import policy from '../csp.json' with { type: 'json' };

const directives = Object.fromEntries(Object.entries(policy).filter(([name]) => name !== '//'));

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // WEB_BUILD_OUT: the end-to-end tests build elsewhere, so a running server's web/build is left alone.
    adapter: adapter({ out: process.env.WEB_BUILD_OUT || 'build', precompress: true }),
    // The product's one CSP (../csp.json, shared with the API); SvelteKit adds the hash of its inline bootstrap
    // script to script-src on every page it renders, so no inline script but its own can run.
    csp: { mode: 'hash', directives },
  },
};
