import { api, ApiError } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

/** The contest as this player sees it; one opened from a link before joining joins it (a contest open to them). */
export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang');
  const path = { contestId: params.contestId };
  let state = await api.get('/api/contests/{contestId}/state', { fetch, path }).catch(pageError);
  if (!state.me?.joined && state.phase !== 'finished') {
    state = await api.post('/api/contests/join', { fetch, body: { contestId: params.contestId } }).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 409) return state;
      return pageError(e);
    });
  }
  return { contestId: params.contestId, state };
};
