import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang');
  const state = await api.get('/api/contests/{contestId}/state', { fetch, path: { contestId: params.contestId } }).catch(pageError);
  return { contestId: params.contestId, state };
};
