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
 * Each type scores in its own file (types/<type>.ts). A missing or malformed response scores 0 and never throws. The
 * score is in points, rounded to 2 decimals, never below zero.
 */
import { isObj, round2, type QuestionType, type ScoreResult, type Scorer } from './types/common.js';
import { definitionOf, type Question } from './types/index.js';

export { normaliseAnswerText, numericMatches, parseLearnerNumber } from './types/answers.js';
export { round2, type ScoreResult } from './types/common.js';

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

const clamp01 = (f: number) => (f < 0 ? 0 : f > 1 ? 1 : f);

export function scoreResponse<Q extends Question>(question: Q, response: QuestionResponse<Q['type']> | null | undefined): ScoreResult;
export function scoreResponse(question: Question, response: unknown): ScoreResult;
export function scoreResponse(question: Question, response: unknown): ScoreResult {
  const max = typeof question.points === 'number' && question.points > 0 ? question.points : 0;
  const feedback: string[] = [];
  const scorer: Scorer = {
    feedback,
    result(fraction, correct, parts) {
      let f = clamp01(fraction);
      if (Math.abs(f - 1) < 1e-6) f = 1; // 3 × 33.33333 %
      return { score: round2(max * f), max, correct, fraction: Math.round(f * 1e6) / 1e6, ...(parts ? { parts } : {}), feedback };
    },
    manual: () => ({ score: 0, max, correct: null, fraction: null, feedback, needsGrading: true }),
  };
  const def = definitionOf(question.type);
  if (!def) return scorer.result(0, false);
  return def.score(question, isObj(response) ? response : {}, scorer);
}
