/**
 * Time-boxed contests: open for a period, each person gets one run of N questions drawn for them when they start,
 * one question at a time, each with a deadline the server sets when it shows it. An answer after its deadline is
 * refused; a question whose deadline passes unanswered counts as wrong, with the whole window as its time. Score,
 * then total time, decides. When the period closes the contest finishes and its results are written, once.
 */
import type { EntityManager } from '@mikro-orm/core';
import { AppError, notFound } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { exec, query, queryOne, sql } from '../../lib/sql.js';
import type { Actor } from '../../access/actor.js';
import { scoreResponse } from '../questions/scoring.js';
import { questionsOf } from '../exams/attempt-grading.js';
import { learnerSlot, learnerViews } from '../exams/attempts.service.js';
import { Contest, type IContest } from './contest.entity.js';
import { answerPoints } from './contest-scoring.js';
import { writeKnowledgeResults } from './contest-results.service.js';
import { CONTEST_TYPES, playableContest } from './contests.service.js';
import type { AnswerInput } from './contests.schemas.js';
import './contests-messages.js';

const refused = (lang: Lang, reason: string, path: string) =>
  new AppError(409, 'conflict', { reason: t(lang, reason) }, [{ path, reason }]);

const shuffle = <T>(xs: T[]): T[] => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a;
};

interface RunSlot {
  slot: number; question_version_id: string; option_order: number[] | null; shown_at: Date | null; deadline_at: Date | null;
  answered_at: Date | null; correct: boolean | null; points: number; timed_out: boolean;
}

/** Finishes time-boxed contests whose period has closed and writes their results; safe to run in several processes. */
export async function closeDueTimedContests(em: EntityManager, now: Date): Promise<number> {
  const due = await query<{ id: string }>(em, sql`select id from contest
    where kind = 'timed' and status in ('scheduled','running') and closes_at <= ${now}::timestamptz limit 50`);
  let n = 0;
  for (const { id } of due) {
    const done = await em.fork().transactional(async (tx) => {
      const c = await queryOne<{ id: string }>(tx, sql`select id from contest where id = ${id} and status in ('scheduled','running') for update skip locked`);
      if (!c) return false;
      // Questions shown and never answered count as wrong, with their whole window.
      await exec(tx, sql`update contest_run_question set answered_at = deadline_at, correct = false, points = 0,
          elapsed_ms = extract(epoch from (deadline_at - shown_at)) * 1000
        where contest_id = ${id} and shown_at is not null and answered_at is null`);
      await exec(tx, sql`update contest_player set run_finished_at = coalesce(run_finished_at, ${now}) where contest_id = ${id}`);
      await exec(tx, sql`update contest set status = 'finished', phase = 'finished', finished_at = ${now}, updated_at = ${now} where id = ${id}`);
      await writeKnowledgeResults(tx, id);
      return true;
    });
    if (done) n++;
  }
  return n;
}

async function timedContest(em: EntityManager, actor: Actor, contestId: string): Promise<IContest> {
  await playableContest(em, actor, { id: contestId });
  const c = await em.findOneOrFail(Contest, { id: contestId }, { refresh: true });
  if (c.kind !== 'timed') throw notFound('contest');
  return c;
}

/**
 * Moves a run on by the server's clock: a shown question past its deadline is closed as wrong (no streak, the whole
 * window as its time), and the next question is shown with a fresh deadline; after the last the run is finished.
 */
async function catchUp(tx: EntityManager, c: IContest, userId: string, now: Date): Promise<RunSlot[]> {
  const windowMs = c.answerSeconds * 1000;
  const slots = await query<RunSlot>(tx, sql`select slot, question_version_id, option_order, shown_at, deadline_at, answered_at, correct, points,
      (answered_at is not null and response is null) as timed_out
    from contest_run_question where contest_id = ${c.id} and user_id = ${userId} order by slot for update`);
  for (const s of slots) {
    if (s.answered_at) continue;
    if (s.shown_at && s.deadline_at && new Date(s.deadline_at) < now) {
      await exec(tx, sql`update contest_run_question set answered_at = deadline_at, elapsed_ms = ${windowMs}, correct = false, points = 0
        where contest_id = ${c.id} and user_id = ${userId} and slot = ${s.slot}`);
      await exec(tx, sql`update contest_player set streak = 0, answered_count = answered_count + 1, total_ms = total_ms + ${windowMs}
        where contest_id = ${c.id} and user_id = ${userId}`);
      s.answered_at = s.deadline_at; s.correct = false; s.points = 0; s.timed_out = true;
      continue;
    }
    if (!s.shown_at) {
      // Shown now: a question's time starts when the person is there to see it.
      s.shown_at = now;
      s.deadline_at = new Date(now.getTime() + windowMs);
      await exec(tx, sql`update contest_run_question set shown_at = ${s.shown_at}, deadline_at = ${s.deadline_at}
        where contest_id = ${c.id} and user_id = ${userId} and slot = ${s.slot}`);
    }
    return slots;
  }
  await exec(tx, sql`update contest_player set run_finished_at = coalesce(run_finished_at, ${now}) where contest_id = ${c.id} and user_id = ${userId}`);
  return slots;
}

