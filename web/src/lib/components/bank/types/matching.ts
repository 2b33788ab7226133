// matching: pairs of a left item and its right-hand answer, and distractors that belong to no left item.
import type { WebTypeLogic } from './common.js';

export const matching: WebTypeLogic = {
  type: 'matching',
  defaults: () => ({ pairs: [{ left: '', right: '' }, { left: '', right: '' }, { left: '', right: '' }], distractors: [] }),
  read: (q) => ({ pairs: (q.pairs ?? []).map((p) => ({ ...p })), distractors: [...(q.distractors ?? [])] }),
  body: (d) => ({
    pairs: d.pairs.map((p) => ({ left: p.left, right: p.right })),
    ...(d.distractors.some((x) => x.trim()) ? { distractors: d.distractors.filter((x) => x.trim()) } : {}),
  }),
};
