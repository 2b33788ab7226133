/**
 * Questions as HTML, through the product's one sanitising pipeline (renderMarkdown / sanitize).
 *
 * `learnerView` is what a learner sees: the stem, the choices, the inputs to fill. It carries nothing that gives the
 * answer away: no correct flags, weights or feedback; ordering items and matching answers are shuffled (seeded, so a
 * preview is stable) and ordering items are named by letters that say nothing about their place. Exams build on it.
 * `answerView` is the key and the feedback, rendered, for the people who write questions.
 */
import { createHash } from 'node:crypto';
import { renderMarkdown, sanitize } from '../../lib/markdown.js';
import { blankAnswers, type Question, type TextFormat } from './question-model.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** One text of a question in its format, as safe HTML. */
export function renderText(text: unknown, format: TextFormat = 'markdown'): string {
  const s = str(text);
  if (!s) return '';
  if (format === 'html') return sanitize(s);
  if (format === 'plain') return `<p>${escapeHtml(s).replace(/\r?\n/g, '<br>')}</p>`;
  return renderMarkdown(s).html;
}

/** A short plain-text excerpt of markdown, for lists. */
export function excerpt(text: unknown, max = 160): string {
  const plain = str(text).replace(/[*_`>#|]+/g, '').replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\{\{\s*(\d+)\s*\}\}/g, '____')
    .replace(/\s+/g, ' ').trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/** A small deterministic generator (mulberry32) seeded from a string. */
function random(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded shuffle that never leaves a list of two or more in its original order. */
function shuffled<T>(items: T[], seed: string): T[] {
  const out = [...items];
  const rnd = random(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  if (out.length > 1 && out.every((x, i) => x === items[i])) out.push(out.shift()!);
  return out;
}

const BLANK_OPEN = '\uE200';
const BLANK_CLOSE = '\uE201';

export type ResponseKind = 'choice' | 'choices' | 'true_false' | 'blanks' | 'number' | 'matching' | 'ordering' | 'text' | 'long_text';

export interface LearnerView {
  type: string;
  response: ResponseKind;
  points: number;
  stemHtml: string;
  /** single and multiple choice, in the author's order (an exam may shuffle them). */
  options?: { id: string; html: string }[];
  /** fill_blank: how many blanks the stem has (marked `<span class="blank">n</span>`). */
  blanks?: number;
  matching?: { left: { id: string; html: string }[]; right: string[] };
  /** ordering: shuffled; ids are letters that say nothing about the right order. */
  items?: { id: string; html: string }[];
}

function stemHtml(q: Question): string {
  if (q.type !== 'fill_blank') return renderText(q.stem, q.stemFormat);
  // Blank markers survive markdown as private-use characters and then become the allowed <span class="blank">.
  const marked = str(q.stem).replace(/\{\{\s*(\d+)\s*\}\}/g, (_, n: string) => `${BLANK_OPEN}${n}${BLANK_CLOSE}`);
  const html = renderText(marked, q.stemFormat).replace(new RegExp(`${BLANK_OPEN}(\\d+)${BLANK_CLOSE}`, 'g'), '<span class="blank">$1</span>');
  return sanitize(html);
}

export function learnerView(q: Question, seed = ''): LearnerView {
  const f = q.stemFormat;
  const base = { type: q.type, points: typeof q.points === 'number' ? q.points : 0, stemHtml: stemHtml(q) };
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice':
      return {
        ...base, response: q.type === 'single_choice' ? 'choice' : 'choices',
        options: arr<{ text: string }>(q.options).map((o, i) => ({ id: String(i), html: renderText(o?.text, f) })),
      };
    case 'true_false':
      return { ...base, response: 'true_false' };
    case 'fill_blank':
      return { ...base, response: 'blanks', blanks: arr(q.blanks).length };
    case 'numeric':
      return { ...base, response: 'number' };
    case 'matching': {
      const pairs = arr<{ left: string; right: string }>(q.pairs);
      const right = [...new Set([...pairs.map((p) => str(p?.right)), ...arr<string>(q.distractors).map(str)])];
      return {
        ...base, response: 'matching',
        matching: { left: pairs.map((p, i) => ({ id: String(i), html: renderText(p?.left, f) })), right: shuffled(right, `${seed}:m`) },
      };
    }
    case 'ordering': {
      const items = shuffled(arr<string>(q.items).map(str), `${seed}:o`);
      return { ...base, response: 'ordering', items: items.map((text, i) => ({ id: String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : ''), html: renderText(text, f) })) };
    }
    case 'short_answer':
      return { ...base, response: 'text' };
    case 'essay':
      return { ...base, response: 'long_text' };
    default:
      return { ...base, response: 'text' };
  }
}

export interface AnswerView {
  explanationHtml: string;
  options?: { html: string; correct: boolean; weight: number; feedbackHtml: string }[];
  scoring?: string;
  answer?: boolean;
  feedbackTrueHtml?: string;
  feedbackFalseHtml?: string;
  blanks?: { answers: { text: string; weight: number; feedbackHtml: string }[] }[];
  numeric?: { text: string; weight: number; feedbackHtml: string }[];
  incorrectFeedbackHtml?: string;
  pairs?: { leftHtml: string; right: string }[];
  distractors?: string[];
  items?: string[];
  rubricHtml?: string;
  modelAnswerHtml?: string;
}

/** The key and all feedback, rendered: for authors only. */
export function answerView(q: Question): AnswerView {
  const f = q.stemFormat;
  const out: AnswerView = { explanationHtml: renderText(q.explanation, f) };
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice':
      out.options = arr<{ text: string; correct: boolean; weight: number; feedback?: string }>(q.options).map((o) => ({
        html: renderText(o?.text, f), correct: !!o?.correct, weight: typeof o?.weight === 'number' ? o.weight : 0, feedbackHtml: renderText(o?.feedback, f),
      }));
      if (q.type === 'multiple_choice') out.scoring = str(q.scoring);
      break;
    case 'true_false':
      out.answer = q.answer === true;
      out.feedbackTrueHtml = renderText(q.feedbackTrue, f);
      out.feedbackFalseHtml = renderText(q.feedbackFalse, f);
      break;
    case 'fill_blank':
      out.blanks = arr<{ answers: unknown[] }>(q.blanks).map((b) => ({
        answers: Array.isArray(b?.answers) ? blankAnswers(b as never).map((a) => ({ text: str(a?.text ?? a), weight: typeof a?.weight === 'number' ? a.weight : 100, feedbackHtml: renderText(a?.feedback, f) })) : [],
      }));
      break;
    case 'numeric':
      out.numeric = arr<Record<string, unknown>>(q.answers).map((a) => ({
        text: a && 'min' in a ? `${a.min} – ${a.max}` : `${a?.value}${a?.tolerance ? ` ± ${a.tolerance}` : ''}`,
        weight: typeof a?.weight === 'number' ? a.weight : 100, feedbackHtml: renderText(a?.feedback, f),
      }));
      out.incorrectFeedbackHtml = renderText(q.incorrectFeedback, f);
      break;
    case 'matching':
      out.pairs = arr<{ left: string; right: string }>(q.pairs).map((p) => ({ leftHtml: renderText(p?.left, f), right: str(p?.right) }));
      out.distractors = arr<string>(q.distractors).map(str);
      break;
    case 'ordering':
      out.items = arr<string>(q.items).map(str);
      break;
    case 'short_answer':
    case 'essay':
      out.rubricHtml = renderText(q.rubric, f);
      out.modelAnswerHtml = renderText(q.modelAnswer, f);
      break;
    default:
      break;
  }
  return out;
}
