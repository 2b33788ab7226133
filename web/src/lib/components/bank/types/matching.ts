// matching: pairs of a left item and its right-hand answer, and distractors that belong to no left item.
import MatchingEditor from './MatchingEditor.svelte';
import MatchingKey from './MatchingKey.svelte';
import MatchingResponse from './MatchingResponse.svelte';
import type { WebQuestionType } from './common';

export const matching: WebQuestionType = {
  type: 'matching',
  defaults: () => ({ pairs: [{ left: '', right: '' }, { left: '', right: '' }, { left: '', right: '' }], distractors: [] }),
  read: (q) => ({ pairs: (q.pairs ?? []).map((p) => ({ ...p })), distractors: [...(q.distractors ?? [])] }),
  body: (d) => ({
    pairs: d.pairs.map((p) => ({ left: p.left, right: p.right })),
    ...(d.distractors.some((x) => x.trim()) ? { distractors: d.distractors.filter((x) => x.trim()) } : {}),
  }),
  Editor: MatchingEditor,
  Response: MatchingResponse,
  Key: MatchingKey,
};
