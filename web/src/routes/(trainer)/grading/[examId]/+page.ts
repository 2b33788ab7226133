import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { readSearch } from '$lib/api/url-state';
import { LIST_SEARCH } from './search';
import type { PageLoad } from './$types';

// Every answer, graded or not: the page filters them itself, so that an answer graded on the screen stays where the
// grader left it whatever is reloaded. Reads only `names` from the address: moving between answers runs no load.
export const load: PageLoad = async ({ fetch, params, url, depends }) => {
  depends('app:lang', 'app:grading');
  const f = readSearch(url.searchParams, LIST_SEARCH);
  const queue = await api.get('/api/exams/{examId}/grading', { fetch, path: { examId: params.examId }, query: { status: 'all', names: f.names } })
    .catch(pageError);
  return { queue, names: f.names };
};
