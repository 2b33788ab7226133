import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

// Only the search text goes to the server; track and status narrow the answer in the page (SvelteKit reruns this
// load only when `q` changes, since it reads no other parameter).
export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:lang');
  const q = url.searchParams.get('q')?.trim() ?? '';
  const [modules, tracks] = await Promise.all([
    api.get('/api/modules', { fetch, query: { includeDrafts: true, q } }),
    api.get('/api/tracks', { fetch }),
  ]).catch(pageError);
  return { modules: modules.items, tracks: tracks.items };
};
