import { editorChoices } from '../../exam-admin/editor-data';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, parent }) => {
  const { me } = await parent();
  return { choices: await editorChoices(fetch, me) };
};
