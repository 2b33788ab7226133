import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type DuplicateRecord, type FieldIssue } from '../lib/errors.js';
import { formatBytes } from '../lib/import-limits.js';
import { requestLang, t, type Lang } from '../lib/i18n.js';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: { missingProperty?: string; limit?: number; type?: string; allowedValues?: unknown[]; allowedValue?: unknown; format?: string };
  message?: string;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Turns one schema-validation issue into a field path and a reason from the catalogue. */
function fromAjv(issue: AjvIssue, context: string | undefined): FieldIssue {
  const base = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const join = (leaf: string) => (base ? `${base}.${leaf}` : leaf);
  const where = context && context !== 'body' ? `${context}.` : '';
  switch (issue.keyword) {
    case 'required':
      return { path: where + join(issue.params.missingProperty ?? ''), reason: 'field.required' };
    case 'minLength':
      return issue.params.limit === 1
        ? { path: where + base, reason: 'field.required' }
        : { path: where + base, reason: 'field.min_length', params: { limit: issue.params.limit } };
    case 'maxLength':
      return { path: where + base, reason: 'field.max_length', params: { limit: issue.params.limit } };
    case 'minimum':
    case 'exclusiveMinimum':
      return { path: where + base, reason: 'field.minimum', params: { limit: issue.params.limit } };
    case 'maximum':
    case 'exclusiveMaximum':
      return { path: where + base, reason: 'field.maximum', params: { limit: issue.params.limit } };
    case 'type':
      return { path: where + base, reason: 'field.type', params: { type: issue.params.type } };
    case 'enum':
      return { path: where + base, reason: 'field.enum', params: { values: (issue.params.allowedValues ?? []).join(', ') } };
    case 'const':
      return { path: where + base, reason: 'field.enum', params: { values: String(issue.params.allowedValue) } };
    case 'format': {
      // Formats a person knows by name get their own sentence; the schema's name for a format is never shown.
      const named: Record<string, string> = { day: 'field.day', month: 'field.month', uuid: 'field.reference', 'date-time': 'field.date_time' };
      const reason = named[String(issue.params.format)];
      return reason ? { path: where + base, reason } : { path: where + base, reason: 'field.format', params: { format: issue.params.format } };
    }
    case 'storableText':
      return { path: where + base, reason: 'field.text_characters' };
    case 'pattern':
      return { path: where + base, reason: 'field.pattern' };
    default:
      return { path: where + base, reason: 'field.invalid' };
  }
}

/**
 * TypeBox writes an enumeration as a union of literals, which fails with one `const` issue per member (and an
 * `anyOf`): fold those into one `enum` issue per field that names every allowed value.
 */
function mergeLiteralUnions(issues: AjvIssue[]): AjvIssue[] {
  const allowed = new Map<string, unknown[]>();
  for (const i of issues) {
    if (i.keyword !== 'const') continue;
    const values = allowed.get(i.instancePath) ?? [];
    values.push(i.params.allowedValue);
    allowed.set(i.instancePath, values);
  }
  const merged = new Set<string>();
  const out: AjvIssue[] = [];
  for (const i of issues) {
    if (i.keyword === 'const') {
      if (merged.has(i.instancePath)) continue;
      merged.add(i.instancePath);
      out.push({ ...i, keyword: 'enum', params: { allowedValues: allowed.get(i.instancePath) } });
    } else out.push(i);
  }
  return out;
}

function problemBody(req: FastifyRequest, status: number, code: string, params: Record<string, unknown>, issues: FieldIssue[],
  duplicates: DuplicateRecord[] = []) {
  const lang: Lang = requestLang(req);
  const body: Record<string, unknown> = {
    type: `/problems/${code.replace(/_/g, '-')}`,
    title: STATUS_TITLES[status] ?? 'Error',
    status,
    detail: t(lang, code, params),
    code,
    instance: req.url,
    requestId: req.id,
  };
  if (issues.length) {
    // One entry per field: the first reason found for a field is the one shown.
    const seen = new Set<string>();
    body.errors = issues
      .filter((i) => (seen.has(i.path) ? false : (seen.add(i.path), true)))
      .map((i) => ({ path: i.path, code: i.reason, message: t(lang, i.reason, i.params ?? {}) }));
  }
  if (duplicates.length) {
    body.duplicates = duplicates.map(({ reason, params: p, ...rest }) => ({ ...rest, reason, message: t(lang, reason, p ?? {}) }));
  }
  return body;
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, status: number, code: string,
  params: Record<string, unknown> = {}, issues: FieldIssue[] = [], duplicates: DuplicateRecord[] = []) {
  return reply.code(status).type('application/problem+json').send(problemBody(req, status, code, params, issues, duplicates));
}

