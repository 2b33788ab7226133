/**
 * multiple_choice: any option with a positive weight is correct. all_or_nothing gives full points only for exactly
 * the correct set; partial gives the sum of the chosen weights, clamped to 0..100 %.
 */
import { Type, type Static } from '@sinclair/typebox';
import { arr, defineType, Lit, questionForms, round5, str } from './common.js';
import { normaliseOptions, Option, optionAnswers, optionTexts, optionViews, validateOptions, type ChoiceOption } from './choice.js';

export const MULTIPLE_SCORING = ['all_or_nothing', 'partial'] as const;
export type MultipleScoring = (typeof MULTIPLE_SCORING)[number];

const options = { input: Type.Array(Option.input, { minItems: 2 }), stored: Type.Array(Option.stored, { minItems: 2 }) };
const forms = questionForms('multiple_choice',
  { scoring: Type.Optional(Lit(MULTIPLE_SCORING)), options: options.input },
  { scoring: Lit(MULTIPLE_SCORING), options: options.stored });
export type MultipleChoiceQuestion = Static<typeof forms.stored>;

export const multipleChoice = defineType({
  type: 'multiple_choice',
  ...forms,
  manuallyGraded: false,
  normalise: (i) => ({ scoring: i.scoring ?? 'all_or_nothing', options: normaliseOptions('multiple_choice', i.options) }),
  validate(q, c) {
    const weights = validateOptions('multiple_choice', q, c, c.limits.multipleOptions);
    if (!weights) return;
    if (q.scoring === undefined) c.add('scoring', 'field.required');
    else if (!(MULTIPLE_SCORING as readonly unknown[]).includes(q.scoring)) c.add('scoring', 'field.enum', { values: MULTIPLE_SCORING.join(', ') });
    const positive = weights.filter((w) => w > 0);
    if (positive.length < c.limits.multipleCorrectMin) {
      c.add('options', 'question.multiple_needs_correct', { limit: c.limits.multipleCorrectMin, found: positive.length });
    } else {
      const sum = positive.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 100) > 0.01) c.add('options', 'question.weights_sum', { sum: round5(sum) });
    }
  },
  learnerView: (q, tools) => ({ response: 'choices', options: optionViews(arr<ChoiceOption>(q.options), tools) }),
  answerView: (q, tools) => ({ options: optionAnswers(arr<ChoiceOption>(q.options), tools), scoring: str(q.scoring) }),
  score(q, r, s) {
    const chosen = new Set(
      (Array.isArray(r.choices) ? r.choices : []).filter(
        (i): i is number => typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < q.options.length,
      ),
    );
    const exact = q.options.every((o, i) => chosen.has(i) === o.weight > 0);
    for (const i of [...chosen].sort((a, b) => a - b)) if (q.options[i].feedback) s.feedback.push(q.options[i].feedback!);
    if (q.scoring === 'partial') {
      const sum = [...chosen].reduce((acc, i) => acc + q.options[i].weight, 0);
      return s.result(sum / 100, exact);
    }
    return s.result(exact ? 1 : 0, exact);
  },
  searchText: (q) => optionTexts(q.options),
});
