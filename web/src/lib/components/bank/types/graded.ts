// short_answer and essay: a person grades them against the rubric; a model answer helps.
import { opt, s, type WebTypeLogic } from './common.js';

export const gradedType = (type: 'short_answer' | 'essay'): WebTypeLogic => ({
  type,
  defaults: () => ({ rubric: '', modelAnswer: '' }),
  read: (q) => ({ rubric: s(q.rubric), modelAnswer: s(q.modelAnswer) }),
  body: (d) => ({ rubric: opt(d.rubric), modelAnswer: opt(d.modelAnswer) }),
});
