// What a learner's response looks like per question type (api/src/modules/questions/scoring.ts), and when it counts
// as answered. Options are named by their index in the question (the attempt shows them shuffled); ordering items
// go back as their text, because their letters say nothing about their place.
import type { ApiData } from '$lib/api/client';

export type AttemptView = ApiData<'/api/attempts/{attemptId}'>;
export type AttemptQuestion = AttemptView['questions'][number];
export type Response = Record<string, unknown>;

/** The plain text of a piece of server-rendered HTML (an ordering item), as the scorer compares it. */
export function plainText(html: string): string {
  if (typeof DOMParser === 'undefined') return html.replace(/<[^>]*>/g, '').trim();
  return (new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '').trim();
}

const filled = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** Per response kind (the learner view's `response`), whether a response answers the question. */
const ANSWERED: Record<string, (r: Response) => boolean> = {
  choice: (r) => typeof r.choice === 'number',
  choices: (r) => Array.isArray(r.choices) && r.choices.length > 0,
  true_false: (r) => typeof r.answer === 'boolean',
  blanks: (r) => Array.isArray(r.blanks) && r.blanks.some(filled),
  number: (r) => typeof r.value === 'number' || filled(r.value),
  matching: (r) => Array.isArray(r.matches) && r.matches.some((m) => m !== null && m !== ''),
  // An untouched ordering is not an answer: the learner confirms or changes the order shown.
  ordering: (r) => Array.isArray(r.order) && r.order.length > 0,
  text: (r) => filled(r.text),
  long_text: (r) => filled(r.text),
};

export function isAnswered(q: Pick<AttemptQuestion, 'response'>, r: Response | undefined): boolean {
  return !!r && (ANSWERED[q.response] ?? ANSWERED.text)(r);
}
