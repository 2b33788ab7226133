/**
 * ordering: `items` in the correct order. `order[k]` is the index (in `items`) of the item put at position k; scored
 * per position: each item in its correct position earns 1/n of the points. Learners see the items shuffled, under
 * letters that say nothing about their place.
 */
import { Type, type Static } from '@sinclair/typebox';
import { arr, defineType, mapArray, MAX_TEXT, questionForms, str, Text, trimmed } from './common.js';

const own = { items: Type.Array(Text(), { minItems: 2 }) };
const forms = questionForms('ordering', own, own);
export type OrderingQuestion = Static<typeof forms.stored>;

export const ordering = defineType({
  type: 'ordering',
  ...forms,
  manuallyGraded: false,
  normalise: (i) => ({ items: mapArray(i.items, trimmed) }),
  validate(q, c) {
    if (!c.array('items', q.items)) return;
    c.count('items', q.items.length, c.limits.items, 'items');
    q.items.forEach((it, i) => c.text(`items.${i}`, it, MAX_TEXT));
    c.duplicates('items', q.items, 'question.duplicate_item');
  },
  learnerView(q, tools) {
    const items = tools.shuffle(arr<string>(q.items).map(str), 'o');
    return { response: 'ordering', items: items.map((text, i) => ({ id: String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : ''), html: tools.render(text) })) };
  },
  answerView: (q) => ({ items: arr<string>(q.items).map(str) }),
  score(q, r, s) {
    const given = Array.isArray(r.order) ? r.order : [];
    const n = q.items.length;
    if (n === 0) return s.result(0, false);
    const parts = q.items.map((item, k) => {
      const v = given[k];
      return v === k || (typeof v === 'string' && v.trim() === item);
    });
    return s.result(parts.filter(Boolean).length / n, parts.every(Boolean), parts);
  },
  searchText: (q) => q.items ?? [],
});
