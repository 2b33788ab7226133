/**
 * Taking an exam: the learner's list, starting (a snapshot the server keeps), answering (an upsert that keeps the
 * newest sequence number per slot), submitting (idempotent), the review the exam's policy allows, and the integrity
 * log. Every function here acts for the learner who owns the attempt; anyone else gets a 404.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { AppError, invalid, notFound, type FieldIssue } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { exec, query, queryOne, sql } from '../../lib/sql.js';
import { activeLearner, audienceOf, audienceReaches, personOf } from '../../access/audience.js';
import { scopeCondition, scopeOf } from '../../access/scope.js';
import type { Actor } from '../../access/actor.js';
import { joinQuestion } from '../questions/question-store.js';
import { learnerView, answerView, type LearnerView } from '../questions/question-view.js';
import type { Lang as QLang } from '../questions/question-model.js';
import type { IExam } from './exam.entity.js';
import { attemptDeadline, personalWindow, type PersonalWindow } from './exam-rules.js';
import { finaliseOverdue, gradeAttempts } from './attempt-grading.js';
import { regradeChangesFor } from './grading.service.js';
import type { AnswerInputT, EventsInput, SaveAnswersInput, SubmitInput } from './attempts.schemas.js';
import './attempts-messages.js';

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());
const num = (v: string | number | null | undefined) => (v == null ? null : Number(v));
const refused = (lang: Lang, reason: string, params: Record<string, unknown> = {}, path = 'attempt') =>
  new AppError(409, 'conflict', { reason: t(lang, reason, params), code: reason }, [{ path, reason, params }]);

/** The largest stored response (an essay of some 10,000 characters fits with room to spare). */
const MAX_RESPONSE_CHARS = 40_000;

// ---------------------------------------------------------------------------------------------------------------
// The exam as one person gets it

interface ExamRow {
  id: string; title_zh: string; title_en: string; kind: string; period: string; exam_status: IExam['status'];
  opens_at: Date; closes_at: Date; time_limit_minutes: number | null; attempts_allowed: number; attempt_wait_minutes: number;
  grading_method: IExam['gradingMethod']; pass_mark: string; navigation: string; shuffle_questions: boolean; shuffle_options: boolean;
  review_when: IExam['reviewWhen']; review_score: boolean; review_correctness: boolean; review_answers: boolean; review_feedback: boolean;
  grace_seconds: number; published_at: Date | null;
  o_opens_at: Date | null; o_closes_at: Date | null; o_extra_minutes: number | null; o_extra_attempts: number | null;
}

/** An exam's settings as one person gets them (with their override), without its id: joined rows keep their own. */
const EXAM_SETTINGS = sql`e.title_zh, e.title_en, e.kind, e.period, e.status as exam_status, e.opens_at, e.closes_at, e.time_limit_minutes,
  e.attempts_allowed, e.attempt_wait_minutes, e.grading_method, e.pass_mark, e.navigation, e.shuffle_questions, e.shuffle_options,
  e.review_when, e.review_score, e.review_correctness, e.review_answers, e.review_feedback, e.grace_seconds, e.published_at,
  ov.opens_at as o_opens_at, ov.closes_at as o_closes_at, ov.extra_minutes as o_extra_minutes, ov.extra_attempts as o_extra_attempts`;
const EXAM_COLUMNS = sql`e.id, ${EXAM_SETTINGS}`;

/** Published exams whose audience reaches the person `u` (joined with `org_unit o`). */
const reachesPerson = sql`e.status = 'published' and ${activeLearner('u')} and ${audienceReaches(audienceOf('e'), personOf('u', 'o'))}`;

const titleOf = (e: { title_zh: string; title_en: string }, lang: Lang) => (lang === 'en' && e.title_en ? e.title_en : e.title_zh);

function windowOf(e: ExamRow): PersonalWindow {
  return personalWindow(
    { status: e.exam_status, opensAt: new Date(e.opens_at), closesAt: new Date(e.closes_at), timeLimitMinutes: e.time_limit_minutes, attemptsAllowed: e.attempts_allowed },
    e.o_opens_at || e.o_closes_at || e.o_extra_minutes || e.o_extra_attempts
      ? { opensAt: e.o_opens_at && new Date(e.o_opens_at), closesAt: e.o_closes_at && new Date(e.o_closes_at), extraMinutes: e.o_extra_minutes ?? 0, extraAttempts: e.o_extra_attempts ?? 0 }
      : null,
  );
}

async function examForPerson(em: EntityManager, actor: Actor, examId: string): Promise<ExamRow> {
  const row = await queryOne<ExamRow>(em, sql`
    select ${EXAM_COLUMNS}
      from exam e join app_user u on u.id = ${actor.id} join org_unit o on o.id = u.org_unit_id
      left join exam_override ov on ov.exam_id = e.id and ov.user_id = u.id
     where e.id = ${examId} and ${reachesPerson}`);
  if (!row) throw notFound('exam');
  return row;
}

