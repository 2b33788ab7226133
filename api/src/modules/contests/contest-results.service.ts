/**
 * Contest results: the per-person rows of `contest_result` (points, rank, percentile, team) that the assessment
 * record reads, how they are written for a knowledge contest, how a host reads them (with team standings) and
 * exports them as CSV or XLSX.
 *
 * Ranks and percentiles come from the shared rules in contest-scoring.ts: standard-competition ranks with the
 * contest's tie-break, percentiles over the people who played (answered at least once); those who joined and never
 * answered get no result. A manager sees only the people of their own subtree, and only contests that concern it;
 * any other contest answers 404, like one that does not exist.
 */
import type { EntityManager } from '@mikro-orm/core';
import type { Actor } from '../../access/actor.js';
import { scopeCondition, scopeOf, type Scope } from '../../access/scope.js';
import { notFound } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { exec, query, queryOne, sql } from '../../lib/sql.js';
import { guardCell, writeCsv } from '../../lib/text-file.js';
import { Contest, type IContest } from './contest.entity.js';
import { rankStandings, teamMeans, type TieBreak } from './contest-scoring.js';
import './contest-results-messages.js';

export interface ResultRow {
  userId: string; points: number; rank: number; percentile: number; teamUnitId: string | null;
}

/** Ranks standings and gives every row the count of players; the rows written to `contest_result`. */
export function rankResults(rows: readonly { userId: string; points: number; totalMs: number; teamUnitId: string | null }[], tieBreak: TieBreak): ResultRow[] {
  return rankStandings(rows.map((r) => ({ ...r, id: r.userId })), tieBreak)
    .map(({ row, rank, percentile }) => ({ userId: row.userId, points: row.points, rank, percentile, teamUnitId: row.teamUnitId }));
}

/** Replaces a contest's `contest_result` rows by these, in one transaction (rerunning it writes the same rows). */
export async function replaceResults(em: EntityManager, contest: Pick<IContest, 'id' | 'period' | 'kind'>, rows: readonly ResultRow[]): Promise<void> {
  // An array's elements are text: a missing team is '' there and null in the row.
  await em.transactional(async (tx) => {
    await exec(tx, sql`delete from contest_result where contest_id = ${contest.id}`);
    if (!rows.length) return;
    await exec(tx, sql`
      insert into contest_result (contest_id, user_id, period, kind, points, rank, players, percentile, team_unit_id)
      select ${contest.id}, r.user_id, ${contest.period}, ${contest.kind}, r.points, r.rank, ${rows.length}, r.percentile, nullif(r.team_unit_id, '')::uuid
        from unnest(${rows.map((r) => r.userId)}::uuid[], ${rows.map((r) => String(r.points))}::numeric[], ${rows.map((r) => String(r.rank))}::int[],
                    ${rows.map((r) => String(r.percentile))}::numeric[], ${rows.map((r) => r.teamUnitId ?? '')}::text[])
             as r(user_id, points, rank, percentile, team_unit_id)`);
  });
}

/** What writing results needs of a contest, read in the caller's transaction (the finishing engine's, say). */
const contestRow = (em: EntityManager, id: string) => queryOne<Pick<IContest, 'id' | 'period' | 'kind' | 'tieBreak' | 'mode'>>(em, sql`
  select id, period, kind, tie_break as "tieBreak", mode from contest where id = ${id}`);

/**
 * Writes a live or time-boxed contest's results from its players' standings: points are the score, the tie-break is
 * the contest's (`time`: less total answer time first), and only players who answered at least once count. Called
 * when a live contest finishes or a time-boxed one closes; idempotent. Returns the number of results.
 */
export async function writeKnowledgeResults(em: EntityManager, contestId: string): Promise<number> {
  const contest = await contestRow(em, contestId);
  if (!contest || contest.kind === 'speech') throw notFound('contest');
  const players = await query<{ user_id: string; score: number; total_ms: number; team_unit_id: string | null }>(em, sql`
    select user_id, score, total_ms::float8 as total_ms, team_unit_id from contest_player
     where contest_id = ${contestId} and answered_count > 0`);
  const rows = rankResults(players.map((p) => ({ userId: p.user_id, points: p.score, totalMs: Number(p.total_ms), teamUnitId: p.team_unit_id })), contest.tieBreak);
  await replaceResults(em, contest, rows);
  return rows.length;
}

