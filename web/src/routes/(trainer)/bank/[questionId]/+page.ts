import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { editorChoices } from '../editor-data';
import type { PageLoad } from './$types';

// The question itself is not language-dependent (it is in its own language); the page keeps the editor's copy
// after a save, so a rerun happens only when the address changes.
export const load: PageLoad = async ({ fetch, params, url }) => {
  const [detail, choices] = await Promise.all([
    api.get('/api/questions/{questionId}', { fetch, path: { questionId: params.questionId } }).catch(pageError),
    editorChoices(fetch),
  ]);
  return { detail, ...choices, saved: url.searchParams.has('saved') };
};
