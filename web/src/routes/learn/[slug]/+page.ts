import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang');
  const module = await api.get('/api/modules/{moduleId}', { fetch, path: { moduleId: params.slug } }).catch(pageError);
  return { module };
};
