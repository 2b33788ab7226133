/**
 * Scores a learner's response to a (normalised) question.
 *
 * Response shapes, by type (indices refer to the question's own order of options, pairs and items; the UI shuffles
 * what it shows and maps back):
 *
 * | type            | response                                   | scoring                                                    |
 * |-----------------|--------------------------------------------|------------------------------------------------------------|
 * | single_choice   | `{ choice: number \| null }`               | weight of the chosen option, clamped to 0..100 %           |
 * | multiple_choice | `{ choices: number[] }`                    | all_or_nothing: 100 % only for exactly the correct set;    |
 * |                 |                                            | partial: sum of the chosen weights, clamped to 0..100 %    |
 * | true_false      | `{ answer: boolean \| null }`              | all or nothing                                             |
 * | fill_blank      | `{ blanks: string[] }` (one per `{{n}}`)   | each blank earns its share × the best matching answer's weight; matching ignores case, surrounding and repeated spaces, and full/half-width differences (NFKC) |
 * | numeric         | `{ value: number \| string \| null }`      | the best weight among the answers the value falls within   |
 * | matching        | `{ matches: (string \| null)[] }`          | `matches[i]` is the right-hand text chosen for `pairs[i]`; each pair earns its share |
 * | ordering        | `{ order: number[] }`                      | `order[k]` is the index (in `items`) of the item put at position k; **per position**: each item in its correct position earns 1/n of the points |
 * | short_answer    | `{ text: string }`                         | graded by a person: score 0, `correct: null`               |
 * | essay           | `{ text: string }`                         | graded by a person                                          |
 *
 * A missing or malformed response scores 0 and never throws. The score is in points, rounded to 2 decimals, never
 * below zero.
 */
import { blankAnswers, MANUALLY_GRADED_TYPES, type Question, type QuestionType } from './question-model.js';

export interface ResponseByType {
  single_choice: { choice: number | null };
  multiple_choice: { choices: number[] };
  true_false: { answer: boolean | null };
  fill_blank: { blanks: string[] };
  numeric: { value: number | string | null };
  matching: { matches: (string | null)[] };
  ordering: { order: number[] };
  short_answer: { text: string };
  essay: { text: string };
}
export type QuestionResponse<T extends QuestionType = QuestionType> = ResponseByType[T];

export interface ScoreResult {
  /** Points earned, rounded to 2 decimals (0 for questions a person must grade). */
  score: number;
  /** The question's points. */
  max: number;
  /** Fully correct? `null` when a person must grade. */
  correct: boolean | null;
  /** Share of the points earned, 0..1; `null` when a person must grade. */
  fraction: number | null;
  /** Per blank / pair / position: right or not (fill_blank, matching, ordering). */
  parts?: boolean[];
  /** Feedback texts that apply to this response (chosen options, true/false, matched numeric answer, blanks). */
  feedback: string[];
  /** True for short_answer and essay. */
  needsGrading?: boolean;
}

