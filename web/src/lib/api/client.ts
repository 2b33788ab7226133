import { i18n, t } from '../i18n.svelte';

export interface FieldError { path: string; code: string; message: string }

/** A problem+json answer from the API, already in the user's language (the request carries Accept-Language). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly errors: FieldError[] = [], readonly requestId?: string) {
    super(detail);
  }
  fieldError(path: string): string | undefined {
    return this.errors.find((e) => e.path === path)?.message;
  }
}

let refreshing: Promise<boolean> | null = null;
let onSessionLost: () => void = () => {};
export function setSessionLostHandler(fn: () => void) { onSessionLost = fn; }

/** One refresh at a time: concurrent 401s wait for the same rotation instead of racing (a race would look like theft). */
function refresh(): Promise<boolean> {
  refreshing ??= fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { 'accept-language': i18n.lang } })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 0));
  return refreshing;
}

export interface RequestOptions { method?: string; body?: unknown; query?: Record<string, string | number | boolean | undefined | null> }

/**
 * One request to the API, for callers that need the raw response (file downloads, multipart uploads): the user's
 * language goes along, a lost connection and a problem+json answer become ApiError, and an expired session is
 * refreshed once and the request sent again. `body` is JSON unless it is FormData.
 */
export async function apiFetch(path: string, opts: RequestOptions = {}): Promise<Response> {
  const url = new URL('/api' + path, location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  const form = opts.body instanceof FormData;
  const send = () => fetch(url, {
    method: opts.method ?? 'GET',
    credentials: 'same-origin',
    headers: { 'accept-language': i18n.lang, ...(opts.body !== undefined && !form ? { 'content-type': 'application/json' } : {}) },
    body: opts.body === undefined ? undefined : form ? (opts.body as FormData) : JSON.stringify(opts.body),
  });
  let res: Response;
  try {
    res = await send();
    if (res.status === 401 && !path.startsWith('/auth/')) {
      if (await refresh()) res = await send();
      else onSessionLost();
    }
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (!res.ok) {
    const p = (res.headers.get('content-type') ?? '').includes('json') ? await res.json().catch(() => ({})) : {};
    throw new ApiError(res.status, p.code ?? 'error', p.detail ?? String(res.status), p.errors ?? [], p.requestId);
  }
  return res;
}

/** A JSON request to the API; see apiFetch. */
export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await apiFetch(path, opts);
  if (res.status === 204) return undefined as T;
  return ((res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text()) as T;
}

export interface User {
  id: string; username: string; displayName: string; role: 'staff' | 'trainer' | 'manager' | 'admin'; position: string;
  orgUnitId: string; orgUnitName?: string; locale: 'zh' | 'en' | null; disabled: boolean; mustChangePassword: boolean; createdAt: string;
}
export interface OrgUnit { id: string; name: string; nameEn: string | null; kind: string; parentId: string | null; path: string; depth: number; archived: boolean; activeUsers: number }
