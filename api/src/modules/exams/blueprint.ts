import type { EntityManager } from '@mikro-orm/core';
import type { FieldIssue } from '../../lib/errors.js';
import { query, sql } from '../../lib/sql.js';

/** One line of a blueprint as the API takes it: a fixed question, or a random draw from a category and/or tag. */
export type BlueprintItem =
  | { kind: 'fixed'; questionId: string; points?: number | null }
  | { kind: 'random'; categoryId?: string | null; tag?: string | null; difficulty?: number | null; drawCount: number; points?: number | null };

/** A line as the API takes it (one shape for both kinds). */
export interface BlueprintInput {
  kind: 'fixed' | 'random'; questionId?: string | null; categoryId?: string | null; tag?: string | null; difficulty?: number | null;
  drawCount?: number; points?: number | null;
}

/** Lines as sent, in the blueprint's own shape; a fixed line without its question is said at its field. */
export function blueprintOf(items: readonly BlueprintInput[], issues: FieldIssue[]): BlueprintItem[] {
  return items.map((i, n) => {
    if (i.kind === 'fixed') {
      if (!i.questionId) issues.push({ path: `items.${n}.questionId`, reason: 'field.required' });
      return { kind: 'fixed', questionId: i.questionId ?? '00000000-0000-0000-0000-000000000000', points: i.points ?? null };
    }
    return { kind: 'random', categoryId: i.categoryId ?? null, tag: i.tag ?? null, difficulty: i.difficulty ?? null, drawCount: i.drawCount ?? 1, points: i.points ?? null };
  });
}

/** What the bank holds for one line: for a draw, its pool of active questions; for both, the points it is worth. */
export interface ItemFacts {
  /** Active questions the line may take (a fixed line: 1 when its question is active, else 0). */
  poolSize: number;
  /** Points the line is worth for everyone: its own points times its count, or the least its questions can sum to. */
  points: number;
  /** The question (fixed) or the category (draw) named exists. */
  found: boolean;
}

/** The pool of a draw: active questions with a current version in the category's subtree, with the tag and difficulty. */
async function poolOf(em: EntityManager, item: Extract<BlueprintItem, { kind: 'random' }>) {
  const categoryId = item.categoryId ?? null;
  const tag = item.tag?.trim() || null;
  const difficulty = item.difficulty ?? null;
  const [cat] = categoryId ? await query<{ path: string }>(em, sql`select path from question_category where id = ${categoryId}::uuid`) : [];
  if (categoryId && !cat) return { found: false, points: [] as number[] };
  const rows = await query<{ points: string | number }>(em, sql`
    select v.points from question q join question_version v on v.id = q.current_version_id
      left join question_category c on c.id = q.category_id
     where q.status = 'active'
       and (${cat?.path ?? null}::text is null or c.path like ${cat?.path ?? null}::text || '%')
       and (${tag}::text is null or ${tag}::text = any(q.tags))
       and (${difficulty}::int is null or v.difficulty = ${difficulty}::int)
     order by v.points`);
  return { found: true, points: rows.map((r) => Number(r.points)) };
}

/** Facts about each line of a blueprint, in order. */
export async function blueprintFacts(em: EntityManager, items: readonly BlueprintItem[]): Promise<ItemFacts[]> {
  const fixedIds = items.flatMap((i) => (i.kind === 'fixed' ? [i.questionId] : []));
  const fixed = fixedIds.length
    ? await query<{ id: string; status: string; points: string | number | null }>(em, sql`
        select q.id, q.status, v.points from question q left join question_version v on v.id = q.current_version_id
         where q.id = any(${fixedIds}::uuid[])`)
    : [];
  const byId = new Map(fixed.map((q) => [q.id, q]));
  const out: ItemFacts[] = [];
  for (const item of items) {
    if (item.kind === 'fixed') {
      const q = byId.get(item.questionId);
      const active = !!q && q.status === 'active' && q.points !== null;
      out.push({ found: !!q, poolSize: active ? 1 : 0, points: item.points ?? (q?.points == null ? 0 : Number(q.points)) });
    } else {
      const pool = await poolOf(em, item);
      const least = pool.points.slice(0, item.drawCount).reduce((s, p) => s + p, 0);
      out.push({ found: pool.found, poolSize: pool.points.length, points: item.points != null ? item.points * item.drawCount : least });
    }
  }
  return out;
}

/**
 * Checks a blueprint against the bank: named questions and categories exist, a fixed question is active, a draw names
 * a category or a tag and its pool holds at least `drawCount` questions. Returns the facts and the maximum points.
 */
export async function checkBlueprint(em: EntityManager, items: readonly BlueprintItem[], issues: FieldIssue[]) {
  const facts = await blueprintFacts(em, items);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const f = facts[i];
    if (item.kind === 'fixed') {
      if (!f.found) issues.push({ path: `items.${i}.questionId`, reason: 'exam.unknown_question' });
      else if (f.poolSize === 0) issues.push({ path: `items.${i}.questionId`, reason: 'exam.question_not_active' });
      else if (seen.has(item.questionId)) issues.push({ path: `items.${i}.questionId`, reason: 'exam.question_twice' });
      seen.add(item.questionId);
    } else if (!item.categoryId && !item.tag?.trim()) {
      issues.push({ path: `items.${i}.categoryId`, reason: 'exam.draw_needs_source' });
    } else if (!f.found) {
      issues.push({ path: `items.${i}.categoryId`, reason: 'exam.unknown_category' });
    } else if (f.poolSize < item.drawCount) {
      issues.push({ path: `items.${i}.drawCount`, reason: 'exam.pool_too_small', params: { pool: f.poolSize, count: item.drawCount } });
    }
  });
  const maxPoints = Math.round(facts.reduce((s, f) => s + f.points, 0) * 100) / 100;
  return { facts, maxPoints };
}
