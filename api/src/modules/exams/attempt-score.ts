/**
 * An attempt's total, from its graded slots: the one place that turns `attempt_question` grades into the attempt's
 * score, whether it still waits for a person, and whether it passed. Submitting, finalising at the deadline, manual
 * grading and regrading all end here, so the total is always what the slots say.
 */
import type { EntityManager } from '@mikro-orm/core';
import { query, sql } from '../../lib/sql.js';

export interface AttemptTotal { attemptId: string; score: number | null; maxScore: number; needsGrading: boolean; passed: boolean | null }

/**
 * Recomputes the totals of the given attempts (finished ones only: an attempt in progress keeps no score). While a
 * slot waits for a person the score shown is what is graded so far and `passed` stays null. Returns the new totals.
 */
export async function recomputeAttempts(em: EntityManager, attemptIds: readonly string[]): Promise<AttemptTotal[]> {
  if (!attemptIds.length) return [];
  const rows = await query<{ id: string; score: string | null; max_score: string; needs_grading: boolean; passed: boolean | null }>(em, sql`
    update exam_attempt a
       set score = t.score, max_score = t.max_score, needs_grading = t.needs_grading,
           passed = case when t.needs_grading then null else t.score >= e.pass_mark end
      from (select q.attempt_id, coalesce(sum(q.score), 0) as score, coalesce(sum(q.points), 0) as max_score,
                   bool_or(q.needs_grading) as needs_grading
              from attempt_question q where q.attempt_id = any(${[...attemptIds]}::uuid[]) group by q.attempt_id) t,
           exam e
     where a.id = t.attempt_id and e.id = a.exam_id and a.status <> 'in_progress'
     returning a.id, a.score, a.max_score, a.needs_grading, a.passed`);
  return rows.map((r) => ({
    attemptId: r.id, score: r.score == null ? null : Number(r.score), maxScore: Number(r.max_score), needsGrading: r.needs_grading, passed: r.passed,
  }));
}
