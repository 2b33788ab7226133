import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { offsetOf, readSearch } from '$lib/api/url-state';
import { BANK_PAGE_SIZE, BANK_SEARCH, listQuery } from './search';
import type { PageLoad } from './$types';

// Keyed by the address: SvelteKit drops the answer of a navigation that a newer one replaced.
export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:lang', 'app:bank');
  const f = readSearch(url.searchParams, BANK_SEARCH);
  const [list, categories, facets] = await Promise.all([
    api.get('/api/questions', { fetch, query: { ...listQuery(f), limit: BANK_PAGE_SIZE, offset: offsetOf(f.page, BANK_PAGE_SIZE) } }),
    api.get('/api/question-categories', { fetch }),
    api.get('/api/questions/facets', { fetch }),
  ]).catch(pageError);
  return { filters: f, items: list.items, total: list.total, categories: categories.items, facets };
};
