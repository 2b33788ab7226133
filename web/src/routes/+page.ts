import { api } from '$lib/api/client';
import { dashboardOf } from '$lib/api/guard';
import type { PageLoad } from './$types';

/** The counts a dashboard shows; null while a request failed (the card then says nothing rather than a wrong 0). */
interface Counts { staff?: number; team?: number; unitName?: string; active?: number; disabled?: number; units?: number }

/**
 * Home: which numbers are shown depends on who is asking, so this load waits for the session. The numbers are
 * returned as promises: the page renders at once and fills them in.
 */
export const load: PageLoad = async ({ fetch, parent, depends }) => {
  depends('app:lang');
  const { me } = await parent();
  if (!me) return { board: 'learner' as const, learning: null, counts: null };
  const total = (query: { role?: 'staff'; disabled?: boolean }) => api.get('/api/users', { fetch, query: { ...query, limit: 1 } }).then((r) => r.total);
  const board = dashboardOf(me);
  let counts: Promise<Counts> | null = null;
  if (board === 'people') counts = total({ role: 'staff' }).then((staff) => ({ staff }));
  else if (board === 'team') {
    counts = Promise.all([total({ disabled: false }), api.get('/api/org-units', { fetch })])
      .then(([team, units]) => ({ team, unitName: units.items.find((x) => x.id === me.orgUnitId)?.name }));
  } else if (board === 'admin') {
    counts = Promise.all([total({ disabled: false }), total({ disabled: true }), api.get('/api/org-units', { fetch })])
      .then(([active, disabled, units]) => ({ active, disabled, units: units.items.length }));
  }
  return {
    board,
    learning: board === 'learner' ? api.get('/api/me/learning', { fetch }).catch(() => null) : null,
    counts: counts?.catch(() => null) ?? null,
  };
};
