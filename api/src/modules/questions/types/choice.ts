/** What single and multiple choice share: the option, how weights follow from `correct`, and the option checks. */
import { Type, type Static } from '@sinclair/typebox';
import { clean, forms, isObj, optText, round5, Text, OptText, trimmed, Weight, type Checker, type Loose, type AnswerParts, type ViewTools } from './common.js';

export const Option = forms(
  { text: Text(), feedback: OptText() },
  {
    /** single_choice: the option worth 100 %; multiple_choice: any option with a positive weight. */
    correct: Type.Boolean(),
    /** Percent of the points this option is worth, -100..100. */
    weight: Weight(-100),
  },
);
export type ChoiceOption = Static<typeof Option.stored>;

type ChoiceType = 'single_choice' | 'multiple_choice';
/** Which weight makes an option correct. */
const correctByWeight = (type: ChoiceType, weight: number) => (type === 'single_choice' ? weight === 100 : weight > 0);

/**
 * Weights from `correct`: single_choice 100 for the correct option, 0 for the others; multiple_choice shares +100
 * equally among the correct options and -100 equally among the wrong ones (rounded to 5 decimals, as Moodle does).
 */
export function normaliseOptions(type: ChoiceType, raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw;
  const opts: Loose[] = raw.map((o) => (isObj(o) ? o : { text: o }));
  const hasWeight = (o: Loose) => typeof o.weight === 'number';
  const isCorrect = (o: Loose) => o.correct === true;
  const nCorrect = opts.filter((o) => !hasWeight(o) && isCorrect(o)).length + opts.filter((o) => hasWeight(o) && (o.weight as number) > 0).length;
  const nWrong = opts.length - nCorrect;
  return opts.map((o) => {
    let weight: unknown = o.weight;
    if (!hasWeight(o)) {
      if (type === 'single_choice') weight = isCorrect(o) ? 100 : 0;
      else weight = isCorrect(o) ? round5(100 / Math.max(nCorrect, 1)) : nWrong > 0 ? round5(-100 / nWrong) : 0;
      if (weight === 0) weight = 0; // no -0
    }
    let correct: unknown = o.correct;
    if (typeof correct !== 'boolean') correct = typeof weight === 'number' && correctByWeight(type, weight);
    return clean({ text: trimmed(o.text ?? ''), correct, weight, feedback: optText(o.feedback) });
  });
}

/** Checks the options one by one and as a list; returns their weights (0 where a weight is missing). */
export function validateOptions(type: ChoiceType, q: Loose, c: Checker, range: [number, number]): number[] | null {
  if (!c.array('options', q.options)) return null;
  const options = q.options;
  c.count('options', options.length, range, 'options');
  options.forEach((o, i) => {
    const p = `options.${i}`;
    if (!isObj(o)) { c.add(p, 'field.type', { type: 'object' }); return; }
    c.text(`${p}.text`, o.text, 10_000);
    c.weight(`${p}.weight`, o.weight, -100);
    if (o.feedback !== undefined) c.text(`${p}.feedback`, o.feedback, 10_000, false);
    if (typeof o.correct !== 'boolean') c.add(`${p}.correct`, 'field.type', { type: 'boolean' });
    else if (typeof o.weight === 'number' && correctByWeight(type, o.weight) !== o.correct) {
      c.add(p, 'question.correct_weight_mismatch', { weight: o.weight });
    }
  });
  c.duplicates('options', options.map((o) => (isObj(o) ? o.text : undefined)), 'question.duplicate_option');
  return options.map((o) => (isObj(o) && typeof o.weight === 'number' ? o.weight : 0));
}

export const optionViews = (options: ChoiceOption[], tools: ViewTools) =>
  options.map((o, i) => ({ id: String(i), html: tools.render(o?.text) }));

export const optionAnswers = (options: ChoiceOption[], tools: ViewTools): AnswerParts['options'] =>
  options.map((o) => ({
    html: tools.render(o?.text), correct: !!o?.correct, weight: typeof o?.weight === 'number' ? o.weight : 0, feedbackHtml: tools.render(o?.feedback),
  }));

export const optionTexts = (options: ChoiceOption[]) => (Array.isArray(options) ? options.flatMap((o) => [o.text, o.feedback ?? '']) : []);
