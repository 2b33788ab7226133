// short_answer and essay: a person grades them against the rubric; a model answer helps.
import GradedEditor from './GradedEditor.svelte';
import GradedKey from './GradedKey.svelte';
import GradedResponse from './GradedResponse.svelte';
import { opt, s, type WebQuestionType } from './common';

export const gradedType = (type: 'short_answer' | 'essay'): WebQuestionType => ({
  type,
  defaults: () => ({ rubric: '', modelAnswer: '' }),
  read: (q) => ({ rubric: s(q.rubric), modelAnswer: s(q.modelAnswer) }),
  body: (d) => ({ rubric: opt(d.rubric), modelAnswer: opt(d.modelAnswer) }),
  Editor: GradedEditor,
  Response: GradedResponse,
  Key: GradedKey,
});
