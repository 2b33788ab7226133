// Architecture rules, checked by `pnpm lint` after eslint (then .dependency-cruiser.domains.cjs for cycles between domains).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or changed alone, and load order starts to matter.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-to-modules',
      severity: 'error',
      comment: 'api/src/lib is the shared toolbox under every domain; it must not know any domain.',
      from: { path: '^api/src/lib/' },
      to: { path: '^api/src/modules/' },
    },
    {
      name: 'plugins-not-to-modules',
      severity: 'error',
      comment: 'Plugins (database, auth, errors, openapi) are wiring under every domain; a domain may use them, not the reverse.',
      from: { path: '^api/src/plugins/' },
      to: { path: '^api/src/modules/' },
    },
    {
      name: 'web-not-to-api',
      severity: 'error',
      comment: 'The web app talks to the API over HTTP only (types come from the OpenAPI document); server code must never reach the browser bundle.',
      from: { path: '^web/' },
      to: { path: '^api/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time. SvelteKit\'s virtual modules ($app/*, $env/*) exist only inside vite; `./$types` are the route types `svelte-kit sync` generates (type-only).',
      from: {},
      to: { couldNotResolve: true, pathNot: '^[$](app|env|service-worker)(/|$)|^[.]/[$]types$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)node_modules/', '^web/[.]svelte-kit/', '^web/build/'] },
    // Type-only imports count: `import type` from a domain still ties lib or plugins to that domain.
    tsPreCompilationDeps: true,
    // The root tsconfig.json: it maps SvelteKit's $lib. `.js` imports of `.ts` files (NodeNext style, as api/ writes
    // them) are resolved to the `.ts` file by dependency-cruiser itself once a tsConfig is given.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
