import { editorChoices } from '../editor-data';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => editorChoices(fetch);
