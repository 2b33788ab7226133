import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:lang');
  depends('app:exams');
  const list = await api.get('/api/me/exams', { fetch }).catch(pageError);
  return { list, receivedAt: Date.now() };
};
