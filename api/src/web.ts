import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from './plugins/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Serves the SvelteKit app (adapter-node's handler) on every path outside /api, in the same process and port.
 * The handler writes to the raw response, so Fastify hands the reply over to it.
 */
export async function mountWeb(app: FastifyInstance, buildDir: string): Promise<void> {
  const entry = join(buildDir, 'handler.js');
  if (!existsSync(entry)) throw new Error(`The web app is not built (${entry} is missing): run \`pnpm build\`.`);
  const { handler } = (await import(pathToFileURL(entry).href)) as { handler: Handler };
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    config: { auth: 'public' },
    schema: { hide: true },
    handler: (req, reply) => {
      if (req.url === '/api' || req.url.startsWith('/api/')) return sendProblem(req, reply, 404, 'not_found', { what: 'resource' });
      // The handler writes to the raw response: carry over the headers set so far. helmet writes its headers to the
      // raw response already. A page carries SvelteKit's own CSP (with its bootstrap script's hash) on a 200, and
      // none on a 304; the API's CSP sent with that 304 would replace the cached page's and block its bootstrap, so
      // pages get only SvelteKit's.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
      const path = req.url.split('?')[0];
      if (!path.startsWith('/_app/') && !/\.[a-z0-9]+$/i.test(path)) reply.raw.removeHeader('content-security-policy');
      reply.hijack();
      handler(req.raw, reply.raw, () => {
        reply.raw.statusCode = 404;
        reply.raw.end('Not found');
      });
    },
  });
}
