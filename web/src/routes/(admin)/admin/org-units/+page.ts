import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

// "Show archived" lives in the address (`?archived=1`), like every other filter.
export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:org-units');
  const showArchived = url.searchParams.get('archived') === '1';
  const units = await api.get('/api/org-units', { fetch, query: { includeArchived: showArchived } }).catch(pageError);
  return { units: units.items, showArchived };
};
