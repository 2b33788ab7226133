import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { readSearch } from '$lib/api/url-state';
import { LEARN_SEARCH } from './search';
import type { PageLoad } from './$types';

// Keyed by the address: a newer filter's navigation replaces an older one's answer, never the other way round.
export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:lang');
  const f = readSearch(url.searchParams, LEARN_SEARCH);
  const [tracks, modules] = await Promise.all([
    api.get('/api/tracks', { fetch }),
    api.get('/api/modules', { fetch, query: { q: f.q, trackId: f.track, tag: f.tag, assigned: f.assigned || undefined, unfinished: f.unfinished || undefined } }),
  ]).catch(pageError);
  return { filters: f, tracks: tracks.items, modules: modules.items };
};
