import fp from 'fastify-plugin';
import compress from '@fastify/compress';

/** Answers smaller than this go out as they are: a few hundred bytes gain less than the encoder's work costs. */
export const COMPRESS_THRESHOLD = 1024;

/**
 * Brotli or gzip for API answers and pages, chosen by the request's Accept-Encoding (brotli first), above
 * COMPRESS_THRESHOLD bytes. Field staff read on phones over weak links, where a module's JSON shrinks to about a third.
 *
 * - Only content mime-db calls compressible is encoded: ZIP and XLSX downloads (already compressed) pass unchanged,
 *   and so does an answer that already carries a Content-Encoding (the build's precompressed files, served by the
 *   web handler, never pass through here).
 * - Request bodies are not inflated: an upload arrives as sent and `bodyLimit` counts the bytes on the wire, so a
 *   small compressed body cannot expand into a large one inside the server.
 * - Brotli at quality 4 (the plugin's default for answers made per request): near gzip's speed, smaller output.
 * - Answers carrying credentials (sign-in, refresh) opt out per route, so a secret is never compressed together
 *   with text an attacker chose (BREACH).
 */
export default fp(async (app) => {
  await app.register(compress, {
    global: true,
    globalDecompression: false,
    threshold: COMPRESS_THRESHOLD,
    encodings: ['br', 'gzip'],
  });

  // An answer that could be compressed says that it depends on Accept-Encoding even when it went out as it was (asked
  // without one, or small this time), so a shared cache never hands the uncompressed copy to everyone. Lower case,
  // as the plugin writes it (it looks for that spelling before adding its own).
  app.addHook('onSend', (_req, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && /json|text\/|javascript|xml|svg/.test(type)) {
      const vary = reply.getHeader('vary');
      const current = Array.isArray(vary) ? vary.join(', ') : typeof vary === 'string' ? vary : '';
      if (!/accept-encoding/i.test(current)) reply.header('vary', current ? `${current}, accept-encoding` : 'accept-encoding');
    }
    done(null, payload);
  });
}, { name: 'compression' });
