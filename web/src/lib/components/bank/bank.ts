// Types and helpers shared by the question bank screens. What differs by question type lives in types/<type>.ts,
// found through the registry in types/index.ts.
import { apiFetch } from '$lib/api/client';
import {
  answerRow, numericRow, option, s, num, QUESTION_TYPES, type Draft, type Preview, type Question, type QuestionType, type Status, type TypeDraft,
} from './types/common';
import { WEB_QUESTION_TYPES, webType } from './types/index';

export { QUESTION_TYPES, STATUSES } from './types/common';
export type {
  AnswerRow, AnswerView, Draft, LearnerView, NumericRow, OptionRow, Preview, Question, QuestionType, Status,
} from './types/common';
export { autoWeights } from './types/choice';

export interface ListItem {
  id: string; key: string; language: 'zh' | 'en'; status: Status; type: QuestionType; difficulty: number; points: number; stem: string;
  category: string | null; categoryId: string | null; tags: string[]; modules: string[]; version: number; updatedAt: string;
}
export interface Category { id: string; parentId: string | null; name: string; path: string; depth: number; questions: number; total: number }
export interface Facets { tags: { tag: string; count: number }[]; modules: { slug: string; title: string; count: number }[]; counts: Record<Status, number> }

export interface QuestionDetail {
  id: string; key: string; language: 'zh' | 'en'; status: Status; source: string; category: string | null; categoryId: string | null;
  tags: string[]; modules: string[]; createdAt: string; updatedAt: string;
  version: { id: string; number: number; createdAt: string; used: boolean }; versions: number; question: Question; preview: Preview;
}

// ---------- the editor's working copy ----------

/** Every type's own fields at their defaults (the single-choice ones last: a new question starts as one). */
function typeDefaults(): TypeDraft {
  return Object.assign({}, ...[...QUESTION_TYPES].reverse().map((t) => WEB_QUESTION_TYPES[t].defaults())) as TypeDraft;
}

export function emptyDraft(lang: 'zh' | 'en'): Draft {
  return {
    type: 'single_choice', key: '', name: '', stem: '', stemFormat: 'markdown', points: '1', difficulty: '3', language: lang, status: 'draft',
    category: '', tags: '', modules: [], explanation: '',
    ...typeDefaults(),
  };
}

/** The draft for another type: what all types share is kept, the type's own fields start afresh. */
export function withType(draft: Draft, type: QuestionType): Draft {
  const fresh = emptyDraft(draft.language);
  return {
    ...fresh, ...WEB_QUESTION_TYPES[type].defaults(), type, key: draft.key, name: draft.name, stem: draft.stem, stemFormat: draft.stemFormat,
    points: draft.points, difficulty: draft.difficulty, language: draft.language, status: draft.status, category: draft.category, tags: draft.tags,
    modules: draft.modules, explanation: draft.explanation,
  };
}

export const newOption = () => option();
export const newAnswerRow = () => answerRow();
export const newNumericRow = () => numericRow();

/** The editor's working copy of a stored question. */
export function toDraft(d: QuestionDetail): Draft {
  const q = d.question;
  return {
    ...emptyDraft(d.language),
    type: q.type, key: d.key, name: s(q.name), stem: s(q.stem), stemFormat: q.stemFormat ?? 'markdown', points: s(q.points), difficulty: s(q.difficulty),
    language: d.language, status: d.status, category: d.category ?? '', tags: d.tags.join(', '), modules: [...d.modules], explanation: s(q.explanation),
    ...webType(q.type)?.read(q),
  };
}

/** The request body for a draft: the canonical model, only the fields of its type. */
export function toBody(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: d.type, stem: d.stem, stemFormat: d.stemFormat, points: num(d.points), difficulty: num(d.difficulty), language: d.language, status: d.status,
    tags: d.tags.split(/[,，、;；]/).map((x) => x.trim()).filter(Boolean), modules: d.modules,
  };
  if (d.key.trim()) body.key = d.key.trim();
  if (d.name.trim()) body.name = d.name.trim();
  if (d.category.trim()) body.category = d.category.trim();
  if (d.explanation.trim()) body.explanation = d.explanation;
  Object.assign(body, webType(d.type)?.body(d));
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

/** Downloads a file the API answers to a POST (exports), keeping the server's file name. */
export async function downloadPost(path: string, body: unknown): Promise<{ exported: number; skipped: { key: string; reason: string }[] }> {
  const res = await apiFetch(path, { method: 'POST', body });
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'questions');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  let skipped: { key: string; reason: string }[] = [];
  try { skipped = JSON.parse(decodeURIComponent(res.headers.get('x-skipped') ?? '%5B%5D')); } catch { /* the count still says it */ }
  return { exported: Number(res.headers.get('x-exported-count') ?? 0), skipped };
}
