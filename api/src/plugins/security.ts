import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import { AppError } from '../lib/errors.js';
import policy from '../../../csp.json' with { type: 'json' };

const KEYWORDS = new Set(['self', 'none', 'unsafe-inline', 'unsafe-eval', 'strict-dynamic', 'report-sample']);

/** The shared policy (csp.json, in SvelteKit's spelling) with its keywords quoted, as helmet and the header want. */
function helmetDirectives(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(policy).filter(([name]) => name !== '//')
    .map(([name, values]) => [name, (values as string[]).map((v) => (KEYWORDS.has(v) ? `'${v}'` : v))]));
}

/**
 * Browser defences on every response, and a CSRF check for cookie-authenticated writes.
 *
 * One policy (csp.json) for both: the SvelteKit build sends it on the pages it renders, with the hash of its inline
 * bootstrap added (web/svelte.config.js); this plugin sends it on the API, static files and the API documentation.
 */
export default fp<{ hsts: boolean }>(async (app, opts) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: helmetDirectives(),
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // HSTS only where the site is served over HTTPS (secure cookies); on plain http it would lock a browser out.
    hsts: opts.hsts ? { maxAge: 180 * 86400, includeSubDomains: false } : false,
    crossOriginEmbedderPolicy: false,
  });

  // A browser sends cookies with requests other pages start (a form posted from another site, or from another port
  // of this host, which counts as the same site). Writes that rely on the cookie must come from this origin: the
  // browser says so in Sec-Fetch-Site, or, in older browsers, in Origin. API clients that send a Bearer token are not
  // affected, and neither are clients that send neither header (no browser does that for a cross-site write).
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return done();
    if (!req.url.startsWith('/api/') || req.headers.authorization) return done();
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string') {
      return done(site === 'same-origin' || site === 'none' ? undefined : new AppError(403, 'cross_site_request'));
    }
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') {
      let host: string | null = null;
      try { host = new URL(origin).host; } catch { host = null; }
      if (host !== req.headers.host) return done(new AppError(403, 'cross_site_request'));
    } else if (origin === 'null') {
      return done(new AppError(403, 'cross_site_request'));
    }
    done();
  });
});