/**
 * Writes a speech contest's results from its speakers' final scores (speakers not yet scored are left out); equal
 * scores share a place. Idempotent. Returns the number of results.
 */
export async function writeSpeechResults(em: EntityManager, contestId: string): Promise<number> {
  const contest = await contestRow(em, contestId);
  if (!contest || contest.kind !== 'speech') throw notFound('contest');
  const speakers = await query<{ user_id: string; final_score: number; org_unit_id: string }>(em, sql`
    select s.user_id, s.final_score::float8 as final_score, u.org_unit_id from speech_speaker s join app_user u on u.id = s.user_id
     where s.contest_id = ${contestId} and s.final_score is not null`);
  const rows = rankResults(speakers.map((s) => ({
    userId: s.user_id, points: s.final_score, totalMs: 0, teamUnitId: contest.mode === 'team' ? s.org_unit_id : null,
  })), 'shared');
  await replaceResults(em, contest, rows);
  return rows.length;
}

export interface ContestRecord {
  userId: string; contestId: string; kind: string; title: string; period: string;
  points: number; rank: number; players: number; percentile: number; teamUnitId: string | null;
}

/**
 * Each person's contest results in the periods [from, to] (YYYY-MM), for the assessment record: one row per person
 * per contest, limited to the people the actor's scope holds (a manager: their subtree; staff: themselves). In
 * period order, then by person.
 */
export async function contestRecords(em: EntityManager, actor: Actor, range: { from: string; to: string; lang?: Lang }): Promise<ContestRecord[]> {
  const scope = await scopeOf(em, actor);
  const rows = await query<{
    user_id: string; contest_id: string; kind: string; title_zh: string; title_en: string; period: string;
    points: number; rank: number; players: number; percentile: number; team_unit_id: string | null;
  }>(em, sql`
    select r.user_id, r.contest_id, c.kind, c.title_zh, c.title_en, r.period, r.points::float8 as points, r.rank, r.players,
           r.percentile::float8 as percentile, r.team_unit_id
      from contest_result r join contest c on c.id = r.contest_id
      join app_user u on u.id = r.user_id join org_unit o on o.id = u.org_unit_id
     where r.period between ${range.from} and ${range.to}
       and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}
     order by r.period, coalesce(c.finished_at, c.published_at, c.created_at), c.id, u.username`);
  return rows.map((r) => ({
    userId: r.user_id, contestId: r.contest_id, kind: r.kind, title: range.lang === 'en' && r.title_en ? r.title_en : r.title_zh,
    period: r.period, points: r.points, rank: r.rank, players: r.players, percentile: r.percentile, teamUnitId: r.team_unit_id,
  }));
}

/** The contest, if the actor may see its results: a manager when it was made in their subtree or reaches into it. */
async function contestForResults(em: EntityManager, actor: Actor, contestId: string): Promise<{ contest: IContest; scope: Scope }> {
  const scope = await scopeOf(em, actor);
  const contest = await em.findOne(Contest, { id: contestId });
  if (!contest || scope.kind === 'none' || scope.kind === 'self') throw notFound('contest');
  if (scope.kind === 'subtree' && contest.scopePath && !contest.scopePath.startsWith(scope.path) && !scope.path.startsWith(contest.scopePath)) {
    throw notFound('contest');
  }
  return { contest, scope };
}

export interface ContestPersonResult {
  userId: string; username: string; displayName: string; unitId: string; unitName: string;
  points: number; rank: number; percentile: number; teamUnitId: string | null; teamName: string | null;
}
export interface ContestTeamResult { teamUnitId: string; teamName: string; members: number; points: number; rank: number }
export interface ContestResults {
  contest: { id: string; kind: string; title: string; period: string; status: string; mode: string; tieBreak: string };
  players: number;
  people: ContestPersonResult[];
  /** Team standings (the mean points of the members who played) when the contest is played in teams. */
  teams: ContestTeamResult[];
}

