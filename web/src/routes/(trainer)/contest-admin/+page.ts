import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:lang', 'app:contests');
  const list = await api.get('/api/contests', { fetch, query: { kind: 'live' } }).catch(pageError);
  return { items: list.items };
};
