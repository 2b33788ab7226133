import { api, type User } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { editorChoices } from '../editor-data';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, parent, depends, url }) => {
  depends('app:lang', 'app:exam');
  const { me } = await parent();
  const [exam, choices] = await Promise.all([
    api.get('/api/exams/{examId}', { fetch, path: { examId: params.examId } }).catch(pageError),
    editorChoices(fetch, me),
  ]);
  // Names of the people the exam names (a make-up names everyone who missed the original).
  const people: User[] = exam.userIds.length
    ? await api.get('/api/users', { fetch, query: { role: 'staff', limit: 500 } }).then((r) => r.items.filter((u) => exam.userIds.includes(u.id)), () => [])
    : [];
  return { exam, choices, people, created: url.searchParams.has('created') };
};
