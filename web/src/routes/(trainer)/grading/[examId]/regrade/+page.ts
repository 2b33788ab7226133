import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang', 'app:regrade');
  const [regrades, exam] = await Promise.all([
    api.get('/api/exams/{examId}/regrades', { fetch, path: { examId: params.examId } }).catch(pageError),
    api.get('/api/exams/{examId}/grading', { fetch, path: { examId: params.examId }, query: { status: 'ungraded' } }).then((q) => q.exam).catch(pageError),
  ]);
  return { regrades, exam };
};
