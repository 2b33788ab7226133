import { invalidate } from '$app/navigation';
import { api, mayBeSignedIn, type Me } from './api/client';
import { setLang, type Lang } from './i18n.svelte';

/** The signed-in user as `/api/me` describes them (with their permissions), or null. */
export const session = $state<{ user: Me | null; loaded: boolean }>({ user: null, loaded: false });

let pending: Promise<Me | null> | null = null;

/**
 * The signed-in user (null when nobody is). `/api/me` is asked once and the answer kept until signing in or out
 * changes it, so the root layout's load can call this on every navigation; concurrent callers share one request.
 * Their remembered language is applied. Without the session hint cookie nobody can be signed in and nothing is asked.
 */
export function loadSession(fetcher?: typeof fetch): Promise<Me | null> {
  if (session.loaded) return Promise.resolve(session.user);
  if (!mayBeSignedIn()) {
    endSession();
    return Promise.resolve(null);
  }
  pending ??= api.get('/api/me', { fetch: fetcher })
    .then((u) => {
      if (u.locale) setLang(u.locale);
      return u;
    }, () => null)
    .then((u) => {
      session.user = u;
      session.loaded = true;
      pending = null;
      return u;
    });
  return pending;
}

/** Forget the kept answer (after signing in): the next load asks `/api/me` again. */
export function forgetSession() {
  session.user = null;
  session.loaded = false;
  pending = null;
}

/** The session ended (signed out, or the refresh token was refused): nobody is signed in until the next login. */
export function endSession() {
  session.user = null;
  session.loaded = true;
  pending = null;
}

/** Merge what an answer says about the signed-in user (a changed language, a changed password) into the session. */
export function updateSessionUser(changes: Partial<Me>) {
  if (session.user) session.user = { ...session.user, ...changes };
}

/**
 * The person chose another language: texts switch at once, page data that comes back in the language (loads that
 * depend on 'app:lang') is fetched again, and the choice is remembered for a signed-in user.
 */
export async function switchLanguage(lang: Lang) {
  setLang(lang);
  const remembered = session.user ? api.patch('/api/me', { body: { locale: lang } }).then(updateSessionUser) : Promise.resolve();
  await Promise.all([invalidate('app:lang'), remembered]);
}

export async function logout() {
  await api.post('/api/auth/logout').catch(() => undefined);
  endSession();
}