async function runView(em: EntityManager, c: IContest, userId: string, slots: RunSlot[], now: Date, lang: Lang) {
  const current = slots.find((s) => !s.answered_at) ?? null;
  const views = current ? await learnerViews(em, [current.question_version_id]) : new Map();
  const view = current ? views.get(current.question_version_id) : undefined;
  const player = await queryOne<{ score: number; streak: number; correct_count: number; total_ms: string }>(em, sql`
    select score, streak, correct_count, total_ms from contest_player where contest_id = ${c.id} and user_id = ${userId}`);
  const last = [...slots].reverse().find((s) => s.answered_at);
  return {
    contestId: c.id, title: lang === 'en' && c.titleEn ? c.titleEn : c.titleZh, total: slots.length,
    answered: slots.filter((s) => s.answered_at).length, finished: !current, serverNow: now.toISOString(),
    closesAt: c.closesAt ? c.closesAt.toISOString() : null,
    rules: { answerSeconds: c.answerSeconds, basePoints: c.basePoints, speedBonus: c.speedBonus, streakBonus: c.streakBonus,
      streakCap: c.streakCap, tieBreak: c.tieBreak, mode: c.mode },
    question: current && view ? { ...learnerSlot({ slot: current.slot, points: String(c.basePoints), option_order: current.option_order }, view), position: current.slot } : null,
    deadlineAt: current?.deadline_at ? new Date(current.deadline_at).toISOString() : null,
    last: last ? { slot: last.slot, correct: !!last.correct, points: last.points } : null,
    score: player?.score ?? 0, streak: player?.streak ?? 0, correct: player?.correct_count ?? 0, totalMs: Number(player?.total_ms ?? 0),
  };
}

/** Starts (or, for someone who started, resumes) a person's one run of a time-boxed contest. */
export async function startContestRun(em: EntityManager, actor: Actor, contestId: string, now: Date, lang: Lang) {
  const c = await timedContest(em, actor, contestId);
  if (c.status === 'finished' || c.status === 'published' || (c.closesAt && c.closesAt <= now)) throw refused(lang, 'contest.already_finished', 'contestId');
  if (c.opensAt && c.opensAt > now) throw refused(lang, 'contest.not_open_yet_period', 'contestId');
  const slots = await em.transactional(async (tx) => {
    const unit = await queryOne<{ org_unit_id: string }>(tx, sql`select org_unit_id from app_user where id = ${actor.id}`);
    const started = await query<{ user_id: string }>(tx, sql`
      insert into contest_player (contest_id, user_id, team_unit_id, joined_at, run_started_at) values (${c.id}, ${actor.id}, ${unit?.org_unit_id ?? null}, ${now}, ${now})
      on conflict (contest_id, user_id) do update set run_started_at = coalesce(contest_player.run_started_at, excluded.run_started_at)
      returning user_id`);
    const has = await queryOne<{ n: number }>(tx, sql`select count(*)::int as n from contest_run_question where contest_id = ${c.id} and user_id = ${actor.id}`);
    if (started.length && !has?.n) {
      const cats = c.drawCategoryIds.length ? await query<{ path: string }>(tx, sql`select path from question_category where id = any(${c.drawCategoryIds}::uuid[])`) : [];
      const pool = await query<{ version_id: string; options: number }>(tx, sql`
        select v.id as version_id, coalesce(jsonb_array_length(v.content->'options'), 0) as options
          from question q join question_version v on v.id = q.current_version_id left join question_category qc on qc.id = q.category_id
         where q.status = 'active' and v.type = any(${[...CONTEST_TYPES]}::text[])
           and (cardinality(${cats.map((x) => x.path)}::text[]) = 0 or exists (select 1 from unnest(${cats.map((x) => x.path)}::text[]) p where qc.path like p || '%'))
           and (cardinality(${c.drawTags}::text[]) = 0 or q.tags && ${c.drawTags}::text[])
           and (${c.drawDifficulty ?? null}::int is null or v.difficulty = ${c.drawDifficulty ?? null}::int)
         order by random() limit ${c.questionCount}`);
      if (!pool.length) throw refused(lang, 'contest.pool_too_small_now', 'contestId');
      const orders = pool.map((p) => (p.options > 1 ? JSON.stringify(shuffle([...Array(p.options).keys()])).replace('[', '{').replace(']', '}') : null));
      await exec(tx, sql`insert into contest_run_question (contest_id, user_id, slot, question_version_id, option_order)
        select ${c.id}, ${actor.id}, s - 1, v, o::int[] from unnest(${pool.map((p) => p.version_id)}::uuid[], ${orders}::text[]) with ordinality as x(v, o, s)`);
      await exec(tx, sql`insert into question_usage (id, question_version_id, used_by_type, used_by_id)
        select gen_random_uuid(), v, 'contest', ${c.id}::uuid from unnest(${pool.map((p) => p.version_id)}::uuid[]) v on conflict do nothing`);
      if (c.status === 'scheduled') await exec(tx, sql`update contest set status = 'running', started_at = coalesce(started_at, ${now}) where id = ${c.id}`);
    }
    return catchUp(tx, c, actor.id, now);
  });
  return runView(em, c, actor.id, slots, now, lang);
}

