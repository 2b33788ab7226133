import { api, ApiError } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { AttemptView } from '$lib/components/exam/answers';
import type { PageLoad } from './$types';

const viewKey = (id: string) => `exam-view:${id}`;

/**
 * The attempt as the server has it. A copy (the learner's view: questions without keys, and the clock offset) is
 * kept on the device, so a reload with the connection gone still opens the exam with the answers kept locally.
 */
export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:lang');
  try {
    const view = await api.get('/api/attempts/{attemptId}', { fetch, path: { attemptId: params.attemptId } });
    const receivedAt = Date.now();
    try {
      if (view.status === 'in_progress') localStorage.setItem(viewKey(view.id), JSON.stringify({ view, receivedAt }));
      else localStorage.removeItem(viewKey(view.id));
    } catch {
      // No room: the exam still works online.
    }
    return { view, receivedAt, fromDevice: false };
  } catch (e) {
    if (e instanceof ApiError && (e.status === 0 || e.status >= 500)) {
      const kept = localStorage.getItem(viewKey(params.attemptId));
      if (kept) {
        const { view, receivedAt } = JSON.parse(kept) as { view: AttemptView; receivedAt: number };
        return { view, receivedAt, fromDevice: true };
      }
    }
    return pageError(e);
  }
};
