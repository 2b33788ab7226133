// true_false: the answer, and feedback for each of the two.
import TrueFalseEditor from './TrueFalseEditor.svelte';
import TrueFalseKey from './TrueFalseKey.svelte';
import TrueFalseResponse from './TrueFalseResponse.svelte';
import { opt, s, type WebQuestionType } from './common';

export const trueFalse: WebQuestionType = {
  type: 'true_false',
  defaults: () => ({ answer: true, feedbackTrue: '', feedbackFalse: '' }),
  read: (q) => ({ answer: q.answer === true, feedbackTrue: s(q.feedbackTrue), feedbackFalse: s(q.feedbackFalse) }),
  body: (d) => ({ answer: d.answer, feedbackTrue: opt(d.feedbackTrue), feedbackFalse: opt(d.feedbackFalse) }),
  Editor: TrueFalseEditor,
  Response: TrueFalseResponse,
  Key: TrueFalseKey,
};
