// Types and helpers shared by the question bank screens. What differs by question type lives in types/<type>.ts,
// found through the registry in types/index.ts.
import { apiFetch } from '$lib/api/client';
import type { Preview, Question, QuestionType, Status } from './types/common';

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

export { emptyDraft, newAnswerRow, newNumericRow, newOption, toBody, toDraft, withType } from './types/draft';

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
