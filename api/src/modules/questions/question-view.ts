/**
 * Questions as HTML, through the product's one sanitising pipeline (renderMarkdown / sanitize).
 *
 * `learnerView` is what a learner sees: the stem, the choices, the inputs to fill. It carries nothing that gives the
 * answer away: no correct flags, weights or feedback; ordering items and matching answers are shuffled (seeded, so a
 * preview is stable) and ordering items are named by letters that say nothing about their place. Exams build on it.
 * `answerView` is the key and the feedback, rendered, for the people who write questions.
 */
import { renderMarkdown, sanitize } from '../../lib/markdown.js';
import { seededRandom } from '../../lib/seeded-random.js';
import type { AnswerParts, LearnerParts, TextFormat, ViewTools } from './types/common.js';
import { definitionOf, type Question } from './types/index.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

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

/** A seeded shuffle that never leaves a list of two or more in its original order. */
function shuffled<T>(items: T[], seed: string): T[] {
  const out = [...items];
  const rnd = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  if (out.length > 1 && out.every((x, i) => x === items[i])) out.push(out.shift()!);
  return out;
}

export type { ResponseKind } from './types/common.js';

export interface LearnerView extends LearnerParts {
  type: string;
  points: number;
  stemHtml: string;
}

export interface AnswerView extends AnswerParts {
  explanationHtml: string;
}

function toolsFor(q: Question, seed: string): ViewTools {
  return { render: (text) => renderText(text, q.stemFormat), shuffle: (items, salt) => shuffled(items, `${seed}:${salt}`) };
}

export function learnerView(q: Question, seed = ''): LearnerView {
  const def = definitionOf(q.type);
  const tools = toolsFor(q, seed);
  const stemHtml = def?.stemHtml ? def.stemHtml(q, tools.render) : renderText(q.stem, q.stemFormat);
  const base = { type: q.type, points: typeof q.points === 'number' ? q.points : 0, stemHtml };
  return { ...base, ...(def ? def.learnerView(q, tools) : { response: 'text' }) };
}

/** The key and all feedback, rendered: for authors only. */
export function answerView(q: Question): AnswerView {
  const def = definitionOf(q.type);
  const tools = toolsFor(q, '');
  return { explanationHtml: renderText(q.explanation, q.stemFormat), ...(def ? def.answerView(q, tools) : {}) };
}