/** When the learner may see an attempt's review: now, from the close of their window, or never (null). */
function reviewFrom(e: Pick<ExamRow, 'review_when'>, window: PersonalWindow, submittedAt: Date | null): Date | null {
  if (e.review_when === 'never') return null;
  if (e.review_when === 'immediately') return submittedAt;
  return window.closesAt;
}

// ---------------------------------------------------------------------------------------------------------------
// The learner's list

interface MyAttemptRow { exam_id: string; id: string; number: number; status: string; started_at: Date; deadline_at: Date; submitted_at: Date | null;
  score: string | null; max_score: string; passed: boolean | null; needs_grading: boolean }

/** The person's exams: open and upcoming ones, and those closed in the last 90 days, with their own state and result. */
export async function listMyExams(em: EntityManager, actor: Actor, now: Date, lang: Lang) {
  const exams = await query<ExamRow & { question_count: number }>(em, sql`
    select ${EXAM_COLUMNS},
           (select coalesce(sum(case when i.kind = 'fixed' then 1 else i.draw_count end), 0)::int from exam_item i where i.exam_id = e.id) as question_count
      from exam e join app_user u on u.id = ${actor.id} join org_unit o on o.id = u.org_unit_id
      left join exam_override ov on ov.exam_id = e.id and ov.user_id = u.id
     where ${reachesPerson} and coalesce(ov.closes_at, e.closes_at) > ${now}::timestamptz - interval '90 days'
     order by coalesce(ov.closes_at, e.closes_at)`);
  const attempts = exams.length ? await query<MyAttemptRow>(em, sql`
    select exam_id, id, number, status, started_at, deadline_at, submitted_at, score, max_score, passed, needs_grading
      from exam_attempt where user_id = ${actor.id} and exam_id = any(${exams.map((e) => e.id)}::uuid[]) order by number`) : [];
  const byExam = new Map<string, MyAttemptRow[]>();
  for (const a of attempts) byExam.set(a.exam_id, [...(byExam.get(a.exam_id) ?? []), a]);
  const items = exams.map((e) => {
    const w = windowOf(e);
    const mine = byExam.get(e.id) ?? [];
    const finished = mine.filter((a) => a.status !== 'in_progress');
    const open = mine.find((a) => a.status === 'in_progress') ?? null;
    const state = now < w.opensAt ? 'scheduled' : now < w.closesAt ? 'open' : 'closed';
    const blocked = open ? null : startBlock(e, w, mine, now);
    const last = mine[mine.length - 1] ?? null;
    const lastFrom = last ? reviewFrom(e, w, last.submitted_at && new Date(last.submitted_at)) : null;
    const counting = countingResult(e, finished);
    const mayShowScore = e.review_score && finished.length > 0 && (lastFrom !== null && now >= lastFrom);
    return {
      id: e.id, title: titleOf(e, lang), kind: e.kind, period: e.period, state, opensAt: w.opensAt.toISOString(), closesAt: w.closesAt.toISOString(),
      timeLimitMinutes: w.timeLimitMinutes, questionCount: e.question_count, attemptsAllowed: w.attemptsAllowed, attemptsUsed: mine.length,
      inProgress: open ? { attemptId: open.id, deadlineAt: new Date(open.deadline_at).toISOString() } : null,
      canStart: !!open || blocked === null,
      blockedReason: blocked?.reason ?? null,
      blockedMessage: blocked ? t(lang, blocked.reason, blocked.params) : null,
      dueSoon: state === 'open' && finished.length === 0 && w.closesAt.getTime() - now.getTime() < 48 * 3600_000,
      missed: state === 'closed' && finished.length === 0,
      lastAttempt: last ? { id: last.id, status: last.status, submittedAt: iso(last.submitted_at), reviewAvailable: last.status !== 'in_progress' && lastFrom !== null && now >= lastFrom } : null,
      result: mayShowScore ? counting : null,
    };
  });
  return { items, serverNow: now.toISOString() };
}

/**
 * The attempt that counts, by the exam's grading method (highest, last, first, or the mean of the graded ones), as a
 * result. While an attempt that could count still waits for a grader, `passed` stays null.
 */
function countingResult(e: Pick<ExamRow, 'grading_method' | 'pass_mark'>, finished: MyAttemptRow[]) {
  if (!finished.length) return null;
  const pct = (s: number | null, m: number) => (s === null || m <= 0 ? null : Math.round((s / m) * 1000) / 10);
  const pick = (a: MyAttemptRow) => ({ score: num(a.score), maxScore: Number(a.max_score), percent: pct(num(a.score), Number(a.max_score)), passed: a.needs_grading ? null : a.passed });
  if (e.grading_method === 'first') return pick(finished[0]);
  if (e.grading_method === 'last') return pick(finished[finished.length - 1]);
  const pending = finished.some((a) => a.needs_grading);
  if (e.grading_method === 'mean') {
    const score = Math.round((finished.reduce((s, a) => s + Number(a.score ?? 0), 0) / finished.length) * 100) / 100;
    const max = Number(finished[0].max_score);
    return { score, maxScore: max, percent: pct(score, max), passed: pending ? null : score >= Number(e.pass_mark) };
  }
  const best = pick(finished.reduce((b, a) => (Number(a.score ?? 0) > Number(b.score ?? 0) ? a : b)));
  return { ...best, passed: pending && !best.passed ? null : best.passed };
}

