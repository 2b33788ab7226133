import { api } from '$lib/api/client';

/**
 * The editor's side data: categories and the tag and module suggestions. Both only help typing (the form works
 * without them), so a failure leaves them empty instead of failing the page.
 */
export function editorChoices(fetcher: typeof fetch) {
  return Promise.all([
    api.get('/api/question-categories', { fetch: fetcher }).then((r) => r.items, () => []),
    api.get('/api/questions/facets', { fetch: fetcher }).catch(() => null),
  ]).then(([categories, facets]) => ({ categories, facets }));
}