// PostgreSQL's "cannot connect now" classes (08: connection exception, 57P0x: shutting down or starting up, 53300:
// too many connections) and the socket errors of a server that is not there.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '53300', '57P01', '57P02', '57P03']);

/** Whether an error (or what caused it) says the database cannot be reached, rather than that a query was wrong. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { name?: string; code?: unknown; message?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.name === 'ConnectionException' || UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
  if (/Connection terminated|Timeout acquiring a connection|connect ECONNREFUSED|Client has encountered a connection error|Unable to acquire a connection|PGlite is clos(ed|ing)/i.test(message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

// PostgreSQL's data exceptions that bad input causes (text it cannot store, numbers or dates out of range, text that is
// not a number or a uuid): the schema rules refuse these first; this is the second wall, so they never become a 500.
const BAD_INPUT_CODES = new Set(['22P05', '22021', '22003', '22008', '22007', '22P02', '22001', '2201X', '2201W']);

function isBadInputFromDatabase(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; cause?: unknown };
  return (typeof e.code === 'string' && BAD_INPUT_CODES.has(e.code)) || isBadInputFromDatabase(e.cause, depth + 1);
}

/** One error shape for the whole API: RFC 9457 problem+json, localised by the request's Accept-Language. */
export default fp(async (app) => {
  app.setErrorHandler((err: FastifyError & Partial<AppError>, req, reply) => {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      return sendProblem(req, reply, err.status, err.code, err.params, err.issues, err.duplicates);
    }
    if (err.validation) {
      const issues = mergeLiteralUnions(err.validation as AjvIssue[]).map((i) => fromAjv(i, err.validationContext));
      return sendProblem(req, reply, 400, 'validation_failed', {}, issues);
    }
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (status === 400 && err instanceof SyntaxError)) {
      // Say where the JSON broke, so an API client can find it.
      const at = /position (\d+)/.exec(err.message)?.[1];
      return sendProblem(req, reply, 400, 'validation_failed', {}, [{ path: 'body', reason: 'field.json_syntax', params: { position: at ?? '?' } }]);
    }
    if (status >= 500 && isDatabaseUnavailable(err)) {
      // An outage is not a bug: the client may retry shortly (recovery takes well under a second once the server is back).
      req.log.warn({ err }, 'database unavailable');
      reply.header('retry-after', '5');
      return sendProblem(req, reply, 503, 'unavailable');
    }
    if (status >= 500 && isBadInputFromDatabase(err)) {
      req.log.warn({ err }, 'input the schema let through was refused by the database');
      return sendProblem(req, reply, 400, 'bad_request');
    }
    if (status === 401 || err.code?.startsWith('FST_JWT')) return sendProblem(req, reply, 401, 'invalid_token');
    if (status === 413) {
      // Name the limit the request broke: the route's own body limit, or the server's.
      return sendProblem(req, reply, 413, 'payload_too_large', { limit: formatBytes(req.routeOptions.bodyLimit ?? req.server.initialConfig.bodyLimit ?? 0) });
    }
    if (status === 415) return sendProblem(req, reply, 415, 'unsupported_media_type');
    if (status === 429) return sendProblem(req, reply, 429, 'throttled', { seconds: reply.getHeader('retry-after') ?? 60 });
    if (status >= 400 && status < 500) return sendProblem(req, reply, status, 'bad_request');
    req.log.error({ err }, 'unhandled error');
    // Never the internal message: the request id leads to the log line above.
    return sendProblem(req, reply, 500, 'internal', { requestId: req.id });
  });

  app.setNotFoundHandler((req, reply) => sendProblem(req, reply, 404, 'not_found', { what: 'resource' }));
});