export const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;
const clamp01 = (f: number) => (f < 0 ? 0 : f > 1 ? 1 : f);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How typed answers are compared: NFKC (full-width → half-width), trimmed, inner spaces collapsed, lower case. */
export function normaliseAnswerText(s: string): string {
  return s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * A number typed by a learner: full-width digits are accepted, as are thousands separators (`30,000`) and spaces.
 * Returns null when it is not a number.
 */
export function parseLearnerNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  let s = v.normalize('NFKC').trim().replace(/\s+/g, '').replace(/−/g, '-');
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Whether `x` satisfies a numeric answer (a tiny relative epsilon absorbs floating-point noise). */
export function numericMatches(a: { value?: number; tolerance?: number; min?: number; max?: number }, x: number): boolean {
  if (typeof a.value === 'number') {
    const eps = 1e-9 * Math.max(1, Math.abs(a.value));
    return Math.abs(x - a.value) <= (a.tolerance ?? 0) + eps;
  }
  if (typeof a.min === 'number' && typeof a.max === 'number') {
    const eps = 1e-9 * Math.max(1, Math.abs(a.min), Math.abs(a.max));
    return x >= a.min - eps && x <= a.max + eps;
  }
  return false;
}

export function scoreResponse<Q extends Question>(question: Q, response: QuestionResponse<Q['type']> | null | undefined): ScoreResult;
export function scoreResponse(question: Question, response: unknown): ScoreResult;
export function scoreResponse(question: Question, response: unknown): ScoreResult {
  const max = typeof question.points === 'number' && question.points > 0 ? question.points : 0;
  const r = isObj(response) ? response : {};
  const feedback: string[] = [];
  const result = (fraction: number, correct: boolean, parts?: boolean[]): ScoreResult => {
    let f = clamp01(fraction);
    if (Math.abs(f - 1) < 1e-6) f = 1; // 3 × 33.33333 %
    return { score: round2(max * f), max, correct, fraction: Math.round(f * 1e6) / 1e6, ...(parts ? { parts } : {}), feedback };
  };

  if (MANUALLY_GRADED_TYPES.includes(question.type)) {
    return { score: 0, max, correct: null, fraction: null, feedback, needsGrading: true };
  }

  switch (question.type) {
    case 'single_choice': {
      const i = r.choice;
      const o = typeof i === 'number' && Number.isInteger(i) ? question.options[i] : undefined;
      if (!o) return result(0, false);
      if (o.feedback) feedback.push(o.feedback);
      return result(o.weight / 100, o.weight === 100);
    }
    case 'multiple_choice': {
      const chosen = new Set(
        (Array.isArray(r.choices) ? r.choices : []).filter(
          (i): i is number => typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < question.options.length,
        ),
      );
      const rightSet = question.options.map((o) => o.weight > 0);
      const exact = question.options.every((_, i) => chosen.has(i) === rightSet[i]);
      for (const i of [...chosen].sort((a, b) => a - b)) if (question.options[i].feedback) feedback.push(question.options[i].feedback!);
      if (question.scoring === 'partial') {
        const sum = [...chosen].reduce((acc, i) => acc + question.options[i].weight, 0);
        return result(sum / 100, exact);
      }
      return result(exact ? 1 : 0, exact);
    }
    case 'true_false': {
      if (typeof r.answer !== 'boolean') return result(0, false);
      const fb = r.answer ? question.feedbackTrue : question.feedbackFalse;
      if (fb) feedback.push(fb);
      const ok = r.answer === question.answer;
      return result(ok ? 1 : 0, ok);
    }
    case 'fill_blank': {
      const given = Array.isArray(r.blanks) ? r.blanks : [];
      const n = question.blanks.length;
      if (n === 0) return result(0, false);
      const parts: boolean[] = [];
      let total = 0;
      question.blanks.forEach((blank, i) => {
        const v = given[i];
        const typed = typeof v === 'string' || typeof v === 'number' ? normaliseAnswerText(String(v)) : '';
        let best: { weight: number; feedback?: string } | undefined;
        if (typed !== '') {
          for (const a of blankAnswers(blank)) {
            if (normaliseAnswerText(a.text) === typed && (!best || a.weight > best.weight)) best = a;
          }
        }
        if (best?.feedback) feedback.push(best.feedback);
        const w = best ? best.weight : 0;
        total += w / 100;
        parts.push(w === 100);
      });
      return result(total / n, parts.every(Boolean), parts);
    }
    case 'numeric': {
      const x = parseLearnerNumber(r.value);
      if (x === null) return result(0, false);
      let best: (typeof question.answers)[number] | undefined;
      for (const a of question.answers) if (numericMatches(a, x) && (!best || a.weight > best.weight)) best = a;
      if (best?.feedback) feedback.push(best.feedback);
      else if (!best && question.incorrectFeedback) feedback.push(question.incorrectFeedback);
      const w = best ? best.weight : 0;
      return result(w / 100, w === 100);
    }
    case 'matching': {
      const given = Array.isArray(r.matches) ? r.matches : [];
      const n = question.pairs.length;
      if (n === 0) return result(0, false);
      const parts = question.pairs.map((p, i) => typeof given[i] === 'string' && (given[i] as string).trim() === p.right);
      return result(parts.filter(Boolean).length / n, parts.every(Boolean), parts);
    }
    case 'ordering': {
      const given = Array.isArray(r.order) ? r.order : [];
      const n = question.items.length;
      if (n === 0) return result(0, false);
      const parts = question.items.map((item, k) => {
        const v = given[k];
        return v === k || (typeof v === 'string' && v.trim() === item);
      });
      return result(parts.filter(Boolean).length / n, parts.every(Boolean), parts);
    }
    default:
      return result(0, false);
  }
}
