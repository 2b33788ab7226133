// Types and helpers shared by the question bank screens.
import { apiFetch } from '$lib/api/client';

export const QUESTION_TYPES = ['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'short_answer', 'essay'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const STATUSES = ['draft', 'active', 'retired'] as const;
export type Status = (typeof STATUSES)[number];

export interface ListItem {
  id: string; key: string; language: 'zh' | 'en'; status: Status; type: QuestionType; difficulty: number; points: number; stem: string;
  category: string | null; categoryId: string | null; tags: string[]; modules: string[]; version: number; updatedAt: string;
}
export interface Category { id: string; parentId: string | null; name: string; path: string; depth: number; questions: number; total: number }
export interface Facets { tags: { tag: string; count: number }[]; modules: { slug: string; title: string; count: number }[]; counts: Record<Status, number> }

export interface LearnerView {
  type: QuestionType; response: string; points: number; stemHtml: string;
  options?: { id: string; html: string }[]; blanks?: number;
  matching?: { left: { id: string; html: string }[]; right: string[] }; items?: { id: string; html: string }[];
}
export interface AnswerView {
  explanationHtml: string;
  options?: { html: string; correct: boolean; weight: number; feedbackHtml: string }[]; scoring?: string;
  answer?: boolean; feedbackTrueHtml?: string; feedbackFalseHtml?: string;
  blanks?: { answers: { text: string; weight: number; feedbackHtml: string }[] }[];
  numeric?: { text: string; weight: number; feedbackHtml: string }[]; incorrectFeedbackHtml?: string;
  pairs?: { leftHtml: string; right: string }[]; distractors?: string[]; items?: string[]; rubricHtml?: string; modelAnswerHtml?: string;
}
export interface Preview { learner: LearnerView; answer: AnswerView }

/** The canonical question (docs/CONTENT.md) as the API returns it. */
export type Question = Record<string, any> & { type: QuestionType; stem: string; points: number; difficulty: number };

export interface QuestionDetail {
  id: string; key: string; language: 'zh' | 'en'; status: Status; source: string; category: string | null; categoryId: string | null;
  tags: string[]; modules: string[]; createdAt: string; updatedAt: string;
  version: { id: string; number: number; createdAt: string; used: boolean }; versions: number; question: Question; preview: Preview;
}

// ---------- the editor's working copy ----------

export interface OptionRow { text: string; correct: boolean; weight: string; feedback: string }
export interface AnswerRow { text: string; weight: string; feedback: string }
export interface NumericRow { mode: 'value' | 'range'; value: string; tolerance: string; min: string; max: string; weight: string; feedback: string }

/** What the editor edits: every field as the form holds it (numbers as text while typed). */
export interface Draft {
  type: QuestionType; key: string; name: string; stem: string; stemFormat: 'markdown' | 'plain' | 'html';
  points: string; difficulty: string; language: 'zh' | 'en'; status: Status; category: string; tags: string; modules: string[];
  explanation: string;
  options: OptionRow[]; customWeights: boolean; scoring: 'all_or_nothing' | 'partial';
  answer: boolean; feedbackTrue: string; feedbackFalse: string;
  blanks: { answers: AnswerRow[] }[];
  numeric: NumericRow[]; incorrectFeedback: string;
  pairs: { left: string; right: string }[]; distractors: string[];
  items: string[];
  rubric: string; modelAnswer: string;
}

const option = (text = '', correct = false): OptionRow => ({ text, correct, weight: '', feedback: '' });
const answerRow = (text = ''): AnswerRow => ({ text, weight: '100', feedback: '' });
const numericRow = (): NumericRow => ({ mode: 'value', value: '', tolerance: '0', min: '', max: '', weight: '100', feedback: '' });

export function emptyDraft(lang: 'zh' | 'en'): Draft {
  return {
    type: 'single_choice', key: '', name: '', stem: '', stemFormat: 'markdown', points: '1', difficulty: '3', language: lang, status: 'draft',
    category: '', tags: '', modules: [], explanation: '',
    options: [option('', true), option(), option(), option()], customWeights: false, scoring: 'all_or_nothing',
    answer: true, feedbackTrue: '', feedbackFalse: '',
    blanks: [{ answers: [answerRow()] }], numeric: [numericRow()], incorrectFeedback: '',
    pairs: [{ left: '', right: '' }, { left: '', right: '' }, { left: '', right: '' }], distractors: [],
    items: ['', '', ''], rubric: '', modelAnswer: '',
  };
}

export const newOption = () => option();
export const newAnswerRow = () => answerRow();
export const newNumericRow = () => numericRow();

const round5 = (n: number) => Math.round(n * 1e5) / 1e5;

/** The weights the server would give from the correct flags alone (question-model.ts normaliseOptions). */
export function autoWeights(type: QuestionType, correct: boolean[]): number[] {
  if (type === 'single_choice') return correct.map((c) => (c ? 100 : 0));
  const n = correct.filter(Boolean).length;
  const w = correct.length - n;
  return correct.map((c) => (c ? round5(100 / Math.max(n, 1)) : w > 0 ? round5(-100 / w) : 0));
}

const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** The editor's working copy of a stored question. */
export function toDraft(d: QuestionDetail): Draft {
  const q = d.question;
  const draft = emptyDraft(d.language);
  Object.assign(draft, {
    type: q.type, key: d.key, name: s(q.name), stem: s(q.stem), stemFormat: q.stemFormat ?? 'markdown', points: s(q.points), difficulty: s(q.difficulty),
    language: d.language, status: d.status, category: d.category ?? '', tags: d.tags.join(', '), modules: [...d.modules], explanation: s(q.explanation),
  });
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const opts = (q.options ?? []) as { text: string; correct: boolean; weight: number; feedback?: string }[];
      const auto = autoWeights(q.type, opts.map((o) => o.correct));
      draft.customWeights = opts.some((o, i) => Math.abs(o.weight - auto[i]) > 0.001);
      draft.options = opts.map((o) => ({ text: o.text, correct: o.correct, weight: draft.customWeights ? s(o.weight) : '', feedback: s(o.feedback) }));
      draft.scoring = q.scoring ?? 'all_or_nothing';
      break;
    }
    case 'true_false':
      Object.assign(draft, { answer: q.answer === true, feedbackTrue: s(q.feedbackTrue), feedbackFalse: s(q.feedbackFalse) });
      break;
    case 'fill_blank':
      draft.blanks = (q.blanks ?? []).map((b: { answers: (string | { text: string; weight?: number; feedback?: string })[] }) => ({
        answers: b.answers.map((a) => (typeof a === 'string' ? answerRow(a) : { text: a.text, weight: s(a.weight ?? 100), feedback: s(a.feedback) })),
      }));
      break;
    case 'numeric':
      draft.numeric = (q.answers ?? []).map((a: Record<string, number | string>) => ({
        mode: 'min' in a ? 'range' : 'value', value: s(a.value), tolerance: s(a.tolerance ?? 0), min: s(a.min), max: s(a.max), weight: s(a.weight ?? 100), feedback: s(a.feedback),
      }));
      draft.incorrectFeedback = s(q.incorrectFeedback);
      break;
    case 'matching':
      draft.pairs = (q.pairs ?? []).map((p: { left: string; right: string }) => ({ ...p }));
      draft.distractors = [...(q.distractors ?? [])];
      break;
    case 'ordering':
      draft.items = [...(q.items ?? [])];
      break;
    case 'short_answer':
    case 'essay':
      Object.assign(draft, { rubric: s(q.rubric), modelAnswer: s(q.modelAnswer) });
      break;
  }
  return draft;
}

