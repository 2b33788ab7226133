// numeric: values with a tolerance or ranges, each with a weight and feedback; feedback for any other answer.
import { num, numericRow, s, type WebTypeLogic } from './common.js';

export const numeric: WebTypeLogic = {
  type: 'numeric',
  defaults: () => ({ numeric: [numericRow()], incorrectFeedback: '' }),
  read: (q) => ({
    numeric: (q.answers ?? []).map((a) => ('min' in a
      ? { ...numericRow(), mode: 'range' as const, min: s(a.min), max: s(a.max), weight: s(a.weight ?? 100), feedback: s(a.feedback) }
      : { ...numericRow(), value: s(a.value), tolerance: s(a.tolerance ?? 0), weight: s(a.weight ?? 100), feedback: s(a.feedback) })),
    incorrectFeedback: s(q.incorrectFeedback),
  }),
  body: (d) => ({
    answers: d.numeric.map((a) => ({
      ...(a.mode === 'range' ? { min: num(a.min), max: num(a.max) } : { value: num(a.value), tolerance: num(a.tolerance || '0') }),
      weight: num(a.weight || '100'), ...(a.feedback.trim() ? { feedback: a.feedback } : {}),
    })),
    ...(d.incorrectFeedback.trim() ? { incorrectFeedback: d.incorrectFeedback } : {}),
  }),
};
