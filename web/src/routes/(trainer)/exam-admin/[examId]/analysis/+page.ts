import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang', 'app:exam');
  const analysis = await api.get('/api/exams/{examId}/item-analysis', { fetch, path: { examId: params.examId } }).catch(pageError);
  return { analysis };
};
