/**
 * Knowledge contests: defining them, and the live engine.
 *
 * A live contest's state lives on its `contest` row: the current question, when its window opened and closes (the
 * server's clock decides; a paused question has no closing time and keeps the time it had left). An open question
 * whose closing time has passed is closed, whoever looks: the first reader (a timer in any process, the host's next
 * click, a state request) settles it in one transaction that locks the row, scoring every answer with the stated rule
 * (contest-scoring.ts); everyone else finds it settled. Answers are scored for correctness when they arrive and get
 * their points when the question is settled, because the streak bonus depends on the question before.
 *
 * Every change that others must see is followed by a notification (contest-events.ts), which each process turns into
 * fresh state for the screens connected to it.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { AppError, invalid, notFound, type FieldIssue } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { exec, query, queryOne, sql } from '../../lib/sql.js';
import { activeLearner, audienceOf, audienceReaches, personOf } from '../../access/audience.js';
import { scopeCondition, scopeOf, scopePathOf, unitScopeCondition, type Scope } from '../../access/scope.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { scoreResponse } from '../questions/scoring.js';
import { answerView } from '../questions/question-view.js';
import { joinQuestion } from '../questions/question-store.js';
import type { Lang as QLang } from '../questions/question-model.js';
import { questionsOf } from '../exams/attempt-grading.js';
import { keyOf, learnerSlot, learnerViews } from '../exams/attempts.service.js';
import { Contest, ContestQuestion, type IContest } from './contest.entity.js';
import { answerPoints, rankStandings, teamMeans, type ScoringRule } from './contest-scoring.js';
import type { AdvanceInput, AnswerInput, CreateContestInput, ContestStateT, JoinInput } from './contests.schemas.js';
import { CHANNEL, notifyContest } from './contest-notify.js';
import { writeKnowledgeResults } from './contest-results.service.js';
import './contests-messages.js';

/** Question types a contest can ask: answered in seconds and scored by the machine. */
export const CONTEST_TYPES = ['single_choice', 'multiple_choice', 'true_false', 'fill_blank'] as const;

const refused = (lang: Lang, reason: string, path: string, status = 409) =>
  new AppError(status, 'conflict', { reason: t(lang, reason) }, [{ path, reason }]);

const titleOf = (c: { titleZh: string; titleEn: string }, lang: Lang) => (lang === 'en' && c.titleEn ? c.titleEn : c.titleZh);
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

/** Contests a host may see and run: all for whole-organisation roles; a manager's, those made in their subtree. */
const hostable = (scope: Scope) =>
  scope.kind === 'all' ? sql`true` : scope.kind === 'subtree' ? sql`(c.scope_path like ${scope.path} || '%')` : sql`false`;

/** Whether a contest `c` is open to a person `u`/`o`: its audience reaches them, or it has none and they are in its scope. */
const reaches = sql`(${activeLearner('u')} and case
  when cardinality(c.positions) = 0 and cardinality(c.org_unit_ids) = 0 and cardinality(c.user_ids) = 0
    then (c.scope_path is null or o.path like c.scope_path || '%')
  else ${audienceReaches(audienceOf('c'), personOf('u', 'o'))} end)`;

const ruleOf = (c: Pick<IContest, 'basePoints' | 'speedBonus' | 'streakBonus' | 'streakCap'>): ScoringRule =>
  ({ basePoints: c.basePoints, speedBonus: c.speedBonus, streakBonus: c.streakBonus, streakCap: c.streakCap });

const rulesView = (c: IContest) => ({
  answerSeconds: c.answerSeconds, basePoints: c.basePoints, speedBonus: c.speedBonus, streakBonus: c.streakBonus,
  streakCap: c.streakCap, tieBreak: c.tieBreak, mode: c.mode,
});

// ---------------------------------------------------------------------------------------------------------------
// Defining

async function newJoinCode(em: EntityManager): Promise<string> {
  for (;;) {
    const code = String(randomInt(100000, 1000000));
    const taken = await queryOne<{ n: number }>(em, sql`select 1 as n from contest where join_code = ${code}`);
    if (!taken) return code;
  }
}

/** Active questions of the contest types matching a draw, in random order. */
async function drawPool(em: EntityManager, draw: NonNullable<CreateContestInput['draw']>, exclude: readonly string[]) {
  const cats = draw.categoryIds?.length
    ? await query<{ path: string }>(em, sql`select path from question_category where id = any(${draw.categoryIds}::uuid[])`) : [];
  const paths = cats.map((c) => c.path);
  return query<{ question_id: string; version_id: string }>(em, sql`
    select q.id as question_id, v.id as version_id from question q join question_version v on v.id = q.current_version_id
      left join question_category c on c.id = q.category_id
     where q.status = 'active' and v.type = any(${[...CONTEST_TYPES]}::text[])
       and (cardinality(${paths}::text[]) = 0 or exists (select 1 from unnest(${paths}::text[]) p where c.path like p || '%'))
       and (cardinality(${draw.tags ?? []}::text[]) = 0 or q.tags && ${draw.tags ?? []}::text[])
       and (${draw.difficulty ?? null}::int is null or v.difficulty = ${draw.difficulty ?? null}::int)
       and not (q.id = any(${[...exclude]}::uuid[]))
     order by random()`);
}

