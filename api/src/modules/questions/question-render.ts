/**
 * Render once: a question version's learner view and answer view become sanitised HTML when the version is written
 * (question-store.ts), and are kept with it in `question_version.rendered`. Reads serve what is kept; they render
 * only a question that is not saved (the editor's live preview). A version written before the column existed, or by
 * an older renderer, is rendered again at start (`renderMissingVersions`, run by the bank sync).
 */
import type { EntityManager } from '@mikro-orm/core';
import { query, sql } from '../../lib/sql.js';
import type { Question } from './types/index.js';
import { answerView, learnerView, type AnswerView, type LearnerView } from './question-view.js';

/**
 * Raised whenever what rendering produces changes (the markdown pipeline, the sanitiser's allow-list, a view's
 * shape), so that every kept rendering is made again at the next start.
 */
export const RENDER_VERSION = 1;

export interface Preview { learner: LearnerView; answer: AnswerView }
export interface RenderedVersion extends Preview { v: number }

/** The views of a question; the seed (a version's content hash) fixes its shuffles, so a version always looks the same. */
export function previewOf(q: Question, seed: string): Preview {
  return { learner: learnerView(q, seed), answer: answerView(q) };
}

export function renderVersion(q: Question, contentHash: string): RenderedVersion {
  return { v: RENDER_VERSION, ...previewOf(q, contentHash) };
}

const isCurrent = (r: unknown): r is RenderedVersion =>
  typeof r === 'object' && r !== null && (r as { v?: unknown }).v === RENDER_VERSION
  && typeof (r as { learner?: unknown }).learner === 'object' && typeof (r as { answer?: unknown }).answer === 'object';

/** What a stored version shows: its kept rendering, or (only until the start-up repair has run) a fresh one. */
export function storedPreview(rendered: unknown, q: Question, contentHash: string): Preview {
  if (isCurrent(rendered)) return { learner: rendered.learner, answer: rendered.answer };
  return previewOf(q, contentHash);
}

interface UnrenderedRow { id: string; content: Record<string, unknown>; content_hash: string }

/**
 * Renders every version that has no current rendering, in batches. `toQuestion` turns a version's content into the
 * question it renders (question-store.ts `joinQuestion`; rendering uses no identity field). Returns how many.
 */
export async function renderMissingVersions(em: EntityManager, toQuestion: (content: Record<string, unknown>) => Question, batch = 200): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await query<UnrenderedRow>(em, sql`
      select id, content, content_hash from question_version
       where rendered is null or coalesce(rendered->>'v', '') <> ${String(RENDER_VERSION)}
       order by id limit ${batch}`);
    if (!rows.length) return done;
    const rendered = rows.map((r) => ({ id: r.id, rendered: renderVersion(toQuestion(r.content), r.content_hash) }));
    await query(em, sql`
      update question_version v set rendered = x.rendered
        from jsonb_to_recordset(${JSON.stringify(rendered)}::jsonb) as x(id uuid, rendered jsonb) where v.id = x.id`);
    done += rows.length;
    if (rows.length < batch) return done;
  }
}