export async function getContestResults(em: EntityManager, actor: Actor, contestId: string, lang: Lang): Promise<ContestResults> {
  const { contest, scope } = await contestForResults(em, actor, contestId);
  const unitName = (zh: string | null, en: string | null) => (lang === 'en' && en ? en : zh ?? '');
  const all = await query<{
    user_id: string; username: string; display_name: string; unit_id: string; unit_name: string; unit_name_en: string | null;
    points: number; rank: number; players: number; percentile: number; team_unit_id: string | null; team_name: string | null;
    team_name_en: string | null; in_scope: boolean;
  }>(em, sql`
    select u.id as user_id, u.username, u.display_name, o.id as unit_id, o.name as unit_name, o.name_en as unit_name_en,
           r.points::float8 as points, r.rank, r.players, r.percentile::float8 as percentile, r.team_unit_id,
           t.name as team_name, t.name_en as team_name_en, ${scopeCondition(scope, sql`o.path`, sql`u.id`)} as in_scope
      from contest_result r join app_user u on u.id = r.user_id join org_unit o on o.id = u.org_unit_id
      left join org_unit t on t.id = r.team_unit_id
     where r.contest_id = ${contest.id}
     order by r.rank, u.username`);
  const people = all.filter((r) => r.in_scope).map((r) => ({
    userId: r.user_id, username: r.username, displayName: r.display_name, unitId: r.unit_id, unitName: unitName(r.unit_name, r.unit_name_en),
    points: r.points, rank: r.rank, percentile: r.percentile, teamUnitId: r.team_unit_id,
    teamName: r.team_unit_id ? unitName(r.team_name, r.team_name_en) : null,
  }));
  const teamNames = new Map(all.filter((r) => r.team_unit_id).map((r) => [r.team_unit_id!, unitName(r.team_name, r.team_name_en)]));
  const means = contest.mode === 'team' ? teamMeans(all.map((r) => ({ teamId: r.team_unit_id, points: r.points, played: true }))) : [];
  const ranked = rankStandings(means.map((m) => ({ ...m, id: m.teamId, totalMs: 0 })), 'shared');
  return {
    contest: {
      id: contest.id, kind: contest.kind, title: lang === 'en' && contest.titleEn ? contest.titleEn : contest.titleZh, period: contest.period,
      status: contest.status, mode: contest.mode, tieBreak: contest.tieBreak,
    },
    players: all[0]?.players ?? 0,
    people,
    teams: ranked.map(({ row, rank }) => ({ teamUnitId: row.teamId, teamName: teamNames.get(row.teamId) ?? '', members: row.members, points: row.points, rank })),
  };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let excel: Promise<typeof import('exceljs')> | undefined;
const loadExcel = () => (excel ??= import('exceljs').then((m) => m.default as unknown as typeof import('exceljs')));

/** The per-person results as a file: CSV (UTF-8 with BOM) or XLSX, headers in the user's language. */
export async function exportContestResults(em: EntityManager, actor: Actor, contestId: string, format: 'csv' | 'xlsx', lang: Lang) {
  const results = await getContestResults(em, actor, contestId, lang);
  const header = ['username', 'name', 'unit', 'points', 'rank', 'players', 'percentile', 'team'].map((k) => t(lang, `contest_results.col.${k}`));
  const base = `${results.contest.period}-${results.contest.title}`.replace(/[\\/:*?"<>|\s]+/g, '-');
  if (format === 'csv') {
    const rows = results.people.map((p) => [p.username, p.displayName, p.unitName, String(p.points), String(p.rank), String(results.players),
      String(p.percentile), p.teamName ?? '']);
    return { mime: 'text/csv; charset=utf-8', filename: `${base}.csv`, data: writeCsv([header, ...rows]) };
  }
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(lang === 'zh' ? '竞赛成绩' : 'results', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(header).font = { bold: true };
  for (const p of results.people) {
    ws.addRow([guardCell(p.username), guardCell(p.displayName), guardCell(p.unitName), p.points, p.rank, results.players, p.percentile,
      p.teamName === null ? '' : guardCell(p.teamName)]);
  }
  ws.columns.forEach((c) => { c.width = 16; });
  return { mime: XLSX, filename: `${base}.xlsx`, data: Buffer.from(await wb.xlsx.writeBuffer()) };
}