export async function createContest(em: EntityManager, actor: Actor, input: CreateContestInput, now: Date, lang: Lang) {
  const scope = await scopeOf(em, actor);
  const issues: FieldIssue[] = [];
  if (!input.titleZh.trim()) issues.push({ path: 'titleZh', reason: 'field.required' });
  const opensAt = input.opensAt ? new Date(input.opensAt) : null;
  const closesAt = input.closesAt ? new Date(input.closesAt) : null;
  if (input.kind === 'timed') {
    if (!opensAt) issues.push({ path: 'opensAt', reason: 'field.required' });
    if (!closesAt) issues.push({ path: 'closesAt', reason: 'field.required' });
    if (opensAt && closesAt && closesAt <= opensAt) issues.push({ path: 'closesAt', reason: 'contest.closes_before_opens' });
    if (!input.draw) issues.push({ path: 'draw', reason: 'contest.timed_needs_draw' });
  }
  if (input.draw && !input.draw.categoryIds?.length && !input.draw.tags?.length) issues.push({ path: 'draw', reason: 'contest.draw_needs_source' });
  if (input.orgUnitIds?.length) {
    const ok = new Set((await query<{ id: string }>(em, sql`select u.id from org_unit u where u.id = any(${[...new Set(input.orgUnitIds)]}::uuid[])
      and u.archived_at is null and ${unitScopeCondition(scope, sql`u.path`)}`)).map((r) => r.id));
    input.orgUnitIds.forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `orgUnitIds.${i}`, reason: 'org_unit.unknown' }); });
  }
  if (input.userIds?.length) {
    const ok = new Set((await query<{ id: string }>(em, sql`select u.id from app_user u join org_unit o on o.id = u.org_unit_id
      where u.id = any(${[...new Set(input.userIds)]}::uuid[]) and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`)).map((r) => r.id));
    input.userIds.forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `userIds.${i}`, reason: 'study.unknown_person' }); });
  }

  // A live contest's questions are fixed now: the chosen ones in order, then the draw.
  const versions: string[] = [];
  if (input.kind === 'live') {
    const ids = input.questionIds ?? [];
    const seen = new Set<string>();
    const found = ids.length ? new Map((await query<{ id: string; status: string; type: string | null; version_id: string | null }>(em, sql`
      select q.id, q.status, v.type, v.id as version_id from question q left join question_version v on v.id = q.current_version_id
       where q.id = any(${ids}::uuid[])`)).map((r) => [r.id, r])) : new Map<string, never>();
    ids.forEach((id, i) => {
      const q = found.get(id);
      if (seen.has(id)) issues.push({ path: `questionIds.${i}`, reason: 'contest.question_twice' });
      else if (!q) issues.push({ path: `questionIds.${i}`, reason: 'contest.unknown_question' });
      else if (q.status !== 'active' || !q.version_id) issues.push({ path: `questionIds.${i}`, reason: 'contest.question_not_active' });
      else if (!(CONTEST_TYPES as readonly string[]).includes(q.type ?? '')) issues.push({ path: `questionIds.${i}`, reason: 'contest.question_type' });
      else versions.push(q.version_id);
      seen.add(id);
    });
    if (input.draw && !issues.length) {
      const pool = await drawPool(em, input.draw, ids);
      if (pool.length < input.draw.count) issues.push({ path: 'draw.count', reason: 'contest.pool_too_small', params: { pool: pool.length, count: input.draw.count } });
      else versions.push(...pool.slice(0, input.draw.count).map((p) => p.version_id));
    }
    if (!issues.length && !versions.length) issues.push({ path: 'questionIds', reason: 'contest.no_questions' });
  } else if (input.draw && !issues.length) {
    const pool = await drawPool(em, input.draw, []);
    if (pool.length < input.draw.count) issues.push({ path: 'draw.count', reason: 'contest.pool_too_small', params: { pool: pool.length, count: input.draw.count } });
  }
  if (issues.length) throw invalid(issues);

  const id = randomUUID();
  await em.transactional(async (tx) => {
    tx.create(Contest, {
      id, kind: input.kind, titleZh: input.titleZh.trim(), titleEn: input.titleEn?.trim() ?? '',
      descriptionZh: input.descriptionZh ?? '', descriptionEn: input.descriptionEn ?? '', period: input.period,
      status: 'scheduled', mode: input.mode ?? 'individual', joinCode: input.kind === 'live' ? await newJoinCode(tx) : null,
      scheduledAt: input.scheduledAt ? new Date(input.scheduledAt) : null, opensAt, closesAt,
      answerSeconds: input.answerSeconds ?? 20, questionCount: input.kind === 'live' ? versions.length : input.draw?.count ?? 0,
      drawCategoryIds: input.draw?.categoryIds ?? [], drawTags: input.draw?.tags ?? [], drawDifficulty: input.draw?.difficulty ?? null,
      basePoints: input.basePoints ?? 1000, speedBonus: input.speedBonus ?? 0, streakBonus: input.streakBonus ?? 0,
      streakCap: input.streakCap ?? 5, tieBreak: input.tieBreak ?? 'time', trimMinJudges: 5, speakerSeconds: null,
      positions: input.positions ?? [], orgUnitIds: input.orgUnitIds ?? [], userIds: input.userIds ?? [], scopePath: scopePathOf(scope),
      currentIndex: null, phase: 'lobby', questionOpenedAt: null, questionClosesAt: null, pausedRemainingMs: null, stateVersion: 0,
      createdBy: actor.id, createdAt: now, updatedAt: now, startedAt: null, finishedAt: null, publishedAt: null,
    });
    // The contest row first: the ORM knows no relation between these entities to order the inserts by.
    await tx.flush();
    versions.forEach((questionVersionId, position) => tx.create(ContestQuestion, {
      contestId: id, position, questionVersionId, optionOrder: null, openedAt: null, closedAt: null, skipped: false,
    }));
    await tx.flush();
    if (versions.length) {
      await exec(tx, sql`insert into question_usage (id, question_version_id, used_by_type, used_by_id)
        select gen_random_uuid(), v, 'contest', ${id}::uuid from unnest(${versions}::uuid[]) v on conflict do nothing`);
    }
  });
  return getContest(em, actor, id, lang);
}

