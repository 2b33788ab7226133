/** true_false: all or nothing; each answer may carry its own feedback. */
import { Type, type Static } from '@sinclair/typebox';
import { clean, defineType, MAX_TEXT, optText, OptText, questionForms } from './common.js';

const own = {
  answer: Type.Boolean(),
  /** Shown when the learner answers "true". */
  feedbackTrue: OptText(),
  /** Shown when the learner answers "false". */
  feedbackFalse: OptText(),
};
const forms = questionForms('true_false', own, own);
export type TrueFalseQuestion = Static<typeof forms.stored>;

export const trueFalse = defineType({
  type: 'true_false',
  ...forms,
  manuallyGraded: false,
  normalise: (i) => clean({ answer: i.answer, feedbackTrue: optText(i.feedbackTrue), feedbackFalse: optText(i.feedbackFalse) }),
  validate(q, c) {
    if (typeof q.answer !== 'boolean') c.add('answer', q.answer === undefined ? 'field.required' : 'field.type', q.answer === undefined ? {} : { type: 'boolean' });
    if (q.feedbackTrue !== undefined) c.text('feedbackTrue', q.feedbackTrue, MAX_TEXT, false);
    if (q.feedbackFalse !== undefined) c.text('feedbackFalse', q.feedbackFalse, MAX_TEXT, false);
  },
  learnerView: () => ({ response: 'true_false' }),
  answerView: (q, tools) => ({ answer: q.answer === true, feedbackTrueHtml: tools.render(q.feedbackTrue), feedbackFalseHtml: tools.render(q.feedbackFalse) }),
  score(q, r, s) {
    if (typeof r.answer !== 'boolean') return s.result(0, false);
    const fb = r.answer ? q.feedbackTrue : q.feedbackFalse;
    if (fb) s.feedback.push(fb);
    const ok = r.answer === q.answer;
    return s.result(ok ? 1 : 0, ok);
  },
  searchText: () => [],
});
