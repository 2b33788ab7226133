import { api } from '$lib/api/client';
import { can, dashboardOf } from '$lib/api/guard';
import type { PageLoad } from './$types';

/** The counts a dashboard shows; a part whose request failed is left out (the card then says nothing rather than a wrong 0). */
interface Counts {
  staff?: number; team?: number; unitName?: string; active?: number; disabled?: number; units?: number;
  modules?: { published: number; drafts: number };
  questions?: { active: number; draft: number };
}

const orNothing = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/**
 * Home: which numbers are shown depends on who is asking, so this load waits for the session. The numbers are
 * returned as promises: the page renders at once and fills them in.
 */
export const load: PageLoad = async ({ fetch, parent, depends }) => {
  depends('app:lang');
  const { me } = await parent();
  if (!me) return { board: 'learner' as const, learning: null, counts: null, summary: null, exams: null };
  const total = (query: { role?: 'staff'; disabled?: boolean }) => api.get('/api/users', { fetch, query: { ...query, limit: 1 } }).then((r) => r.total);
  const board = dashboardOf(me);
  let counts: Promise<Counts> | null = null;
  if (board === 'people') {
    // A trainer: the learners, and what they write (modules, their drafts, the bank).
    counts = Promise.all([
      orNothing(total({ role: 'staff' })),
      can(me, 'modules.author') ? orNothing(api.get('/api/modules', { fetch, query: { includeDrafts: true } })) : undefined,
      can(me, 'questions.manage') ? orNothing(api.get('/api/questions/facets', { fetch })) : undefined,
    ]).then(([staff, modules, facets]) => ({
      staff,
      modules: modules && {
        published: modules.items.filter((m) => m.status === 'published' || m.status === 'published_with_draft').length,
        drafts: modules.items.filter((m) => m.status === 'draft' || m.status === 'published_with_draft').length,
      },
      questions: facets && { active: facets.counts.active, draft: facets.counts.draft },
    }));
  } else if (board === 'team') {
    counts = Promise.all([total({ disabled: false }), api.get('/api/org-units', { fetch })])
      .then(([team, units]) => ({ team, unitName: units.items.find((x) => x.id === me.orgUnitId)?.name }));
  } else if (board === 'admin') {
    counts = Promise.all([total({ disabled: false }), total({ disabled: true }), api.get('/api/org-units', { fetch })])
      .then(([active, disabled, units]) => ({ active, disabled, units: units.items.length }));
  }
  // Where the assignments stand, for those who make them (a head: their subtree).
  const summary = (board === 'team' || board === 'people') && can(me, 'assignments.manage') ? api.get('/api/assignments/summary', { fetch }).catch(() => null) : null;
  return {
    board,
    learning: board === 'learner' ? api.get('/api/me/learning', { fetch }).catch(() => null) : null,
    exams: board === 'learner' && can(me, 'exams.take') ? api.get('/api/me/exams', { fetch }).catch(() => undefined) : null,
    counts: counts?.catch(() => null) ?? null,
    summary,
  };
};
