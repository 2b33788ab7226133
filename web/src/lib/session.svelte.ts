import { api, type User } from './api/client';
import { setLang } from './i18n.svelte';

export const session = $state<{ user: User | null; loaded: boolean }>({ user: null, loaded: false });

/** Loads the signed-in user (null when nobody is) and applies their remembered language. */
export async function loadSession(): Promise<User | null> {
  try {
    session.user = await api<User>('/me');
    if (session.user.locale) setLang(session.user.locale);
  } catch {
    session.user = null;
  }
  session.loaded = true;
  return session.user;
}

export async function logout() {
  await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
  session.user = null;
}
