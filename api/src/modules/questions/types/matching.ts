/**
 * matching: each left item has one right-hand answer; distractors are extra right-hand answers that belong to no
 * left item. `matches[i]` is the right-hand text chosen for `pairs[i]`; each pair earns its share of the points.
 */
import { Type, type Static } from '@sinclair/typebox';
import { arr, clean, defineType, isObj, mapArray, MAX_TEXT, questionForms, str, Text, trimmed } from './common.js';

const Pair = Type.Object({ left: Text(), right: Text() }, { additionalProperties: false });
const own = {
  pairs: Type.Array(Pair, { minItems: 2 }),
  /** Extra right-hand answers that belong to no left item. */
  distractors: Type.Optional(Type.Array(Text())),
};
const forms = questionForms('matching', own, own);
export type MatchingQuestion = Static<typeof forms.stored>;
export type MatchingPair = Static<typeof Pair>;

export const matching = defineType({
  type: 'matching',
  ...forms,
  manuallyGraded: false,
  normalise(i) {
    const distractors = mapArray(i.distractors ?? [], trimmed);
    return clean({
      pairs: mapArray(i.pairs, (p) => (isObj(p) ? { left: trimmed(p.left), right: trimmed(p.right) } : p)),
      distractors: Array.isArray(distractors) && distractors.length === 0 ? undefined : distractors,
    });
  },
  validate(q, c) {
    if (!c.array('pairs', q.pairs)) return;
    const pairs = q.pairs;
    c.count('pairs', pairs.length, c.limits.pairs, 'pairs');
    pairs.forEach((p, i) => {
      if (!isObj(p)) { c.add(`pairs.${i}`, 'field.type', { type: 'object' }); return; }
      c.text(`pairs.${i}.left`, p.left, MAX_TEXT);
      c.text(`pairs.${i}.right`, p.right, MAX_TEXT);
    });
    c.duplicates('pairs', pairs.map((p) => (isObj(p) ? p.left : undefined)), 'question.duplicate_left');
    if (q.distractors !== undefined && c.array('distractors', q.distractors)) {
      const rights = new Set(pairs.map((p) => (isObj(p) && typeof p.right === 'string' ? p.right.trim() : '')));
      q.distractors.forEach((d, i) => {
        if (c.text(`distractors.${i}`, d, MAX_TEXT) && rights.has(d.trim())) c.add(`distractors.${i}`, 'question.distractor_is_answer');
      });
    }
  },
  learnerView(q, tools) {
    const pairs = arr<MatchingPair>(q.pairs);
    const right = [...new Set([...pairs.map((p) => str(p?.right)), ...arr<string>(q.distractors).map(str)])];
    return {
      response: 'matching',
      matching: { left: pairs.map((p, i) => ({ id: String(i), html: tools.render(p?.left) })), right: tools.shuffle(right, 'm') },
    };
  },
  answerView: (q, tools) => ({
    pairs: arr<MatchingPair>(q.pairs).map((p) => ({ leftHtml: tools.render(p?.left), right: str(p?.right) })),
    distractors: arr<string>(q.distractors).map(str),
  }),
  score(q, r, s) {
    const given = Array.isArray(r.matches) ? r.matches : [];
    const n = q.pairs.length;
    if (n === 0) return s.result(0, false);
    const parts = q.pairs.map((p, i) => typeof given[i] === 'string' && (given[i] as string).trim() === p.right);
    return s.result(parts.filter(Boolean).length / n, parts.every(Boolean), parts);
  },
  searchText: (q) => [...(q.pairs ?? []).flatMap((p) => [p.left, p.right]), ...(q.distractors ?? [])],
});
