import { api, type ApiQuery } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { offsetOf, readSearch } from '$lib/api/url-state';
import { EXAMS_PAGE_SIZE, EXAMS_SEARCH } from './search';
import type { PageLoad } from './$types';

type Query = NonNullable<ApiQuery<'/api/exams'>>;

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:lang', 'app:exams');
  const f = readSearch(url.searchParams, EXAMS_SEARCH);
  // A value the API does not know goes as given: it answers 400 naming the field.
  const query: Query = {
    period: f.period || undefined, state: (f.state || undefined) as Query['state'], kind: (f.kind || undefined) as Query['kind'],
    limit: EXAMS_PAGE_SIZE, offset: offsetOf(f.page, EXAMS_PAGE_SIZE),
  };
  const list = await api.get('/api/exams', { fetch, query }).catch(pageError);
  return { filters: f, items: list.items, total: list.total };
};
