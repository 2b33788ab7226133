import { error } from '@sveltejs/kit';
import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { t } from '$lib/i18n.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang', 'app:exam');
  const log = await api.get('/api/attempts/{attemptId}/integrity', { fetch, path: { attemptId: params.attemptId } }).catch(pageError);
  // An attempt of another exam is not this exam's: the address names both.
  if (log.examId !== params.examId) error(404, { message: t('notFound.title') });
  return { log };
};
