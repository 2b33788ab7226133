import type { EntityManager } from '@mikro-orm/core';
import { exec, query, sql } from '../../lib/sql.js';
import { rankStandings, type TieBreak } from './contest-scoring.js';

/**
 * A finished knowledge contest's results for the assessment record: players who answered at least once, ranked by
 * the contest's tie-break rule, with percentile and team; replaces any rows written before (idempotent).
 */
export async function writeFinishedResults(em: EntityManager, contestId: string): Promise<void> {
  const [c] = await query<{ period: string; kind: string; tie_break: TieBreak }>(em, sql`
    select period, kind, tie_break from contest where id = ${contestId}`);
  if (!c) return;
  const rows = await query<{ user_id: string; score: number; total_ms: string; team_unit_id: string | null }>(em, sql`
    select user_id, score, total_ms, team_unit_id from contest_player where contest_id = ${contestId} and answered_count > 0`);
  const ranked = rankStandings(rows.map((r) => ({ ...r, id: r.user_id, points: r.score, totalMs: Number(r.total_ms) })), c.tie_break);
  await exec(em, sql`delete from contest_result where contest_id = ${contestId}`);
  if (!ranked.length) return;
  await exec(em, sql`
    insert into contest_result (contest_id, user_id, period, kind, points, rank, players, percentile, team_unit_id)
    select ${contestId}, u, ${c.period}, ${c.kind}, p, r, ${ranked.length}, pc, t
      from unnest(${ranked.map((r) => r.row.user_id)}::uuid[], ${ranked.map((r) => r.row.score)}::numeric[], ${ranked.map((r) => r.rank)}::int[],
                  ${ranked.map((r) => r.percentile)}::numeric[], ${ranked.map((r) => r.row.team_unit_id)}::uuid[]) as x(u, p, r, pc, t)`);
}
