import { i18n, t } from '../i18n.svelte';
import { isAbort } from './latest';
import type { paths } from './schema';

export type { paths } from './schema';

export interface FieldError { path: string; code: string; message: string }
/** An existing record a refused request would repeat (a 409 `duplicate`), with its message in the user's language. */
export interface DuplicateRecord { id: string; userId?: string; name: string; day?: string; kind?: string; minutes?: number; reason: string; message: string }

/** A problem+json answer from the API, already in the user's language (the request carries Accept-Language). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly errors: FieldError[] = [], readonly requestId?: string,
    readonly duplicates: DuplicateRecord[] = [], readonly retryAfterSeconds?: number) {
    super(detail);
  }
  fieldError(path: string): string | undefined {
    return this.errors.find((e) => e.path === path)?.message;
  }
}

export { isAbort, latestOnly, STALE } from './latest';

let refreshing: Promise<boolean> | null = null;
let onSessionLost: () => void = () => {};
export function setSessionLostHandler(fn: () => void) { onSessionLost = fn; }

/**
 * Whether a session may exist: the API sets the readable `signed_in` cookie with the session cookies and clears it
 * with them. Without it there is nothing to ask `/api/me` or to refresh, so the app does not (no 401 to log).
 */
export function mayBeSignedIn(): boolean {
  return typeof document === 'undefined' || document.cookie.split(/;\s*/).some((c) => c.startsWith('signed_in='));
}

function forgetSessionHint() {
  if (typeof document !== 'undefined') document.cookie = 'signed_in=; Max-Age=0; Path=/; SameSite=Strict';
}

/** One refresh at a time: concurrent 401s wait for the same rotation instead of racing (a race would look like theft). */
function refresh(fetcher: typeof fetch): Promise<boolean> {
  if (!mayBeSignedIn()) return Promise.resolve(false);
  refreshing ??= fetcher('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { 'accept-language': i18n.lang } })
    .then((r) => {
      if (!r.ok) forgetSessionHint();
      return r.ok;
    })
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 0));
  return refreshing;
}

type QueryValue = string | number | boolean | undefined | null | readonly (string | number | boolean)[];
type Query = Record<string, QueryValue>;

interface SendOptions { method: string; body?: unknown; query?: object; signal?: AbortSignal; fetch?: typeof fetch }

