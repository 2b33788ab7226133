import { api, ApiError } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

/** The contest as the caller sees it (host, judge or speaker) and, once published, a speaker's own feedback. */
export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang', 'app:speech');
  const path = { contestId: params.contestId };
  const [contest, mine] = await Promise.all([
    api.get('/api/speech-contests/{contestId}', { fetch, path }).catch(pageError),
    api.get('/api/speech-contests/{contestId}/my-result', { fetch, path }).catch((e: unknown) => {
      if (e instanceof ApiError && (e.status === 404 || e.status === 409)) return null;
      return pageError(e);
    }),
  ]);
  return { contest, mine };
};
