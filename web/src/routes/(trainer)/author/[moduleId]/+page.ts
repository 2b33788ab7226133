import { redirect } from '@sveltejs/kit';
import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { isUuid } from '$lib/components/author/module-form';
import type { PageLoad } from './$types';

// No dependency on the language: the editor shows both languages, and a rerun would not replace what is typed anyway.
export const load: PageLoad = async ({ fetch, params }) => {
  const id = params.moduleId;
  // /author/<slug> works too: it is looked up and replaced by the module's id.
  if (!isUuid(id)) {
    const m = await api.get('/api/modules/{moduleId}', { fetch, path: { moduleId: id } }).catch(pageError);
    redirect(307, `/author/${m.id}`);
  }
  const [tracks, source] = await Promise.all([
    api.get('/api/tracks', { fetch }),
    api.get('/api/modules/{moduleId}/source', { fetch, path: { moduleId: id } }),
  ]).catch(pageError);
  return { moduleId: id, tracks: tracks.items, source };
};
