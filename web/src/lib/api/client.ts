import { i18n } from '../i18n.svelte';

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

export async function api<T = unknown>(path: string, opts: RequestOptions = {}, retried = false): Promise<T> {
  const url = new URL('/api' + path, location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      credentials: 'same-origin',
      headers: { 'accept-language': i18n.lang, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'network', i18n.lang === 'zh' ? '网络连接失败，请检查网络后重试。' : 'Could not reach the server. Check your connection and try again.');
  }
  if (res.status === 401 && !retried && !path.startsWith('/auth/')) {
    if (await refresh()) return api<T>(path, opts, true);
    onSessionLost();
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const p = typeof data === 'object' && data ? data : {};
    throw new ApiError(res.status, p.code ?? 'error', p.detail ?? String(res.status), p.errors ?? [], p.requestId);
  }
  return data as T;
}

export interface User {
  id: string; username: string; displayName: string; role: 'staff' | 'trainer' | 'manager' | 'admin'; position: string;
  orgUnitId: string; orgUnitName?: string; locale: 'zh' | 'en' | null; disabled: boolean; mustChangePassword: boolean; createdAt: string;
}
export interface OrgUnit { id: string; name: string; nameEn: string | null; kind: string; parentId: string | null; path: string; depth: number; archived: boolean; activeUsers: number }
