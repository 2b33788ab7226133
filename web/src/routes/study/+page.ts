import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:lang', 'app:study-sessions');
  const [sessions, modules] = await Promise.all([
    api.get('/api/study-sessions', { fetch, query: { limit: 100 } }).catch(pageError),
    // Only for the optional "which module" choice: the form works without it.
    api.get('/api/modules', { fetch }).then((r) => r.items, () => []),
  ]);
  return { sessions: sessions.items, modules };
};
