/**
 * numeric: a value with a tolerance, or a range; the best weight among the answers the learner's number falls within
 * is the score. Typed numbers may use full-width digits and thousands separators.
 */
import { Type, type Static } from '@sinclair/typebox';
import { arr, clean, defineType, forms as objectForms, isObj, mapArray, MAX_TEXT, optText, OptText, questionForms, Weight, type Loose } from './common.js';
import { numericMatches, parseLearnerNumber } from './answers.js';

/** Percent of the points, 0..100 (100 unless said otherwise). */
const weight = { weight: Weight(0) };
const ValueAnswer = objectForms({ value: Type.Number(), feedback: OptText() }, { tolerance: Type.Number({ minimum: 0 }), ...weight });
const RangeAnswer = objectForms({ min: Type.Number(), max: Type.Number(), feedback: OptText() }, weight);
const forms = questionForms('numeric',
  { answers: Type.Array(Type.Union([ValueAnswer.input, RangeAnswer.input]), { minItems: 1 }), incorrectFeedback: OptText() },
  {
    answers: Type.Array(Type.Union([ValueAnswer.stored, RangeAnswer.stored]), { minItems: 1 }),
    /** Feedback for any answer that matches none of `answers` (GIFT `~#feedback`). */
    incorrectFeedback: OptText(),
  });
export type NumericQuestion = Static<typeof forms.stored>;
export type NumericValueAnswer = Static<typeof ValueAnswer.stored>;
export type NumericRangeAnswer = Static<typeof RangeAnswer.stored>;
export type NumericAnswer = NumericValueAnswer | NumericRangeAnswer;

export const numeric = defineType({
  type: 'numeric',
  ...forms,
  manuallyGraded: false,
  normalise: (i) => clean({
    answers: mapArray(i.answers, (a) => {
      if (!isObj(a)) return a;
      const out: Loose = {};
      if ('value' in a) { out.value = a.value; out.tolerance = a.tolerance ?? 0; }
      if ('min' in a || 'max' in a) { out.min = a.min; out.max = a.max; }
      out.weight = a.weight ?? 100;
      out.feedback = optText(a.feedback);
      return clean(out);
    }),
    incorrectFeedback: optText(i.incorrectFeedback),
  }),
  validate(q, c) {
    if (!c.array('answers', q.answers)) return;
    if (q.answers.length === 0) { c.add('answers', 'question.numeric_needs_answer'); return; }
    let full = 0;
    q.answers.forEach((a, i) => {
      const p = `answers.${i}`;
      if (!isObj(a)) { c.add(p, 'field.type', { type: 'object' }); return; }
      const hasValue = 'value' in a;
      const hasRange = 'min' in a || 'max' in a;
      if (hasValue === hasRange) { c.add(p, 'question.numeric_answer_form'); return; }
      if (hasValue) {
        c.num(`${p}.value`, a.value);
        if (c.num(`${p}.tolerance`, a.tolerance) && a.tolerance < 0) c.add(`${p}.tolerance`, 'question.tolerance_negative');
      } else if (c.num(`${p}.min`, a.min) && c.num(`${p}.max`, a.max) && a.min > a.max) {
        c.add(p, 'question.numeric_range_order', { min: a.min, max: a.max });
      }
      c.weight(`${p}.weight`, a.weight, 0);
      if (a.feedback !== undefined) c.text(`${p}.feedback`, a.feedback, MAX_TEXT, false);
      if (a.weight === 100) full++;
    });
    if (full === 0) c.add('answers', 'question.numeric_needs_full_answer');
    if (q.incorrectFeedback !== undefined) c.text('incorrectFeedback', q.incorrectFeedback, MAX_TEXT, false);
  },
  learnerView: () => ({ response: 'number' }),
  answerView: (q, tools) => ({
    numeric: arr<Loose>(q.answers).map((a) => ({
      text: a && 'min' in a ? `${a.min} – ${a.max}` : `${a?.value}${a?.tolerance ? ` ± ${a.tolerance}` : ''}`,
      weight: typeof a?.weight === 'number' ? a.weight : 100, feedbackHtml: tools.render(a?.feedback),
    })),
    incorrectFeedbackHtml: tools.render(q.incorrectFeedback),
  }),
  score(q, r, s) {
    const x = parseLearnerNumber(r.value);
    if (x === null) return s.result(0, false);
    let best: NumericAnswer | undefined;
    for (const a of q.answers) if (numericMatches(a, x) && (!best || a.weight > best.weight)) best = a;
    if (best?.feedback) s.feedback.push(best.feedback);
    else if (!best && q.incorrectFeedback) s.feedback.push(q.incorrectFeedback);
    const w = best ? best.weight : 0;
    return s.result(w / 100, w === 100);
  },
  searchText: () => [],
});
