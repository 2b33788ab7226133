// What the bank editor's per-type modules share: the editor's working copy (Draft), its rows, and the shape of a
// type's web module. Each type has its own module in this folder; index.ts maps a type to it.
import type { Component } from 'svelte';

export const QUESTION_TYPES = ['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'short_answer', 'essay'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const STATUSES = ['draft', 'active', 'retired'] as const;
export type Status = (typeof STATUSES)[number];

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

/** The fields a question of every type has; the rest of a Draft belongs to one type or another. */
export type CommonDraft = Pick<Draft, 'type' | 'key' | 'name' | 'stem' | 'stemFormat' | 'points' | 'difficulty' | 'language' | 'status' | 'category' | 'tags' | 'modules' | 'explanation'>;
/** The fields that belong to types. */
export type TypeDraft = Omit<Draft, keyof CommonDraft>;

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

/** The canonical question (docs/CONTENT.md) as the API returns it: the common fields, and each type's own. */
export interface Question {
  /** The API's response schema leaves the question open (one object per type); the fields below are what the editor reads. */
  [field: string]: unknown;
  type: QuestionType; stem: string; points: number; difficulty: number; name?: string; stemFormat?: Draft['stemFormat']; explanation?: string;
  options?: { text: string; correct: boolean; weight: number; feedback?: string }[]; scoring?: Draft['scoring'];
  answer?: boolean; feedbackTrue?: string; feedbackFalse?: string;
  blanks?: { answers: (string | { text: string; weight?: number; feedback?: string })[] }[];
  answers?: ({ value: number; tolerance?: number; weight?: number; feedback?: string } | { min: number; max: number; weight?: number; feedback?: string })[];
  incorrectFeedback?: string;
  pairs?: { left: string; right: string }[]; distractors?: string[]; items?: string[]; rubric?: string; modelAnswer?: string;
}

/** What the editor reads of a stored question (bank.ts QuestionDetail). */
export interface QuestionDetailLike {
  key: string; language: 'zh' | 'en'; status: Status; category: string | null; tags: string[]; modules: string[]; question: Question;
}

/** A field's reason, when the last check found one. */
export type FieldError = (path: string) => string | undefined;

/** A type's answer fields in the editor. */
export type EditorComponent = Component<{ draft: Draft; err: FieldError }, object, 'draft'>;
/** A type's response inputs as a learner sees them, and its key as an author sees it. */
export type ResponseComponent = Component<{ learner: LearnerView; name: string }>;
export type KeyComponent = Component<{ answer: AnswerView }>;

/** One question type's editing rules: editor defaults, stored question to draft, draft to body. */
export interface WebTypeLogic {
  type: QuestionType;
  /** The type's own fields of a new draft. */
  defaults(): Partial<TypeDraft>;
  /** The type's own fields from a stored question. */
  read(q: Question): Partial<TypeDraft>;
  /** The type's own fields of the request body: the canonical model, only the fields of its type. */
  body(d: Draft): Record<string, unknown>;
}

/** One question type in the web app: its editing rules, its answer fields in the editor, and what its preview shows. */
export interface WebQuestionType extends WebTypeLogic {
  Editor: EditorComponent;
  Response: ResponseComponent;
  Key: KeyComponent;
}

export const option = (text = '', correct = false): OptionRow => ({ text, correct, weight: '', feedback: '' });
export const answerRow = (text = ''): AnswerRow => ({ text, weight: '100', feedback: '' });
export const numericRow = (): NumericRow => ({ mode: 'value', value: '', tolerance: '0', min: '', max: '', weight: '100', feedback: '' });

/** A value as form text. */
export const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
/** A number typed in a field: the number, or the text itself so that the server names the field that is wrong. */
export const num = (v: string): number | string => {
  const t = v.trim();
  if (t === '') return '';
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
};
/** An optional text: left out when blank. */
export const opt = (v: string) => (v.trim() ? v : undefined);
export const letter = (i: number) => String.fromCharCode(65 + i);

export function moveRow<T>(list: T[], i: number, by: number): T[] {
  const j = i + by;
  if (j < 0 || j >= list.length) return list;
  const next = [...list];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}
export const without = <T>(list: T[], i: number) => list.filter((_, j) => j !== i);
