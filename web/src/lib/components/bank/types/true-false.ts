// true_false: the answer, and feedback for each of the two.
import { opt, s, type WebTypeLogic } from './common.js';

export const trueFalse: WebTypeLogic = {
  type: 'true_false',
  defaults: () => ({ answer: true, feedbackTrue: '', feedbackFalse: '' }),
  read: (q) => ({ answer: q.answer === true, feedbackTrue: s(q.feedbackTrue), feedbackFalse: s(q.feedbackFalse) }),
  body: (d) => ({ answer: d.answer, feedbackTrue: opt(d.feedbackTrue), feedbackFalse: opt(d.feedbackFalse) }),
};