interface SummaryRow {
  id: string; kind: string; title_zh: string; title_en: string; period: string; status: string; phase: string; mode: string;
  join_code: string | null; scheduled_at: Date | null; opens_at: Date | null; closes_at: Date | null; question_count: number;
  players: number; created_at: Date;
}

const summaryOf = (r: SummaryRow, lang: Lang) => ({
  id: r.id, kind: r.kind, title: titleOf({ titleZh: r.title_zh, titleEn: r.title_en }, lang), titleZh: r.title_zh, titleEn: r.title_en,
  period: r.period, status: r.status, phase: r.phase, mode: r.mode, joinCode: r.join_code, scheduledAt: iso(r.scheduled_at),
  opensAt: iso(r.opens_at), closesAt: iso(r.closes_at), questionCount: r.question_count, players: r.players, createdAt: iso(r.created_at)!,
});

const SUMMARY = sql`c.id, c.kind, c.title_zh, c.title_en, c.period, c.status, c.phase, c.mode, c.join_code, c.scheduled_at, c.opens_at,
  c.closes_at, c.question_count, (select count(*)::int from contest_player p where p.contest_id = c.id) as players, c.created_at`;

export async function listContests(em: EntityManager, actor: Actor, filter: { kind?: string; period?: string }, lang: Lang) {
  const scope = await scopeOf(em, actor);
  const rows = await query<SummaryRow>(em, sql`select ${SUMMARY} from contest c
    where ${hostable(scope)} and c.status <> 'archived'
      and (${filter.kind ?? null}::text is null or c.kind = ${filter.kind ?? null}::text)
      and (${filter.period ?? null}::text is null or c.period = ${filter.period ?? null}::text)
    order by coalesce(c.scheduled_at, c.opens_at, c.created_at) desc limit 500`);
  return { items: rows.map((r) => summaryOf(r, lang)) };
}

async function hostedContest(em: EntityManager, actor: Actor, id: string): Promise<IContest> {
  const scope = await scopeOf(em, actor);
  const row = await queryOne<{ id: string }>(em, sql`select c.id from contest c where c.id = ${id} and ${hostable(scope)}`);
  if (!row) throw notFound('contest');
  return em.findOneOrFail(Contest, { id }, { refresh: true });
}

