import { api, ApiError } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang');
  try {
    const review = await api.get('/api/attempts/{attemptId}/review', { fetch, path: { attemptId: params.attemptId } });
    return { review, notFinished: null, notFinishedId: null };
  } catch (e) {
    // Still in progress: say so, with the way back to it.
    if (e instanceof ApiError && e.status === 409) return { review: null, notFinished: e.detail, notFinishedId: params.attemptId };
    return pageError(e);
  }
};
