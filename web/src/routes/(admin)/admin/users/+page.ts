import { api, type ApiQuery } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { offsetOf, readSearch } from '$lib/api/url-state';
import { USERS_PAGE_SIZE, USERS_SEARCH } from './search';
import type { PageLoad } from './$types';

type Role = NonNullable<NonNullable<ApiQuery<'/api/users'>>['role']>;

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:lang', 'app:users');
  const f = readSearch(url.searchParams, USERS_SEARCH);
  const query = {
    q: f.q || undefined, orgUnitId: f.unit || undefined,
    // An unknown role in the address goes to the API as given, which answers 400 naming the field.
    role: (f.role || undefined) as Role | undefined,
    limit: USERS_PAGE_SIZE, offset: offsetOf(f.page, USERS_PAGE_SIZE),
  };
  const [list, units] = await Promise.all([
    api.get('/api/users', { fetch, query }).catch(pageError),
    // Only for the unit filter and the forms' choices.
    api.get('/api/org-units', { fetch }).then((r) => r.items, () => []),
  ]);
  return { filters: f, items: list.items, total: list.total, units };
};