export async function getContest(em: EntityManager, actor: Actor, id: string, lang: Lang) {
  const c = await hostedContest(em, actor, id);
  const [summary] = await query<SummaryRow>(em, sql`select ${SUMMARY} from contest c where c.id = ${id}`);
  const qs = await query<{ position: number; question_version_id: string; skipped: boolean }>(em, sql`
    select position, question_version_id, skipped from contest_question where contest_id = ${id} order by position`);
  const views = await learnerViews(em, qs.map((q) => q.question_version_id));
  return {
    ...summaryOf(summary!, lang), descriptionZh: c.descriptionZh, descriptionEn: c.descriptionEn, rules: rulesView(c), editable: true,
    audience: { positions: c.positions, orgUnitIds: c.orgUnitIds, userIds: c.userIds },
    questions: qs.map((q) => ({ position: q.position, type: views.get(q.question_version_id)?.type ?? '', stemHtml: views.get(q.question_version_id)?.stemHtml ?? '', skipped: q.skipped })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Joining and answering

/** A contest a person may play, by id or join code: 404 when it does not exist or is not open to them. */
async function playable(em: EntityManager, actor: Actor, by: { id?: string; code?: string }) {
  const row = await queryOne<{ id: string; unit_id: string }>(em, sql`
    select c.id, u.org_unit_id as unit_id from contest c, app_user u join org_unit o on o.id = u.org_unit_id
     where u.id = ${actor.id} and c.kind in ('live','timed') and c.status <> 'archived'
       and (${by.id ?? null}::uuid is null or c.id = ${by.id ?? null}::uuid)
       and (${by.code ?? null}::text is null or c.join_code = ${by.code ?? null}::text)
       and ${reaches}`);
  if (!row) throw notFound('contest');
  return row;
}

export async function joinContest(em: EntityManager, actor: Actor, input: JoinInput, now: Date, lang: Lang) {
  const code = input.code?.replace(/\s+/g, '');
  if (!code && !input.contestId) throw invalid([{ path: 'code', reason: 'field.required' }]);
  const { id, unit_id } = await playable(em, actor, { id: input.contestId, code });
  const c = await em.findOneOrFail(Contest, { id }, { refresh: true });
  if (c.status === 'finished' || c.status === 'published') throw refused(lang, 'contest.already_finished', 'code');
  const inserted = await query<{ user_id: string }>(em, sql`
    insert into contest_player (contest_id, user_id, team_unit_id, joined_at) values (${id}, ${actor.id}, ${unit_id}, ${now})
    on conflict (contest_id, user_id) do nothing returning user_id`);
  if (inserted.length) await notifyContest(em, id, 'joined');
  return contestState(em, actor, id, now, lang);
}

/** The versions of a live contest's questions by position, kept by this process: they never change once made. */
const versionCache = new Map<string, Map<number, string>>();
async function versionAt(em: EntityManager, contestId: string, position: number): Promise<string | undefined> {
  let m = versionCache.get(contestId);
  if (!m || !m.has(position)) {
    const rows = await query<{ position: number; question_version_id: string }>(em, sql`
      select position, question_version_id from contest_question where contest_id = ${contestId}`);
    m = new Map(rows.map((r) => [r.position, r.question_version_id]));
    if (versionCache.size > 500) versionCache.clear();
    versionCache.set(contestId, m);
  }
  return m.get(position);
}

/**
 * One answer: scored for correctness now, kept only while this question's window is open (the server's clock) and
 * only the first time; points come when the question is settled. One statement checks the window and writes.
 */
export async function submitContestAnswer(em: EntityManager, actor: Actor, contestId: string, input: AnswerInput, now: Date, lang: Lang) {
  const versionId = await versionAt(em, contestId, input.position);
  const q = versionId ? (await questionsOf(em, [versionId])).get(versionId) : undefined;
  const fraction = q ? Math.max(0, Math.min(1, (() => { const r = scoreResponse(q, input.response); return r.max > 0 ? r.score / r.max : 0; })())) : 0;
  const row = await queryOne<{ recorded: boolean; answered_at: Date; elapsed_ms: number; open: boolean; player: boolean; phase: string; current_index: number | null; paused: boolean }>(em, sql`
    with c as (
      select c.id, c.phase, c.current_index, c.question_opened_at, c.question_closes_at, c.paused_remaining_ms
        from contest c where c.id = ${contestId} and c.kind = 'live' for share),
    p as (select 1 from contest_player where contest_id = ${contestId} and user_id = ${actor.id}),
    ok as (select c.* from c where c.phase = 'question' and c.current_index = ${input.position}
             and c.question_closes_at > ${now}::timestamptz and exists (select 1 from p)),
    ins as (
      insert into contest_answer (contest_id, position, user_id, response, answered_at, elapsed_ms, fraction, correct)
      select ok.id, ${input.position}, ${actor.id}, ${JSON.stringify(input.response)}::jsonb, ${now},
             greatest(0, floor(extract(epoch from (${now}::timestamptz - ok.question_opened_at)) * 1000))::int, ${fraction}, ${fraction >= 1}
        from ok
      on conflict (contest_id, position, user_id) do nothing
      returning answered_at, elapsed_ms)
    select (select count(*) from ins) > 0 as recorded,
           coalesce((select answered_at from ins), (select answered_at from contest_answer where contest_id = ${contestId} and position = ${input.position} and user_id = ${actor.id})) as answered_at,
           coalesce((select elapsed_ms from ins), (select elapsed_ms from contest_answer where contest_id = ${contestId} and position = ${input.position} and user_id = ${actor.id})) as elapsed_ms,
           exists (select 1 from ok) as open, exists (select 1 from p) as player,
           (select phase from c) as phase, (select current_index from c) as current_index,
           (select paused_remaining_ms is not null from c) as paused,
           -- Announced in the same statement (one round trip): only when this answer was recorded.
           (select pg_notify(${CHANNEL}, ${`${contestId}:answer`}) from ins limit 1) is not null as announced`);
  if (!row || row.phase === null) throw notFound('contest');
  if (!row.player) throw refused(lang, 'contest.not_joined', 'contestId', 403);
  if (row.answered_at == null) {
    const reason = row.paused && row.current_index === input.position ? 'contest.paused'
      : row.current_index === input.position || (row.current_index ?? -1) > input.position ? 'contest.window_closed' : 'contest.not_open_yet';
    throw refused(lang, reason, 'position');
  }
  return { position: input.position, recorded: row.recorded, answeredAt: iso(row.answered_at)!, elapsedMs: Number(row.elapsed_ms) };
}

// ---------------------------------------------------------------------------------------------------------------
// Settling and advancing

interface PlayerRow { user_id: string; streak: number }
interface AnswerRow { user_id: string; fraction: string; elapsed_ms: number }

/**
 * Gives an ended question its points, once: locks the contest row, and if the question has no `closed_at` yet, scores
 * every answer by the rule (the streak before it is the player's streak after the previous question; a player without
 * an answer loses their streak and is charged the whole window as answer time). Returns whether this call settled it.
 */
async function settle(tx: EntityManager, c: IContest, position: number, now: Date): Promise<boolean> {
  const q = await queryOne<{ closed_at: Date | null; skipped: boolean }>(tx, sql`
    select closed_at, skipped from contest_question where contest_id = ${c.id} and position = ${position} for update`);
  if (!q || q.closed_at) return false;
  const players = await query<PlayerRow>(tx, sql`select user_id, streak from contest_player where contest_id = ${c.id}`);
  const answers = new Map((await query<AnswerRow>(tx, sql`
    select user_id, fraction, elapsed_ms from contest_answer where contest_id = ${c.id} and position = ${position}`)).map((a) => [a.user_id, a]));
  const windowMs = c.answerSeconds * 1000;
  const ids: string[] = []; const pts: number[] = []; const streaks: number[] = []; const correct: number[] = []; const answered: number[] = []; const ms: number[] = [];
  for (const p of players) {
    const a = answers.get(p.user_id);
    const r = a ? answerPoints(ruleOf(c), Number(a.fraction), a.elapsed_ms, windowMs, p.streak) : { points: 0, streak: 0, correct: false };
    ids.push(p.user_id); pts.push(r.points); streaks.push(r.streak); correct.push(r.correct ? 1 : 0); answered.push(a ? 1 : 0);
    ms.push(a ? Math.min(a.elapsed_ms, windowMs) : windowMs);
  }
  if (ids.length) {
    await exec(tx, sql`
      with s as (select * from unnest(${ids}::uuid[], ${pts}::int[], ${streaks}::int[], ${correct}::int[], ${answered}::int[], ${ms}::int[])
                   as s(user_id, points, streak, correct, answered, ms))
      update contest_player p set score = p.score + s.points, streak = s.streak, best_streak = greatest(p.best_streak, s.streak),
             correct_count = p.correct_count + s.correct, answered_count = p.answered_count + s.answered, total_ms = p.total_ms + s.ms
        from s where p.contest_id = ${c.id} and p.user_id = s.user_id`);
    await exec(tx, sql`
      with s as (select * from unnest(${ids}::uuid[], ${pts}::int[]) as s(user_id, points))
      update contest_answer a set points = s.points from s
       where a.contest_id = ${c.id} and a.position = ${position} and a.user_id = s.user_id`);
  }
  await exec(tx, sql`update contest_question set closed_at = ${now} where contest_id = ${c.id} and position = ${position}`);
  return true;
}

/**
 * Scores every player again from the answers of every settled question that counts, in order: after a skip, so a
 * question that does not count leaves no points and breaks no streak.
 */
async function rescoreAll(tx: EntityManager, c: IContest) {
  const qs = await query<{ position: number }>(tx, sql`
    select position from contest_question where contest_id = ${c.id} and closed_at is not null and not skipped order by position`);
  const players = await query<{ user_id: string }>(tx, sql`select user_id from contest_player where contest_id = ${c.id}`);
  const answers = await query<AnswerRow & { position: number }>(tx, sql`
    select position, user_id, fraction, elapsed_ms from contest_answer where contest_id = ${c.id}`);
  const byKey = new Map(answers.map((a) => [`${a.position}:${a.user_id}`, a]));
  const windowMs = c.answerSeconds * 1000;
  const st = new Map(players.map((p) => [p.user_id, { score: 0, streak: 0, best: 0, correct: 0, answered: 0, ms: 0 }]));
  const aUsers: string[] = []; const aPos: number[] = []; const aPts: number[] = [];
  for (const q of qs) {
    for (const [userId, s] of st) {
      const a = byKey.get(`${q.position}:${userId}`);
      const r = a ? answerPoints(ruleOf(c), Number(a.fraction), a.elapsed_ms, windowMs, s.streak) : { points: 0, streak: 0, correct: false };
      s.score += r.points; s.streak = r.streak; s.best = Math.max(s.best, r.streak); s.correct += r.correct ? 1 : 0;
      s.answered += a ? 1 : 0; s.ms += a ? Math.min(a.elapsed_ms, windowMs) : windowMs;
      if (a) { aUsers.push(userId); aPos.push(q.position); aPts.push(r.points); }
    }
  }
  const ids = [...st.keys()];
  const v = [...st.values()];
  if (ids.length) {
    await exec(tx, sql`
      with s as (select * from unnest(${ids}::uuid[], ${v.map((x) => x.score)}::int[], ${v.map((x) => x.streak)}::int[], ${v.map((x) => x.best)}::int[],
                   ${v.map((x) => x.correct)}::int[], ${v.map((x) => x.answered)}::int[], ${v.map((x) => x.ms)}::bigint[])
                   as s(user_id, score, streak, best, correct, answered, ms))
      update contest_player p set score = s.score, streak = s.streak, best_streak = s.best, correct_count = s.correct,
             answered_count = s.answered, total_ms = s.ms
        from s where p.contest_id = ${c.id} and p.user_id = s.user_id`);
  }
  await exec(tx, sql`update contest_answer set points = 0 where contest_id = ${c.id}`);
  if (aUsers.length) {
    await exec(tx, sql`
      with s as (select * from unnest(${aUsers}::uuid[], ${aPos}::int[], ${aPts}::int[]) as s(user_id, position, points))
      update contest_answer a set points = s.points from s
       where a.contest_id = ${c.id} and a.position = s.position and a.user_id = s.user_id`);
  }
}

/** Settles the current question of a live contest if its window has passed. Safe to call from anywhere, any time. */
export async function settleIfDue(em: EntityManager, contestId: string, now: Date): Promise<boolean> {
  const due = await queryOne<{ current_index: number }>(em, sql`
    select c.current_index from contest c join contest_question q on q.contest_id = c.id and q.position = c.current_index
     where c.id = ${contestId} and c.phase = 'question' and c.question_closes_at <= ${now}::timestamptz and q.closed_at is null`);
  if (!due) return false;
  const done = await em.transactional(async (tx) => {
    const c = await tx.findOne(Contest, { id: contestId }, { refresh: true, lockMode: 4 /* pessimistic write */ });
    if (!c || c.phase !== 'question' || c.currentIndex !== due.current_index || !c.questionClosesAt || c.questionClosesAt > now) return false;
    const settled = await settle(tx, c, due.current_index, now);
    if (settled) {
      c.phase = 'reveal';
      c.stateVersion += 1;
      await tx.flush();
    }
    return settled;
  });
  if (done) await notifyContest(em, contestId, 'state');
  return done;
}

export async function startContest(em: EntityManager, actor: Actor, contestId: string, now: Date, lang: Lang) {
  const c = await hostedContest(em, actor, contestId);
  if (c.kind !== 'live') throw refused(lang, 'contest.not_live', 'contestId');
  if (c.status !== 'scheduled') throw refused(lang, 'contest.already_started', 'contestId');
  return advanceContest(em, actor, contestId, { action: 'next', expectIndex: null }, now, lang);
}

export async function advanceContest(em: EntityManager, actor: Actor, contestId: string, input: AdvanceInput, now: Date, lang: Lang) {
  await hostedContest(em, actor, contestId);
  await settleIfDue(em, contestId, now);
  let finished = false;
  await em.transactional(async (tx) => {
    const c = await tx.findOneOrFail(Contest, { id: contestId }, { refresh: true, lockMode: 4 });
    if (c.kind !== 'live') throw refused(lang, 'contest.not_live', 'contestId');
    if (c.status === 'finished' || c.status === 'published' || c.status === 'archived') throw refused(lang, 'contest.already_finished', 'action');
    if (input.expectIndex !== undefined && input.expectIndex !== null && c.currentIndex !== input.expectIndex) {
      throw refused(lang, 'contest.stale_screen', 'expectIndex');
    }
    const total = c.questionCount;
    const open = (index: number) => {
      c.currentIndex = index;
      c.phase = 'question';
      c.questionOpenedAt = now;
      c.questionClosesAt = new Date(now.getTime() + c.answerSeconds * 1000);
      c.pausedRemainingMs = null;
    };
    const finish = () => {
      c.phase = 'finished';
      c.status = 'finished';
      c.finishedAt = now;
      c.questionClosesAt = null;
      finished = true;
    };
    const nextAfter = async (index: number) => {
      const n = await queryOne<{ position: number }>(tx, sql`select position from contest_question
        where contest_id = ${c.id} and position > ${index} and not skipped order by position limit 1`);
      if (n) open(n.position); else finish();
    };
    switch (input.action) {
      case 'next':
        if (c.phase === 'lobby') {
          c.status = 'running';
          c.startedAt = now;
          if (total === 0) finish(); else await nextAfter(-1);
        } else if (c.phase === 'question') {
          // Closing early: the window ends now, and the question is settled.
          c.pausedRemainingMs = null;
          c.questionClosesAt = now;
          await settle(tx, c, c.currentIndex!, now);
          c.phase = 'reveal';
        } else if (c.phase === 'reveal') {
          c.phase = 'board';
        } else if (c.phase === 'board') {
          await nextAfter(c.currentIndex ?? -1);
        }
        break;
      case 'pause':
        if (c.phase !== 'question' || c.pausedRemainingMs != null || !c.questionClosesAt) throw refused(lang, 'contest.cannot_pause', 'action');
        c.pausedRemainingMs = Math.max(0, c.questionClosesAt.getTime() - now.getTime());
        c.questionClosesAt = null;
        break;
      case 'resume':
        if (c.phase !== 'question' || c.pausedRemainingMs == null) throw refused(lang, 'contest.not_paused', 'action');
        c.questionClosesAt = new Date(now.getTime() + c.pausedRemainingMs);
        // The window's length stays the stated one: its opening moves by the pause.
        c.questionOpenedAt = new Date(c.questionClosesAt.getTime() - c.answerSeconds * 1000);
        c.pausedRemainingMs = null;
        break;
      case 'skip': {
        if (c.currentIndex == null || c.phase === 'lobby') throw refused(lang, 'contest.nothing_to_skip', 'action');
        const index = c.currentIndex;
        await exec(tx, sql`update contest_question set skipped = true, closed_at = coalesce(closed_at, ${now})
          where contest_id = ${c.id} and position = ${index}`);
        await rescoreAll(tx, c);
        c.pausedRemainingMs = null;
        await nextAfter(index);
        break;
      }
      case 'finish':
        if (c.phase === 'question' && c.currentIndex != null) {
          c.questionClosesAt = now;
          await settle(tx, c, c.currentIndex, now);
        }
        finish();
        break;
    }
    c.stateVersion += 1;
    c.updatedAt = now;
    await tx.flush();
    if (finished) await writeKnowledgeResults(tx, c.id);
  });
  await notifyContest(em, contestId, 'state');
  return contestState(em, actor, contestId, now, lang);
}

// ---------------------------------------------------------------------------------------------------------------
// State

interface StandingRow { user_id: string; name: string; unit: string; team_unit_id: string | null; team_name: string | null; score: number; total_ms: string; correct_count: number; streak: number; answered_count: number }

/** The whole standings of a contest, ranked by its tie-break rule, with team means in team mode. */
export async function standingsOf(em: EntityManager, c: Pick<IContest, 'id' | 'tieBreak' | 'mode'>) {
  const rows = await query<StandingRow>(em, sql`
    select p.user_id, u.display_name as name, o.name as unit, p.team_unit_id, t.name as team_name, p.score, p.total_ms, p.correct_count,
           p.streak, p.answered_count
      from contest_player p join app_user u on u.id = p.user_id join org_unit o on o.id = u.org_unit_id
      left join org_unit t on t.id = p.team_unit_id
     where p.contest_id = ${c.id}`);
  const ranked = rankStandings(rows.map((r) => ({ ...r, id: r.user_id, points: r.score, totalMs: Number(r.total_ms) })), c.tieBreak);
  const teamNames = new Map(rows.map((r) => [r.team_unit_id, r.team_name]));
  const teams = c.mode === 'team'
    ? rankStandings(teamMeans(rows.map((r) => ({ teamId: r.team_unit_id, points: r.score, played: r.answered_count > 0 })))
      .map((t) => ({ ...t, id: t.teamId, totalMs: 0 })), 'shared')
      .map((t) => ({ teamUnitId: t.row.teamId, name: teamNames.get(t.row.teamId) ?? '', members: t.row.members, points: t.row.points, rank: t.rank }))
    : [];
  return { ranked, teams };
}

type Standings = Awaited<ReturnType<typeof standingsOf>>;

const leaderboardOf = (c: IContest, s: Standings, top: number) => ({
  contestId: c.id, players: s.ranked.length, tieBreak: c.tieBreak,
  lines: s.ranked.slice(0, top).map((r) => ({
    userId: r.row.user_id, name: r.row.name, unit: r.row.unit, teamUnitId: r.row.team_unit_id, points: r.row.score, rank: r.rank,
    correct: r.row.correct_count, totalMs: Number(r.row.total_ms),
  })),
  teams: s.teams,
});

export async function getContestLeaderboard(em: EntityManager, actor: Actor, contestId: string, now: Date) {
  const c = await viewable(em, actor, contestId);
  await settleIfDue(em, contestId, now);
  return leaderboardOf(c, await standingsOf(em, c), 1000);
}

/** A contest its host or one of its players may look at. */
async function viewable(em: EntityManager, actor: Actor, contestId: string): Promise<IContest> {
  const scope = await scopeOf(em, actor);
  const row = await queryOne<{ id: string }>(em, sql`select c.id from contest c where c.id = ${contestId} and c.kind in ('live','timed')
    and (${can(actor, 'contests.host') ? hostable(scope) : sql`false`}
         or exists (select 1 from contest_player p where p.contest_id = c.id and p.user_id = ${actor.id}))`);
  if (!row) {
    // Not joined yet but open to them: they may see the lobby (and join from it).
    await playable(em, actor, { id: contestId });
  }
  return em.findOneOrFail(Contest, { id: contestId }, { refresh: true });
}

/**
 * Everything one screen shows, built once per contest change for every screen (`shared`) and then per person
 * (`personal`): the hub sends thousands of screens the same shared part with each one's own standing.
 */
export async function sharedState(em: EntityManager, contestId: string, now: Date) {
  const c = await em.findOneOrFail(Contest, { id: contestId }, { refresh: true });
  const effectivePhase = c.phase === 'question' && c.questionClosesAt && c.questionClosesAt <= now ? 'reveal' : c.phase;
  const index = c.currentIndex ?? null;
  const q = index === null ? null : await queryOne<{ question_version_id: string; closed_at: Date | null }>(em, sql`
    select question_version_id, closed_at from contest_question where contest_id = ${c.id} and position = ${index}`);
  const views = q ? await learnerViews(em, [q.question_version_id]) : new Map();
  const view = q ? views.get(q.question_version_id) : undefined;
  const question = view && index !== null && effectivePhase !== 'lobby' && effectivePhase !== 'finished'
    ? { ...learnerSlot({ slot: index, points: String(c.basePoints), option_order: null }, view), position: index } : null;
  const answers = index === null ? [] : await query<{ user_id: string; response: Record<string, unknown>; correct: boolean; points: number }>(em, sql`
    select user_id, response, correct, points from contest_answer where contest_id = ${c.id} and position = ${index}`);
  const closed = effectivePhase === 'reveal' || effectivePhase === 'board' || (effectivePhase === 'finished' && q?.closed_at);
  let reveal: ContestStateT['reveal'] = null;
  if (closed && q && view) {
    const [full] = await query<{ rendered_answer: Record<string, unknown> | null; content: Record<string, unknown>; key: string; language: QLang; tags: string[] }>(em, sql`
      select v.rendered->'answer' as rendered_answer, v.content, q.key, q.language, q.tags
        from question_version v join question q on q.id = v.question_id where v.id = ${q.question_version_id}`);
    const answer = (full!.rendered_answer ?? answerView(joinQuestion(full!.content, { key: full!.key, language: full!.language, tags: full!.tags ?? [], modules: [] }))) as Record<string, unknown>;
    const { explanationHtml, ...key } = keyOf(answer, true);
    const counts = new Map<string, number>();
    const optionIds = (view.options ?? []).map((o: { id: string }) => o.id);
    for (const a of answers) {
      const r = a.response;
      const picks = typeof r.choice === 'number' ? [r.choice] : Array.isArray(r.choices) ? r.choices : typeof r.answer === 'boolean' ? [r.answer ? 'true' : 'false'] : [];
      for (const p of picks) {
        const id = typeof p === 'number' ? optionIds[p] : typeof p === 'string' ? p : undefined;
        if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    const ids = view.type === 'true_false' ? ['true', 'false'] : optionIds;
    const right = answers.filter((a) => a.correct).length;
    reveal = {
      key, explanationHtml: explanationHtml ?? '', distribution: ids.map((optionId: string) => ({ optionId, count: counts.get(optionId) ?? 0 })),
      right, wrong: answers.length - right, unanswered: 0,
    };
  }
  const standings = await standingsOf(em, c);
  if (reveal) reveal.unanswered = Math.max(0, standings.ranked.length - answers.length);
  const byUser = new Map(standings.ranked.map((r) => [r.row.user_id, r]));
  return { c, effectivePhase, question, reveal, answers: new Map(answers.map((a) => [a.user_id, a])), standings, byUser, now };
}

export type Shared = Awaited<ReturnType<typeof sharedState>>;

/** One screen's state from the shared part: a host's, or a player's own. */
export function personal(s: Shared, viewer: { id: string; host: boolean }, lang: Lang): ContestStateT {
  const { c } = s;
  const mine = s.byUser.get(viewer.id);
  const answer = s.answers.get(viewer.id);
  const showBoard = s.effectivePhase === 'reveal' || s.effectivePhase === 'board' || s.effectivePhase === 'finished';
  const revealed = s.reveal !== null;
  return {
    contestId: c.id, kind: c.kind, title: titleOf(c, lang), status: c.status, phase: s.effectivePhase, index: c.currentIndex ?? null,
    total: c.questionCount, serverNow: s.now.toISOString(), rules: rulesView(c), joined: s.standings.ranked.length,
    joinCode: c.joinCode ?? null, host: viewer.host, question: s.question, openedAt: iso(c.questionOpenedAt),
    closesAt: s.effectivePhase === 'question' ? iso(c.questionClosesAt) : null, pausedRemainingMs: c.pausedRemainingMs ?? null,
    answeredCount: s.answers.size, reveal: s.reveal,
    me: mine || answer ? {
      joined: !!mine, answered: !!answer, response: answer?.response ?? null,
      correct: revealed && answer ? answer.correct : null, points: revealed ? (answer?.points ?? 0) : null,
      score: mine?.row.score ?? 0, streak: mine?.row.streak ?? 0, rank: mine?.rank ?? null, teamUnitId: mine?.row.team_unit_id ?? null,
    } : null,
    leaderboard: showBoard ? leaderboardOf(c, s.standings, 10) : null,
    playerNames: viewer.host && s.effectivePhase === 'lobby' ? s.standings.ranked.map((r) => r.row.name).sort() : [],
  };
}

export async function contestState(em: EntityManager, actor: Actor, contestId: string, now: Date, lang: Lang): Promise<ContestStateT> {
  const c = await viewable(em, actor, contestId);
  await settleIfDue(em, contestId, now);
  return personal(await sharedState(em, contestId, now), { id: actor.id, host: await isHost(em, actor, c.id) }, lang);
}

/** Whether an actor hosts a contest (for the event stream, which serves hosts and players alike). */
export async function isHost(em: EntityManager, actor: Actor, contestId: string): Promise<boolean> {
  if (!can(actor, 'contests.host')) return false;
  return !!(await queryOne<{ id: string }>(em, sql`select c.id from contest c where c.id = ${contestId} and ${hostable(await scopeOf(em, actor))}`));
}

export { viewable as viewableContest, playable as playableContest };
