import { redirect } from '@sveltejs/kit';
import { redirectFor } from '$lib/api/guard';
import { loadSession } from '$lib/session.svelte';
import type { LayoutLoad } from './$types';

// The app runs in the browser (single-page mode): pages load data from /api with the session cookie.
export const ssr = false;
export const prerender = false;

/**
 * The session, once for the whole app (kept between navigations, see loadSession), and the route guard: a page
 * is opened only by someone signed in who holds the permission it needs. Pages start their own requests at the
 * same time; they call `parent()` only when what they fetch depends on who is asking.
 */
export const load: LayoutLoad = async ({ fetch, url }) => {
  const me = await loadSession(fetch);
  const to = redirectFor(me, url.pathname);
  if (to) redirect(307, to);
  return { me };
};