function withQuery(url: URL, query: object | undefined) {
  for (const [k, v] of Object.entries((query ?? {}) as Query)) {
    if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
    else if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
}

/**
 * Sends one request: the user's language goes along, a lost connection and a problem+json answer become ApiError,
 * and an expired session is refreshed once and the request sent again. `body` is JSON unless it is FormData. An
 * aborted request rejects with the AbortError itself (see isAbort).
 */
async function send(apiPath: string, opts: SendOptions): Promise<Response> {
  const url = new URL(apiPath, location.origin);
  withQuery(url, opts.query);
  const fetcher = opts.fetch ?? fetch;
  const form = opts.body instanceof FormData;
  const once = () => fetcher(url, {
    method: opts.method,
    credentials: 'same-origin',
    signal: opts.signal,
    headers: { 'accept-language': i18n.lang, ...(opts.body !== undefined && !form ? { 'content-type': 'application/json' } : {}) },
    body: opts.body === undefined ? undefined : form ? (opts.body as FormData) : JSON.stringify(opts.body),
  });
  let res: Response;
  try {
    res = await once();
    if (res.status === 401 && !apiPath.startsWith('/api/auth/')) {
      if (await refresh(fetcher)) res = await once();
      else onSessionLost();
    }
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (!res.ok) {
    const p = (res.headers.get('content-type') ?? '').includes('json') ? await res.json().catch(() => ({})) : {};
    throw new ApiError(res.status, p.code ?? 'error', p.detail ?? String(res.status), p.errors ?? [], p.requestId, p.duplicates ?? [],
      Number(res.headers.get('retry-after')) || undefined);
  }
  return res;
}

export interface RequestOptions { method?: string; body?: unknown; query?: Query; signal?: AbortSignal }

/**
 * A request for callers that need the raw response (file downloads): `path` is below /api. Typed JSON calls use
 * `api.get(...)` and friends instead.
 */
export function apiFetch(path: string, opts: RequestOptions = {}): Promise<Response> {
  return send('/api' + path, { ...opts, method: opts.method ?? 'GET' });
}

// ---- Types from the OpenAPI document (schema.d.ts, generated by `pnpm gen:api`) ----

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The paths that have an operation for `M`. */
export type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never }[keyof paths];

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type JsonContent<R> = R extends { content: { 'application/json': infer J } } ? J : R extends { content?: never } ? undefined : unknown;
type SuccessStatus = 200 | 201 | 202 | 204;
type Success<O> = O extends { responses: infer R } ? { [S in keyof R & SuccessStatus]: JsonContent<R[S]> }[keyof R & SuccessStatus] : never;

// openapi-typescript writes an absent part as `part?: never`, which reads back as `undefined`: NonNullable makes it never.
type PathParams<O> = O extends { parameters: { path?: infer X } } ? NonNullable<X> : never;
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type JsonBody<O> = O extends { requestBody?: infer R } ? JsonOfBody<NonNullable<R>> : never;
type JsonOfBody<R> = [R] extends [never] ? never : R extends { content: { 'application/json': infer B } } ? B : never;

/** What a successful call of `M path` answers (the 2xx JSON body), e.g. `ApiData<'/api/me'>`. */
export type ApiData<P extends PathsWith<M>, M extends Method = 'get'> = Success<Operation<P, M>>;
/** The JSON body `M path` takes. */
export type ApiBody<P extends PathsWith<M>, M extends Method = 'post'> = JsonBody<Operation<P, M>>;
/** The query parameters `M path` takes. */
export type ApiQuery<P extends PathsWith<M>, M extends Method = 'get'> = QueryParams<Operation<P, M>>;

type IfNever<T, Then, Else> = [T] extends [never] ? Then : Else;

// Path parameters are required when the path has any; the query is optional unless one of its fields is required;
// a body is required when the operation declares one, unless it may be null (multipart uploads, which the document
// cannot describe, take FormData).
type Init<O> = { signal?: AbortSignal; fetch?: typeof fetch }
  & IfNever<PathParams<O>, { path?: never }, { path: PathParams<O> }>
  & IfNever<QueryParams<O>, { query?: never }, object extends QueryParams<O> ? { query?: QueryParams<O> } : { query: QueryParams<O> }>
  & IfNever<JsonBody<O>, { body?: FormData }, null extends JsonBody<O> ? { body?: JsonBody<O> } : { body: JsonBody<O> }>;

type Args<O> = object extends Init<O> ? [init?: Init<O>] : [init: Init<O>];

interface AnyInit { path?: Record<string, string | number>; query?: object; body?: unknown; signal?: AbortSignal; fetch?: typeof fetch }

function fill(path: string, params: Record<string, string | number> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(v));
  });
}

async function call(method: Method, path: string, init: AnyInit = {}): Promise<unknown> {
  const res = await send(fill(path, init.path), { method: method.toUpperCase(), body: init.body, query: init.query, signal: init.signal, fetch: init.fetch });
  if (res.status === 204) return undefined;
  return (res.headers.get('content-type') ?? '').includes('json') ? res.json() : res.text();
}

/**
 * The API, typed by its OpenAPI document: `api.get('/api/modules/{moduleId}', { path: { moduleId } })` answers the
 * operation's 2xx body; its path parameters, query and body are checked against the document at compile time.
 */
export const api = {
  get: <P extends PathsWith<'get'>>(path: P, ...[init]: Args<Operation<P, 'get'>>) => call('get', path, init as AnyInit) as Promise<ApiData<P, 'get'>>,
  post: <P extends PathsWith<'post'>>(path: P, ...[init]: Args<Operation<P, 'post'>>) => call('post', path, init as AnyInit) as Promise<ApiData<P, 'post'>>,
  put: <P extends PathsWith<'put'>>(path: P, ...[init]: Args<Operation<P, 'put'>>) => call('put', path, init as AnyInit) as Promise<ApiData<P, 'put'>>,
  patch: <P extends PathsWith<'patch'>>(path: P, ...[init]: Args<Operation<P, 'patch'>>) => call('patch', path, init as AnyInit) as Promise<ApiData<P, 'patch'>>,
  delete: <P extends PathsWith<'delete'>>(path: P, ...[init]: Args<Operation<P, 'delete'>>) => call('delete', path, init as AnyInit) as Promise<ApiData<P, 'delete'>>,
};

/** The signed-in user, as `/api/me` describes them. */
export type Me = ApiData<'/api/me'>;
export type Permission = Me['permissions'][number];
export type User = ApiData<'/api/users/{userId}'>;
export type OrgUnit = ApiData<'/api/org-units'>['items'][number];
