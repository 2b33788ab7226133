/** single_choice: one option is worth 100 %; the chosen option's weight is the score (clamped to 0..100 %). */
import { Type, type Static } from '@sinclair/typebox';
import { arr, defineType, questionForms } from './common.js';
import { normaliseOptions, Option, optionAnswers, optionTexts, optionViews, validateOptions, type ChoiceOption } from './choice.js';

const forms = questionForms('single_choice',
  { options: Type.Array(Option.input, { minItems: 2 }) },
  { options: Type.Array(Option.stored, { minItems: 2 }) });
export type SingleChoiceQuestion = Static<typeof forms.stored>;

export const singleChoice = defineType({
  type: 'single_choice',
  ...forms,
  manuallyGraded: false,
  normalise: (i) => ({ options: normaliseOptions('single_choice', i.options) }),
  validate(q, c) {
    const weights = validateOptions('single_choice', q, c, c.limits.singleOptions);
    if (!weights) return;
    const full = weights.filter((w) => w === 100).length;
    if (full !== 1) c.add('options', 'question.single_needs_one_correct', { found: full });
  },
  learnerView: (q, tools) => ({ response: 'choice', options: optionViews(arr<ChoiceOption>(q.options), tools) }),
  answerView: (q, tools) => ({ options: optionAnswers(arr<ChoiceOption>(q.options), tools) }),
  score(q, r, s) {
    const i = r.choice;
    const o = typeof i === 'number' && Number.isInteger(i) ? q.options[i] : undefined;
    if (!o) return s.result(0, false);
    if (o.feedback) s.feedback.push(o.feedback);
    return s.result(o.weight / 100, o.weight === 100);
  },
  searchText: (q) => optionTexts(q.options),
});
