import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:lang');
  return { list: await api.get('/api/speech-contests', { fetch }).catch(pageError) };
};
