import { existsSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from './plugins/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * What adapter-node's handler writes for a page, kept in memory: the parts of ServerResponse that its static-file
 * server (which finds no file and steps aside) and its `setResponse` use.
 */
class PageCapture extends Writable {
  statusCode = 200;
  readonly headers = new Map<string, OutgoingHttpHeader>();
  private readonly chunks: Buffer[] = [];
  readonly done: Promise<Buffer>;

  constructor() {
    super();
    this.done = new Promise((resolve, reject) => {
      this.on('finish', () => resolve(Buffer.concat(this.chunks)));
      this.on('error', reject);
    });
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
  }
  setHeader(name: string, value: OutgoingHttpHeader) { this.headers.set(name.toLowerCase(), value); return this; }
  getHeader(name: string) { return this.headers.get(name.toLowerCase()); }
  getHeaderNames() { return [...this.headers.keys()]; }
  hasHeader(name: string) { return this.headers.has(name.toLowerCase()); }
  removeHeader(name: string) { this.headers.delete(name.toLowerCase()); }
  writeHead(status: number, headers?: OutgoingHttpHeaders) {
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) this.setHeader(k, v);
    return this;
  }
}

/** A page (an address of the app, not a file of the build): answered by SvelteKit, a small HTML document. */
export function isPagePath(path: string): boolean {
  return !path.startsWith('/_app/') && !/\.[a-z0-9]+$/i.test(path);
}

/**
 * Serves the SvelteKit app (adapter-node's handler) on every path outside /api, in the same process and port.
 *
 * Files of the build (scripts, styles, the service worker) are written by the handler's static-file server to the
 * raw response: it picks the build's precompressed `.br` or `.gz` copy by Accept-Encoding and says Vary. Pages (GET
 * and HEAD) are rendered by the handler into memory and sent through Fastify, so they are compressed like API
 * answers (plugins/compression.ts); anything else is handed to the handler on the raw response.
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
    handler: async (req, reply) => {
      if (req.url === '/api' || req.url.startsWith('/api/')) return sendProblem(req, reply, 404, 'not_found', { what: 'resource' });
      const path = req.url.split('?')[0];
      // A page carries SvelteKit's own CSP (with its bootstrap script's hash); helmet's, written to the raw response
      // before the handler ran, would replace it and block the bootstrap, so pages get only SvelteKit's.
      if (isPagePath(path) && (req.method === 'GET' || req.method === 'HEAD')) {
        reply.raw.removeHeader('content-security-policy');
        const page = new PageCapture();
        handler(req.raw, page as unknown as ServerResponse, () => {
          page.statusCode = 404;
          page.end('Not found');
        });
        const body = await page.done;
        reply.code(page.statusCode);
        for (const [name, value] of page.headers) if (name !== 'content-length') void reply.header(name, value);
        return reply.send(body);
      }
      // The handler writes to the raw response: carry over the headers set so far (helmet's are there already).
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
      if (isPagePath(path)) reply.raw.removeHeader('content-security-policy');
      reply.hijack();
      handler(req.raw, reply.raw, () => {
        reply.raw.statusCode = 404;
        reply.raw.end('Not found');
      });
      return reply;
    },
  });
}
