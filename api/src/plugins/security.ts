import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import { AppError } from '../lib/errors.js';

/**
 * Browser defences on every response, and a CSRF check for cookie-authenticated writes.
 *
 * The web pages' own CSP (with the hashes of SvelteKit's inline bootstrap) comes from the SvelteKit build
 * (`kit.csp` in web/svelte.config.js) and replaces this one on the HTML it renders; this one covers the API, static
 * files and the API documentation.
 */
export default fp<{ hsts: boolean }>(async (app, opts) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
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