/** A number typed in a field: the number, or the text itself so that the server names the field that is wrong. */
const num = (v: string): number | string => {
  const t = v.trim();
  if (t === '') return '';
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
};
const opt = (v: string) => (v.trim() ? v : undefined);

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
  switch (d.type) {
    case 'single_choice':
    case 'multiple_choice':
      body.options = d.options.map((o) => {
        const weight = d.customWeights ? num(o.weight || '0') : undefined;
        const correct = d.customWeights && typeof weight === 'number' ? (d.type === 'single_choice' ? weight === 100 : weight > 0) : o.correct;
        return { text: o.text, correct, ...(weight !== undefined ? { weight } : {}), ...(o.feedback.trim() ? { feedback: o.feedback } : {}) };
      });
      if (d.type === 'multiple_choice') body.scoring = d.scoring;
      break;
    case 'true_false':
      Object.assign(body, { answer: d.answer, feedbackTrue: opt(d.feedbackTrue), feedbackFalse: opt(d.feedbackFalse) });
      break;
    case 'fill_blank':
      body.blanks = d.blanks.map((b) => ({
        answers: b.answers.map((a) => {
          const weight = num(a.weight || '100');
          return weight === 100 && !a.feedback.trim() ? a.text : { text: a.text, weight, ...(a.feedback.trim() ? { feedback: a.feedback } : {}) };
        }),
      }));
      break;
    case 'numeric':
      body.answers = d.numeric.map((a) => ({
        ...(a.mode === 'range' ? { min: num(a.min), max: num(a.max) } : { value: num(a.value), tolerance: num(a.tolerance || '0') }),
        weight: num(a.weight || '100'), ...(a.feedback.trim() ? { feedback: a.feedback } : {}),
      }));
      if (d.incorrectFeedback.trim()) body.incorrectFeedback = d.incorrectFeedback;
      break;
    case 'matching':
      body.pairs = d.pairs.map((p) => ({ left: p.left, right: p.right }));
      if (d.distractors.some((x) => x.trim())) body.distractors = d.distractors.filter((x) => x.trim());
      break;
    case 'ordering':
      body.items = [...d.items];
      break;
    case 'short_answer':
    case 'essay':
      Object.assign(body, { rubric: opt(d.rubric), modelAnswer: opt(d.modelAnswer) });
      break;
  }
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
