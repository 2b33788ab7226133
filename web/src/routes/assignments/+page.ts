import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:lang', 'app:assignments');
  const [tracks, modules, units, assignments] = await Promise.all([
    api.get('/api/tracks', { fetch }),
    api.get('/api/modules', { fetch }),
    api.get('/api/org-units', { fetch }),
    api.get('/api/assignments', { fetch }),
  ]).catch(pageError);
  return { tracks: tracks.items, modules: modules.items, units: units.items, items: assignments.items };
};
