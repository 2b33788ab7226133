// What single and multiple choice share in the editor: options with correct flags or custom weights.
import { num, s, type Draft, type Question, type WebTypeLogic } from './common.js';

type ChoiceType = 'single_choice' | 'multiple_choice';
const round5 = (n: number) => Math.round(n * 1e5) / 1e5;

/** The weights the server would give from the correct flags alone (api types/choice.ts normaliseOptions). */
export function autoWeights(type: ChoiceType, correct: boolean[]): number[] {
  if (type === 'single_choice') return correct.map((c) => (c ? 100 : 0));
  const n = correct.filter(Boolean).length;
  const w = correct.length - n;
  return correct.map((c) => (c ? round5(100 / Math.max(n, 1)) : w > 0 ? round5(-100 / w) : 0));
}

export function choiceType(type: ChoiceType, defaults: () => Partial<Draft>): WebTypeLogic {
  return {
    type,
    defaults,
    read(q: Question) {
      const opts = q.options ?? [];
      const auto = autoWeights(type, opts.map((o) => o.correct));
      const customWeights = opts.some((o, i) => Math.abs(o.weight - auto[i]) > 0.001);
      return {
        customWeights,
        options: opts.map((o) => ({ text: o.text, correct: o.correct, weight: customWeights ? s(o.weight) : '', feedback: s(o.feedback) })),
        scoring: q.scoring ?? 'all_or_nothing',
      };
    },
    body(d) {
      const options = d.options.map((o) => {
        const weight = d.customWeights ? num(o.weight || '0') : undefined;
        const correct = d.customWeights && typeof weight === 'number' ? (type === 'single_choice' ? weight === 100 : weight > 0) : o.correct;
        return { text: o.text, correct, ...(weight !== undefined ? { weight } : {}), ...(o.feedback.trim() ? { feedback: o.feedback } : {}) };
      });
      return type === 'multiple_choice' ? { options, scoring: d.scoring } : { options };
    },
  };
}