export async function getContestRun(em: EntityManager, actor: Actor, contestId: string, now: Date, lang: Lang) {
  const c = await timedContest(em, actor, contestId);
  const slots = await em.transactional((tx) => catchUp(tx, c, actor.id, now));
  if (!slots.length) throw refused(lang, 'contest.run_not_started', 'contestId');
  return runView(em, c, actor.id, slots, now, lang);
}

/** Answers the run's current question, before its deadline; then the next one is shown. */
export async function answerContestRun(em: EntityManager, actor: Actor, contestId: string, input: AnswerInput, now: Date, lang: Lang) {
  const c = await timedContest(em, actor, contestId);
  if (c.closesAt && c.closesAt <= now) throw refused(lang, 'contest.already_finished', 'position');
  const windowMs = c.answerSeconds * 1000;
  const slots = await em.transactional(async (tx) => {
    const before = await catchUp(tx, c, actor.id, now);
    if (!before.length) throw refused(lang, 'contest.run_not_started', 'position');
    const current = before.find((s) => !s.answered_at);
    const target = before.find((s) => s.slot === input.position);
    if (!target) throw refused(lang, 'contest.not_open_yet', 'position');
    if (target.answered_at) {
      if (target.timed_out) throw refused(lang, 'contest.window_closed', 'position');
      return before; // answered already: a repeat changes nothing
    }
    if (current?.slot !== target.slot) throw refused(lang, 'contest.not_open_yet', 'position');
    const q = (await questionsOf(tx, [target.question_version_id])).get(target.question_version_id);
    const r = q ? scoreResponse(q, input.response) : { score: 0, max: 0 };
    const fraction = r.max > 0 ? r.score / r.max : 0;
    const elapsed = Math.max(0, Math.min(windowMs, now.getTime() - new Date(target.shown_at!).getTime()));
    const player = await queryOne<{ streak: number }>(tx, sql`select streak from contest_player where contest_id = ${c.id} and user_id = ${actor.id}`);
    const p = answerPoints({ basePoints: c.basePoints, speedBonus: c.speedBonus, streakBonus: c.streakBonus, streakCap: c.streakCap }, fraction, elapsed, windowMs, player?.streak ?? 0);
    await exec(tx, sql`update contest_run_question set response = ${JSON.stringify(input.response)}::jsonb, answered_at = ${now}, elapsed_ms = ${elapsed},
        correct = ${p.correct}, points = ${p.points}
      where contest_id = ${c.id} and user_id = ${actor.id} and slot = ${target.slot}`);
    await exec(tx, sql`update contest_player set score = score + ${p.points}, streak = ${p.streak}, best_streak = greatest(best_streak, ${p.streak}),
        correct_count = correct_count + ${p.correct ? 1 : 0}, answered_count = answered_count + 1, total_ms = total_ms + ${elapsed}
      where contest_id = ${c.id} and user_id = ${actor.id}`);
    return catchUp(tx, c, actor.id, now);
  });
  return runView(em, c, actor.id, slots, now, lang);
}
