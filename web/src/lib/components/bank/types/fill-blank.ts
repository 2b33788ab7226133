// fill_blank: `{{n}}` markers in the stem, accepted answers (with weights and feedback) per blank.
import { answerRow, num, s, type WebTypeLogic } from './common.js';

export const fillBlank: WebTypeLogic = {
  type: 'fill_blank',
  defaults: () => ({ blanks: [{ answers: [answerRow()] }] }),
  read: (q) => ({
    blanks: (q.blanks ?? []).map((b) => ({
      answers: b.answers.map((a) => (typeof a === 'string' ? answerRow(a) : { text: a.text, weight: s(a.weight ?? 100), feedback: s(a.feedback) })),
    })),
  }),
  body: (d) => ({
    blanks: d.blanks.map((b) => ({
      answers: b.answers.map((a) => {
        const weight = num(a.weight || '100');
        return weight === 100 && !a.feedback.trim() ? a.text : { text: a.text, weight, ...(a.feedback.trim() ? { feedback: a.feedback } : {}) };
      }),
    })),
  }),
};
