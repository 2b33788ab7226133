import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params }) => {
  const path = { questionId: params.questionId };
  const [detail, versions] = await Promise.all([
    api.get('/api/questions/{questionId}', { fetch, path }),
    api.get('/api/questions/{questionId}/versions', { fetch, path }),
  ]).catch(pageError);
  return { detail, versions: versions.items };
};
