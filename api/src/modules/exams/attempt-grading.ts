/**
 * Grading an attempt's stored answers by the question bank's one scorer, and finishing attempts nobody submitted.
 *
 * Finishing is a state change made by one `update … where status = 'in_progress'` inside the transaction that also
 * grades: whichever process (or request) makes the change grades, every other one finds nothing to change. A process
 * killed in the middle rolls its transaction back, so the attempt is still in progress and the next run takes it:
 * each attempt is finalised exactly once.
 */
import type { EntityManager } from '@mikro-orm/core';
import { query, sql } from '../../lib/sql.js';
import { joinQuestion } from '../questions/question-store.js';
import { scoreResponse } from '../questions/scoring.js';
import type { Lang, Question } from '../questions/question-model.js';
import { recomputeAttempts } from './attempt-score.js';

interface SlotRow { attempt_id: string; slot: number; points: string; question_version_id: string; response: Record<string, unknown> | null }

/**
 * Questions as the scorer reads them, by version, kept by this process: a version an attempt uses never changes, so
 * thousands of submissions of the same exam read and normalise each of its questions once.
 */
const QUESTION_CACHE_MAX = 5000;
const questionCache = new Map<string, Question>();

export async function questionsOf(em: EntityManager, versionIds: readonly string[]): Promise<Map<string, Question>> {
  const out = new Map<string, Question>();
  const missing: string[] = [];
  for (const id of new Set(versionIds)) {
    const hit = questionCache.get(id);
    if (hit) out.set(id, hit);
    else missing.push(id);
  }
  if (missing.length) {
    const rows = await query<{ id: string; content: Record<string, unknown>; key: string; language: Lang; tags: string[] }>(em, sql`
      select v.id, v.content, q.key, q.language, q.tags from question_version v join question q on q.id = v.question_id
       where v.id = any(${missing}::uuid[])`);
    for (const r of rows) {
      const question = joinQuestion(r.content, { key: r.key, language: r.language, tags: r.tags ?? [], modules: [] });
      if (questionCache.size >= QUESTION_CACHE_MAX) questionCache.delete(questionCache.keys().next().value!);
      questionCache.set(r.id, question);
      out.set(r.id, question);
    }
  }
  return out;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Scores every slot of the given attempts from their saved answers (unanswered slots score 0), then their totals. */
export async function gradeAttempts(em: EntityManager, attemptIds: readonly string[]): Promise<void> {
  if (!attemptIds.length) return;
  const rows = await query<SlotRow>(em, sql`
    select s.attempt_id, s.slot, s.points, s.question_version_id, a.response
      from attempt_question s left join attempt_answer a on a.attempt_id = s.attempt_id and a.slot = s.slot
     where s.attempt_id = any(${[...attemptIds]}::uuid[])`);
  const questions = await questionsOf(em, rows.map((r) => r.question_version_id));
  const grades = rows.map((r) => {
    const question = questions.get(r.question_version_id)!;
    const result = scoreResponse(question, r.response ?? {});
    const points = Number(r.points);
    if (result.needsGrading) {
      return { attempt_id: r.attempt_id, slot: r.slot, score: 0, fraction: null, correct: null, needs_grading: r.response !== null && hasText(r.response) };
    }
    const fraction = result.fraction ?? 0;
    return { attempt_id: r.attempt_id, slot: r.slot, score: round2(points * fraction), fraction, correct: result.correct, needs_grading: false };
  });
  if (grades.length) {
    await query(em, sql`
      update attempt_question s set score = g.score, fraction = g.fraction, correct = g.correct, needs_grading = g.needs_grading
        from jsonb_to_recordset(${JSON.stringify(grades)}::jsonb)
             as g(attempt_id uuid, slot int, score numeric, fraction numeric, correct boolean, needs_grading boolean)
       where s.attempt_id = g.attempt_id and s.slot = g.slot and s.graded_by is null`);
  }
  await recomputeAttempts(em, attemptIds);
}

/** A written answer with something in it waits for a grader; an empty one scores 0 at once. */
const hasText = (response: Record<string, unknown>) => typeof response.text === 'string' && response.text.trim() !== '';

/**
 * Finalises the given attempts (or, with none given, up to `limit` overdue ones) whose deadline and grace have
 * passed at `now`: in one transaction, marks them finished by the deadline and grades them. Returns the ids it
 * finalised; attempts another process took meanwhile are skipped.
 */
export async function finaliseOverdue(em: EntityManager, now: Date, opts: { attemptIds?: readonly string[]; limit?: number } = {}): Promise<string[]> {
  const limit = opts.limit ?? 200;
  return em.transactional(async (tx) => {
    const only = opts.attemptIds ? sql`and a.id = any(${[...opts.attemptIds]}::uuid[])` : sql``;
    const done = await query<{ id: string }>(tx, sql`
      update exam_attempt t set status = 'finalised', finished_by = 'deadline', submitted_at = least(t.deadline_at, ${now}::timestamptz)
       where t.id in (
         select a.id from exam_attempt a join exam e on e.id = a.exam_id
          where a.status = 'in_progress' and a.deadline_at + make_interval(secs => e.grace_seconds) < ${now}::timestamptz ${only}
          order by a.deadline_at limit ${limit} for update of a skip locked)
         and t.status = 'in_progress'
      returning t.id`);
    const ids = done.map((r) => r.id);
    if (!ids.length) return ids;
    await query(tx, sql`insert into attempt_event (id, attempt_id, kind, received_at)
      select gen_random_uuid(), x, 'finalised', ${now}::timestamptz from unnest(${ids}::uuid[]) as x`);
    await gradeAttempts(tx, ids);
    return ids;
  });
}

/** Runs finaliseOverdue until nothing is left (each batch its own transaction). */
export async function finaliseAllOverdue(em: EntityManager, now: Date, batch = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await finaliseOverdue(em, now, { limit: batch });
    total += ids.length;
    if (ids.length < batch) return total;
  }
}