/** Why the person may not start a new attempt now, or null. */
function startBlock(e: ExamRow, w: PersonalWindow, mine: { status: string; submitted_at: Date | null }[], now: Date): { reason: string; params?: Record<string, unknown> } | null {
  if (now < w.opensAt) return { reason: 'attempt.not_open_yet', params: { at: w.opensAt.toISOString() } };
  if (now >= w.closesAt) return { reason: 'attempt.exam_closed' };
  if (w.attemptsAllowed !== null && mine.length >= w.attemptsAllowed) return { reason: 'attempt.none_left', params: { allowed: w.attemptsAllowed } };
  const last = mine[mine.length - 1];
  if (last?.submitted_at && e.attempt_wait_minutes > 0) {
    const from = new Date(new Date(last.submitted_at).getTime() + e.attempt_wait_minutes * 60_000);
    if (now < from) return { reason: 'attempt.wait', params: { minutes: Math.ceil((from.getTime() - now.getTime()) / 60_000) } };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Starting: the snapshot

interface PoolQuestion { question_id: string; version_id: string; points: string; type: string; option_count: number }
interface ItemRow { id: string; kind: 'fixed' | 'random'; question_id: string | null; question_version_id: string | null; category_path: string | null;
  category_id: string | null; tag: string | null; difficulty: number | null; draw_count: number; points: string | null }

/**
 * The pools of an exam's lines, kept by this process for a short while: when thousands start the same exam in the
 * same minute, the bank is read once, not once per person. Keyed by the exam and when it was published, so a
 * republished definition is read again; the bank's changes show within `POOL_TTL_MS`.
 */
const POOL_TTL_MS = 30_000;
const poolCache = new Map<string, { at: number; lines: { item: ItemRow; pool: PoolQuestion[] }[] }>();

async function linesOf(em: EntityManager, examId: string, publishedAt: Date | null) {
  const key = `${examId}:${publishedAt ? new Date(publishedAt).getTime() : 0}`;
  const hit = poolCache.get(key);
  if (hit && Date.now() - hit.at < POOL_TTL_MS) return hit.lines;
  const items = await query<ItemRow>(em, sql`
    select i.id, i.kind, i.question_id, i.question_version_id, c.path as category_path, i.category_id, i.tag, i.difficulty, i.draw_count, i.points
      from exam_item i left join question_category c on c.id = i.category_id where i.exam_id = ${examId} order by i.position`);
  const lines = [];
  for (const item of items) {
    const pool = item.kind === 'fixed'
      ? await query<PoolQuestion>(em, sql`
          select q.id as question_id, v.id as version_id, v.points, v.type,
                 case when jsonb_typeof(v.content->'options') = 'array' then jsonb_array_length(v.content->'options') else 0 end as option_count
            from question q join question_version v on v.id = coalesce(${item.question_version_id}::uuid, q.current_version_id)
           where q.id = ${item.question_id}`)
      : await query<PoolQuestion>(em, sql`
          select q.id as question_id, v.id as version_id, v.points, v.type,
                 case when jsonb_typeof(v.content->'options') = 'array' then jsonb_array_length(v.content->'options') else 0 end as option_count
            from question q join question_version v on v.id = q.current_version_id
            left join question_category c on c.id = q.category_id
           where q.status = 'active'
             and (${item.category_path}::text is null or c.path like ${item.category_path}::text || '%')
             and (${item.tag}::text is null or ${item.tag}::text = any(q.tags))
             and (${item.difficulty}::int is null or v.difficulty = ${item.difficulty}::int)`);
    lines.push({ item, pool });
  }
  if (poolCache.size > 200) poolCache.clear();
  poolCache.set(key, { at: Date.now(), lines });
  return lines;
}

function shuffle<T>(xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const SHUFFLED_OPTION_TYPES = new Set(['single_choice', 'multiple_choice']);

/**
 * Draws one attempt's questions: fixed lines as pinned, random lines from their pools, preferring questions the
 * person has not seen in earlier attempts while the pool allows, never one question twice.
 */
function drawSnapshot(lines: { item: ItemRow; pool: PoolQuestion[] }[], seen: Set<string>, e: Pick<ExamRow, 'shuffle_questions' | 'shuffle_options'>) {
  const chosen = new Set<string>();
  const slots: { itemId: string; q: PoolQuestion; points: number }[] = [];
  for (const { item, pool } of lines) {
    const count = item.kind === 'fixed' ? 1 : item.draw_count;
    const open = pool.filter((q) => !chosen.has(q.question_id));
    const fresh = shuffle(open.filter((q) => !seen.has(q.question_id)));
    const again = shuffle(open.filter((q) => seen.has(q.question_id)));
    const picked = [...fresh, ...again].slice(0, count);
    for (const q of picked) {
      chosen.add(q.question_id);
      slots.push({ itemId: item.id, q, points: item.points != null ? Number(item.points) : Number(q.points) });
    }
  }
  const ordered = e.shuffle_questions ? shuffle(slots) : slots;
  return ordered.map((s, slot) => ({
    slot, itemId: s.itemId, versionId: s.q.version_id, points: s.points,
    optionOrder: e.shuffle_options && SHUFFLED_OPTION_TYPES.has(s.q.type) && s.q.option_count > 1
      ? shuffle([...Array(s.q.option_count).keys()]) : null,
  }));
}

/**
 * Starts an attempt, or resumes the one in progress. The database allows one attempt in progress per person and
 * exam (a partial unique index), so two starts at once (two tabs, a retried request) end on the same attempt.
 */
export async function startAttempt(em: EntityManager, actor: Actor, examId: string, now: Date, lang: Lang) {
  const e = await examForPerson(em, actor, examId);
  const w = windowOf(e);
  for (let tries = 0; ; tries++) {
    if (tries > 5) throw refused(lang, 'attempt.start_again');
    const mine = await query<{ id: string; status: string; submitted_at: Date | null; deadline_at: Date }>(em, sql`
      select id, status, submitted_at, deadline_at from exam_attempt where exam_id = ${examId} and user_id = ${actor.id} order by number`);
    const open = mine.find((m) => m.status === 'in_progress');
    if (open) {
      if (new Date(open.deadline_at).getTime() + e.grace_seconds * 1000 >= now.getTime()) {
        return { created: false, view: await getAttempt(em, actor, open.id, now, lang, true) };
      }
      await finaliseOverdue(em, now, { attemptIds: [open.id] });
      continue;
    }
    const block = startBlock(e, w, mine, now);
    if (block) throw refused(lang, block.reason, block.params);
    const lines = await linesOf(em, examId, e.published_at);
    const seen = mine.length ? new Set((await query<{ question_id: string }>(em, sql`
      select distinct v.question_id from exam_attempt a join attempt_question s on s.attempt_id = a.id
        join question_version v on v.id = s.question_version_id where a.exam_id = ${examId} and a.user_id = ${actor.id}`)).map((r) => r.question_id))
      : new Set<string>();
    const snapshot = drawSnapshot(lines, seen, e);
    if (!snapshot.length) throw refused(lang, 'attempt.no_questions');
    const id = randomUUID();
    const deadline = attemptDeadline(w, now);
    let inserted: boolean;
    try {
      inserted = await em.transactional(async (tx) => {
        const rows = await query<{ id: string }>(tx, sql`
          insert into exam_attempt (id, exam_id, user_id, number, status, started_at, deadline_at, max_score)
          values (${id}, ${examId}, ${actor.id}, ${mine.length + 1}, 'in_progress', ${now}::timestamptz, ${deadline}::timestamptz,
                  ${snapshot.reduce((sum, x) => sum + x.points, 0)})
          on conflict (exam_id, user_id) where status = 'in_progress' do nothing
          returning id`);
        if (!rows.length) return false;
        await exec(tx, sql`
          with s as (
            select * from jsonb_to_recordset(${JSON.stringify(snapshot.map((x) => ({ slot: x.slot, item_id: x.itemId, version_id: x.versionId, points: x.points, option_order: x.optionOrder })))}::jsonb)
                   as s(slot int, item_id uuid, version_id uuid, points numeric, option_order jsonb)),
          q as (
            insert into attempt_question (attempt_id, slot, exam_item_id, question_version_id, points, option_order)
            select ${id}::uuid, s.slot, s.item_id, s.version_id, s.points,
                   case when s.option_order is null then null else array(select jsonb_array_elements_text(s.option_order)::int) end
              from s),
          u as (
            insert into question_usage (id, question_version_id, used_by_type, used_by_id)
            select gen_random_uuid(), v, 'exam_attempt', ${id}::uuid from (select distinct version_id as v from s) d)
          insert into attempt_event (id, attempt_id, kind, received_at) values (${randomUUID()}, ${id}, 'started', ${now}::timestamptz)`);
        return true;
      });
    } catch (err) {
      // Two starts at the same moment may both take the same attempt number: the loser reads again and resumes.
      if (tries < 3 && (err as { code?: string }).code === '23505') continue;
      throw err;
    }
    if (!inserted) continue;
    return { created: true, view: await getAttempt(em, actor, id, now, lang, false) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The attempt, as its learner sees it

interface AttemptRow extends Omit<ExamRow, 'id'> { id: string; exam_id: string; user_id: string; number: number; status: string; started_at: Date;
  deadline_at: Date; submitted_at: Date | null; finished_by: string | null; score: string | null; max_score: string; needs_grading: boolean;
  passed: boolean | null }

/** The actor's own attempt, with its exam's settings and the actor's override, in one read. */
async function ownAttempt(em: EntityManager, actor: Actor, attemptId: string): Promise<AttemptRow> {
  const row = await queryOne<AttemptRow>(em, sql`
    select ${EXAM_SETTINGS}, a.id, a.exam_id, a.user_id, a.number, a.status, a.started_at, a.deadline_at, a.submitted_at, a.finished_by, a.score,
           a.max_score, a.needs_grading, a.passed
      from exam_attempt a join exam e on e.id = a.exam_id left join exam_override ov on ov.exam_id = e.id and ov.user_id = a.user_id
     where a.id = ${attemptId} and a.user_id = ${actor.id}`);
  if (!row) throw notFound('attempt');
  return row;
}

const overdue = (a: Pick<AttemptRow, 'status' | 'deadline_at' | 'grace_seconds'>, now: Date) =>
  a.status === 'in_progress' && new Date(a.deadline_at).getTime() + a.grace_seconds * 1000 < now.getTime();

/**
 * Learner views of question versions, kept by this process: a version never changes once an attempt uses it, so its
 * view is read from the database once, not for every start and every reload of every attempt.
 */
const VIEW_CACHE_MAX = 5000;
const viewCache = new Map<string, LearnerView>();

export async function learnerViews(em: EntityManager, versionIds: readonly string[]): Promise<Map<string, LearnerView>> {
  const out = new Map<string, LearnerView>();
  const missing: string[] = [];
  for (const id of new Set(versionIds)) {
    const hit = viewCache.get(id);
    if (hit) out.set(id, hit);
    else missing.push(id);
  }
  if (missing.length) {
    const rows = await query<{ id: string; learner: LearnerView | null; content: Record<string, unknown> | null; content_hash: string; key: string;
      language: QLang; tags: string[] }>(em, sql`
      select v.id, v.rendered->'learner' as learner, case when v.rendered is null then v.content else null end as content, v.content_hash,
             q.key, q.language, q.tags
        from question_version v join question q on q.id = v.question_id where v.id = any(${missing}::uuid[])`);
    for (const r of rows) {
      const view = r.learner ?? learnerView(joinQuestion(r.content ?? {}, { key: r.key, language: r.language, tags: r.tags ?? [], modules: [] }), r.content_hash);
      if (viewCache.size >= VIEW_CACHE_MAX) viewCache.delete(viewCache.keys().next().value!);
      viewCache.set(r.id, view);
      out.set(r.id, view);
    }
  }
  return out;
}

interface SnapshotRow { slot: number; points: string; option_order: number[] | null; question_version_id: string }

async function slotsOf(em: EntityManager, attemptId: string) {
  const rows = await query<SnapshotRow>(em, sql`
    select slot, points, option_order, question_version_id from attempt_question where attempt_id = ${attemptId} order by slot`);
  const views = await learnerViews(em, rows.map((r) => r.question_version_id));
  return rows.map((r) => learnerSlot(r, views.get(r.question_version_id)!));
}

/** The learner view of one slot: the version's kept rendering, its options in the attempt's order. Never a key. */
export function learnerSlot(s: Pick<SnapshotRow, 'slot' | 'points' | 'option_order'>, view: LearnerView) {
  const options = view.options && s.option_order?.length === view.options.length ? s.option_order.map((i) => view.options![i]) : view.options;
  return {
    slot: s.slot, type: view.type, points: Number(s.points), stemHtml: view.stemHtml, response: view.response,
    ...(options ? { options: options.map((o) => ({ id: o.id, html: o.html })) } : {}),
    ...(view.blanks !== undefined ? { blanks: view.blanks } : {}),
    ...(view.matching ? { matching: { left: view.matching.left.map((o) => ({ id: o.id, html: o.html })), right: [...view.matching.right] } } : {}),
    ...(view.items ? { items: view.items.map((o) => ({ id: o.id, html: o.html })) } : {}),
  };
}

export async function getAttempt(em: EntityManager, actor: Actor, attemptId: string, now: Date, lang: Lang, resumed = false) {
  let a = await ownAttempt(em, actor, attemptId);
  if (overdue(a, now)) {
    await finaliseOverdue(em, now, { attemptIds: [a.id] });
    a = await ownAttempt(em, actor, attemptId);
  }
  const [slots, answers] = await Promise.all([
    slotsOf(em, a.id),
    query<{ slot: number; seq: number; response: Record<string, unknown>; flagged: boolean; saved_at: Date }>(em, sql`
      select slot, seq, response, flagged, saved_at from attempt_answer where attempt_id = ${a.id} order by slot`),
  ]);
  return {
    id: a.id, examId: a.exam_id, title: titleOf(a, lang), number: a.number, status: a.status,
    startedAt: new Date(a.started_at).toISOString(), deadlineAt: new Date(a.deadline_at).toISOString(), serverNow: now.toISOString(),
    graceSeconds: a.grace_seconds, submittedAt: iso(a.submitted_at), navigation: a.navigation, resumed,
    questions: slots,
    answers: answers.map((r) => ({ slot: r.slot, seq: r.seq, response: r.response, flagged: r.flagged, savedAt: new Date(r.saved_at).toISOString() })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Saving answers: the hot path

function checkAnswers(answers: readonly AnswerInputT[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<number>();
  answers.forEach((x, i) => {
    if (seen.has(x.slot)) issues.push({ path: `answers.${i}.slot`, reason: 'attempt.slot_twice' });
    seen.add(x.slot);
    if (JSON.stringify(x.response).length > MAX_RESPONSE_CHARS) issues.push({ path: `answers.${i}.response`, reason: 'attempt.response_too_long' });
  });
  return issues;
}

interface SaveOutcome { open: boolean | null; slots: number | null; acked: { slot: number; seq: number }[] | null; deadline_at: Date | null; status: string | null }

/**
 * Saves a batch of answers in one statement: the attempt must be the actor's, in progress and within its deadline
 * plus grace; each slot keeps the response with the highest sequence number, so a replayed or out-of-order save
 * changes nothing. Acknowledges each slot sent with the sequence number the server now holds. The attempt's row is
 * share-locked for the statement, so a submit or the deadline job cannot end and grade the attempt between this
 * save's check that it is open and its write: an acknowledged answer is always the one graded.
 */
export async function saveAnswers(em: EntityManager, actor: Actor, attemptId: string, input: SaveAnswersInput, now: Date, lang: Lang) {
  const issues = checkAnswers(input.answers);
  if (issues.length) throw invalid(issues);
  const rows = JSON.stringify(input.answers.map((x) => ({ slot: x.slot, seq: x.seq, response: x.response, flagged: x.flagged ?? null })));
  const out = await queryOne<SaveOutcome>(em, sql`
    with a as (
      select a.id, a.status, a.deadline_at,
             (a.status = 'in_progress' and ${now}::timestamptz <= a.deadline_at + make_interval(secs => e.grace_seconds)) as open,
             (select count(*)::int from attempt_question q where q.attempt_id = a.id) as slots
        from exam_attempt a join exam e on e.id = a.exam_id where a.id = ${attemptId} and a.user_id = ${actor.id}
         for share of a),
    s as (select * from jsonb_to_recordset(${rows}::jsonb) as s(slot int, seq int, response jsonb, flagged boolean)),
    up as (
      insert into attempt_answer as t (attempt_id, slot, response, flagged, seq, saved_at)
      select a.id, s.slot, s.response, coalesce(s.flagged, false), s.seq, ${now}::timestamptz from s, a where a.open and (select max(slot) from s) < a.slots
      on conflict (attempt_id, slot) do update
         set response = excluded.response, flagged = excluded.flagged, seq = excluded.seq, saved_at = excluded.saved_at
       where t.seq < excluded.seq
      returning t.slot, t.seq)
    select a.open, a.slots, a.deadline_at, a.status,
           (select json_agg(json_build_object('slot', up.slot, 'seq', up.seq)) from up) as acked
      from a`);
  if (!out) throw notFound('attempt');
  const bad = input.answers.findIndex((x) => x.slot >= (out.slots ?? 0));
  if (bad >= 0) throw invalid([{ path: `answers.${bad}.slot`, reason: 'attempt.unknown_slot' }]);
  if (!out.open) {
    await keepLate(em, attemptId, input.answers, now);
    if (out.status === 'in_progress') await finaliseOverdue(em, now, { attemptIds: [attemptId] });
    throw refused(lang, out.status === 'in_progress' ? 'attempt.time_up' : 'attempt.already_submitted');
  }
  const acked = new Map((out.acked ?? []).map((r) => [r.slot, r.seq]));
  const stale = input.answers.filter((x) => !acked.has(x.slot));
  if (stale.length) {
    // Older than what is kept: say which sequence number the server holds, so the client forgets these.
    for (const r of await query<{ slot: number; seq: number }>(em, sql`
      select slot, seq from attempt_answer where attempt_id = ${attemptId} and slot = any(${stale.map((x) => x.slot)}::int[])`)) acked.set(r.slot, r.seq);
  }
  return {
    acknowledged: input.answers.map((x) => ({ slot: x.slot, seq: acked.get(x.slot) ?? x.seq })),
    deadlineAt: new Date(out.deadline_at!).toISOString(), serverNow: now.toISOString(),
  };
}

/** Saves that came too late: kept for trainers (newest per slot is what they read), never counted. */
async function keepLate(em: EntityManager, attemptId: string, answers: readonly AnswerInputT[], now: Date) {
  await exec(em, sql`
    insert into attempt_late_answer (id, attempt_id, slot, response, seq, received_at)
    select gen_random_uuid(), ${attemptId}::uuid, s.slot, s.response, s.seq, ${now}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(answers.map((x) => ({ slot: x.slot, seq: x.seq, response: x.response })))}::jsonb) as s(slot int, seq int, response jsonb)
     where not exists (select 1 from attempt_late_answer l where l.attempt_id = ${attemptId}::uuid and l.slot = s.slot and l.seq = s.seq)`);
  await exec(em, sql`insert into attempt_event (id, attempt_id, kind, received_at, detail)
    values (${randomUUID()}, ${attemptId}, 'late_save', ${now}::timestamptz, ${`${answers.length}`})`);
}

// ---------------------------------------------------------------------------------------------------------------
// Submitting

/**
 * Submits the attempt: saves the answers sent with it, marks it submitted and grades it, in one transaction. A
 * repeated submit (a retry after a lost response) changes nothing and answers the same. After the deadline and its
 * grace the attempt is finalised by the deadline instead, with what was saved in time.
 */
export async function submitAttempt(em: EntityManager, actor: Actor, attemptId: string, input: SubmitInput, now: Date, lang: Lang) {
  let a = await ownAttempt(em, actor, attemptId);
  if (a.status === 'in_progress' && input.answers?.length && !overdue(a, now)) {
    await saveAnswers(em, actor, attemptId, { answers: input.answers }, now, lang);
  } else if (a.status !== 'in_progress' && input.answers?.length) {
    // Answers sent with a submit that comes after the attempt finished are kept as late, never counted.
    await keepLate(em, attemptId, input.answers, now);
  }
  if (a.status === 'in_progress') {
    let submitted = false;
    if (overdue(a, now)) {
      await finaliseOverdue(em, now, { attemptIds: [a.id] });
    } else {
      submitted = await em.transactional(async (tx) => {
        const done = await query<{ id: string }>(tx, sql`
          with done as (
            update exam_attempt set status = 'submitted', finished_by = 'learner', submitted_at = ${now}::timestamptz
             where id = ${attemptId} and user_id = ${actor.id} and status = 'in_progress' returning id),
          logged as (insert into attempt_event (id, attempt_id, kind, received_at)
                     select ${randomUUID()}::uuid, id, 'submitted', ${now}::timestamptz from done)
          select id from done`);
        if (!done.length) return false;
        await gradeAttempts(tx, [attemptId]);
        return true;
      });
    }
    // Submitted here: what it now is, is known; otherwise (finalised, or finished meanwhile) read it again.
    a = submitted ? { ...a, status: 'submitted', finished_by: 'learner', submitted_at: now } : await ownAttempt(em, actor, attemptId);
  }
  const from = reviewFrom(a, windowOf(a), a.submitted_at && new Date(a.submitted_at));
  return {
    attemptId: a.id, status: a.status, submittedAt: new Date(a.submitted_at!).toISOString(), finishedBy: a.finished_by ?? 'learner',
    reviewFrom: iso(from), reviewAvailable: from !== null && now >= from,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Review

const FEEDBACK_FIELDS = new Set(['feedbackHtml', 'feedbackTrueHtml', 'feedbackFalseHtml', 'incorrectFeedbackHtml']);

/**
 * The right answers of a question as a learner may see them: never the grader's rubric; the feedback texts only when
 * the policy shows feedback.
 */
export function keyOf(answer: Record<string, unknown>, withFeedback: boolean): { explanationHtml?: string } & Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => withFeedback || !FEEDBACK_FIELDS.has(k)).map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  const { rubricHtml: _rubric, ...rest } = answer;
  return strip(rest) as { explanationHtml?: string } & Record<string, unknown>;
}

/**
 * The review of a finished attempt, as far as the exam's policy allows and no further: before it opens, only that
 * the attempt is submitted and when the review opens; then the score, correctness, the right answers and feedback
 * each only if the policy says so.
 */
export async function getAttemptReview(em: EntityManager, actor: Actor, attemptId: string, now: Date, lang: Lang) {
  let a = await ownAttempt(em, actor, attemptId);
  if (overdue(a, now)) {
    await finaliseOverdue(em, now, { attemptIds: [a.id] });
    a = await ownAttempt(em, actor, attemptId);
  }
  if (a.status === 'in_progress') throw refused(lang, 'attempt.not_finished');
  const e = a;
  const from = reviewFrom(e, windowOf(e), a.submitted_at && new Date(a.submitted_at));
  const available = from !== null && now >= from;
  const base = {
    attemptId: a.id, examId: a.exam_id, title: titleOf(a, lang), status: a.status, submittedAt: iso(a.submitted_at), finishedBy: a.finished_by,
    available, availableFrom: available ? null : iso(from),
  };
  if (!available) return { ...base, questions: [], changes: [] };
  const slots = await query<SnapshotRow & { rendered_answer: Record<string, unknown> | null; content_hash: string; key: string; language: QLang; tags: string[]; score: string | null; correct: boolean | null; needs_grading: boolean; grader_comment: string;
    response: Record<string, unknown> | null; full: Record<string, unknown> }>(em, sql`
    select s.slot, s.points, s.option_order, s.question_version_id, v.rendered->'answer' as rendered_answer,
           v.content as full, v.content_hash, q.key, q.language, q.tags, s.score, s.correct, s.needs_grading, s.grader_comment, r.response
      from attempt_question s join question_version v on v.id = s.question_version_id join question q on q.id = v.question_id
      left join attempt_answer r on r.attempt_id = s.attempt_id and r.slot = s.slot
     where s.attempt_id = ${a.id} order by s.slot`);
  const views = await learnerViews(em, slots.map((s) => s.question_version_id));
  const questions = slots.map((s) => {
    const view = learnerSlot(s, views.get(s.question_version_id)!);
    const answer = (s.rendered_answer ?? answerView(joinQuestion(s.full, { key: s.key, language: s.language, tags: s.tags ?? [], modules: [] }))) as Record<string, unknown>;
    const { explanationHtml, ...key } = keyOf(answer, e.review_feedback);
    return {
      ...view, answer: s.response,
      ...(e.review_score ? { score: num(s.score) } : {}),
      ...(e.review_correctness ? { correct: s.needs_grading ? null : s.correct, pendingGrading: s.needs_grading } : {}),
      ...(e.review_answers ? { key } : {}),
      ...(e.review_feedback ? { explanationHtml: explanationHtml ?? '', graderComment: s.grader_comment } : {}),
    };
  });
  const score = num(a.score);
  const max = Number(a.max_score);
  const changes = e.review_score ? await regradeChangesFor(em, a.id) : [];
  return {
    ...base,
    ...(e.review_score ? { score, maxScore: max, percent: score === null || max <= 0 ? null : Math.round((score / max) * 1000) / 10, passed: a.passed, pendingGrading: a.needs_grading } : {}),
    questions,
    changes: changes.map((c) => ({ slot: c.slots[0] ?? -1, oldScore: c.oldScore, newScore: c.newScore, reason: c.reason, at: c.regradedAt })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Integrity log

export async function recordAttemptEvents(em: EntityManager, actor: Actor, attemptId: string, input: EventsInput, now: Date) {
  await ownAttempt(em, actor, attemptId);
  await exec(em, sql`
    insert into attempt_event (id, attempt_id, kind, client_at, received_at, detail)
    select gen_random_uuid(), ${attemptId}::uuid, x.kind, x.at, ${now}::timestamptz, coalesce(x.detail, '')
      from jsonb_to_recordset(${JSON.stringify(input.events)}::jsonb) as x(kind text, at timestamptz, detail text)`);
  return { recorded: input.events.length };
}

/** An attempt's integrity log and late saves, for the people who may read results of someone in their scope. */
export async function getAttemptIntegrityLog(em: EntityManager, actor: Actor, attemptId: string) {
  const scope = await scopeOf(em, actor);
  const a = await queryOne<{ id: string; exam_id: string; user_id: string; username: string; display_name: string; number: number; status: string;
    started_at: Date; deadline_at: Date; submitted_at: Date | null; finished_by: string | null; score: string | null; max_score: string }>(em, sql`
    select a.id, a.exam_id, a.user_id, u.username, u.display_name, a.number, a.status, a.started_at, a.deadline_at, a.submitted_at, a.finished_by,
           a.score, a.max_score
      from exam_attempt a join app_user u on u.id = a.user_id join org_unit o on o.id = u.org_unit_id
     where a.id = ${attemptId} and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`);
  if (!a) throw notFound('attempt');
  const [events, late] = await Promise.all([
    query<{ kind: string; client_at: Date | null; received_at: Date; detail: string }>(em, sql`
      select kind, client_at, received_at, detail from attempt_event where attempt_id = ${attemptId} order by received_at, client_at`),
    query<{ slot: number; seq: number; response: Record<string, unknown>; received_at: Date }>(em, sql`
      select slot, seq, response, received_at from attempt_late_answer where attempt_id = ${attemptId} order by received_at, slot`),
  ]);
  return {
    attemptId: a.id, examId: a.exam_id, userId: a.user_id, username: a.username, displayName: a.display_name, number: a.number, status: a.status,
    startedAt: new Date(a.started_at).toISOString(), deadlineAt: new Date(a.deadline_at).toISOString(), submittedAt: iso(a.submitted_at),
    finishedBy: a.finished_by, score: num(a.score), maxScore: Number(a.max_score),
    events: events.map((x) => ({ kind: x.kind, clientAt: iso(x.client_at), receivedAt: new Date(x.received_at).toISOString(), detail: x.detail })),
    lateAnswers: late.map((x) => ({ slot: x.slot, seq: x.seq, response: x.response, receivedAt: new Date(x.received_at).toISOString() })),
  };
}
