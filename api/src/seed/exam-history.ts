/**
 * The demo organisation's exam history: the last twelve months of monthly exams (and make-ups for two of them), each
 * taken by every staff member with their own strengths and weaknesses per topic, plus this month's exam open now, so
 * results, item analysis and score trends have something real to show from the first start.
 *
 * Answers are made to be right or wrong by a person's chance on that question (their ability, their strength in the
 * question's topic, the question's difficulty, a little progress month by month), then scored by the product's own
 * scoring (`scoreResponse`), so every stored score is what grading the stored answer gives. Everything is drawn from
 * a seeded generator: the same start on the same day makes the same history.
 *
 * Runs once, on a database the demo organisation was loaded into, after the question bank is synchronised.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { seededRandom } from '../lib/seeded-random.js';
import { exec, query, queryOne, sql } from '../lib/sql.js';
import { scoreResponse } from '../modules/questions/scoring.js';
import { loadQuestions } from '../modules/questions/question-store.js';
import type { Question } from '../modules/questions/question-model.js';
import { lastFingerprint, recordFingerprint } from '../modules/content/sync-state.js';

const MARKER = 'demo_exam_history';
const PER_TOPIC = 3;
const TIME_LIMIT = 30;

function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function pick<T>(items: readonly T[], n: number, rnd: () => number): T[] {
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}

/** A response to a question that is right, or one that is wrong in a way a person might get it wrong. */
export function demoResponse(q: Question, right: boolean, rnd: () => number): Record<string, unknown> {
  switch (q.type) {
    case 'single_choice': {
      const best = q.options.findIndex((o) => o.correct);
      const others = q.options.map((_, i) => i).filter((i) => i !== best);
      return { choice: right || !others.length ? best : others[Math.floor(rnd() * others.length)] };
    }
    case 'multiple_choice': {
      const correct = q.options.map((o, i) => (o.correct ? i : -1)).filter((i) => i >= 0);
      if (right) return { choices: correct };
      const wrong = q.options.map((o, i) => (o.correct ? -1 : i)).filter((i) => i >= 0);
      const kept = correct.filter(() => rnd() < 0.6);
      return { choices: [...kept, ...(wrong.length && rnd() < 0.6 ? [wrong[Math.floor(rnd() * wrong.length)]] : [])] };
    }
    case 'true_false':
      return { answer: right ? q.answer : !q.answer };
    case 'fill_blank':
      return { blanks: q.blanks.map((b) => (right ? String(typeof b.answers[0] === 'string' ? b.answers[0] : b.answers[0]?.text ?? '') : '不清楚')) };
    case 'numeric': {
      const a = q.answers[0];
      const v = !a ? 0 : 'min' in a ? (a.min + a.max) / 2 : a.value;
      return { value: right ? v : v * 1.5 + 7 };
    }
    case 'matching': {
      const rights = q.pairs.map((p) => p.right);
      return { matches: right ? rights : rights.map((_, i) => rights[(i + 1) % rights.length]) };
    }
    case 'ordering': {
      const order = q.items.map((_, i) => i);
      if (!right && order.length > 1) [order[0], order[1]] = [order[1], order[0]];
      return { order };
    }
    default:
      return { text: '' };
  }
}

interface Person { id: string; ability: number; growth: number; strength: Map<string, number> }
interface PoolQuestion { versionId: string; topic: string; question: Question; points: number; difficulty: number }
interface Slot { attemptId: string; slot: number; q: PoolQuestion; response: Record<string, unknown>; score: number; fraction: number | null; correct: boolean | null }
interface AttemptRow {
  id: string; examId: string; userId: string; startedAt: Date; deadlineAt: Date; submittedAt: Date;
  finishedBy: 'learner' | 'deadline'; score: number; max: number; passed: boolean;
}

const monthKey = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Seeds the history unless it was seeded before or the database holds no demo organisation. Returns what it made. */
export async function seedExamHistory(em: EntityManager, now: Date): Promise<{ exams: number; attempts: number } | null> {
  if (await lastFingerprint(em, MARKER)) return null;
  const trainer = await queryOne<{ id: string }>(em, sql`select id from app_user where username = 'trainer'`);
  const first = await queryOne<{ id: string }>(em, sql`select id from app_user where username = '10001'`);
  const root = await queryOne<{ id: string }>(em, sql`select id from org_unit where parent_id is null order by created_at limit 1`);
  if (!trainer || !first || !root) return null;
  if ((await queryOne<{ n: number }>(em, sql`select count(*)::int as n from exam`))!.n > 0) return null;

  const staff = await query<{ id: string; username: string }>(em, sql`
    select id, username from app_user where role = 'staff' and not disabled order by username`);
  const ids = (await query<{ id: string }>(em, sql`
    select q.id from question q join question_version v on v.id = q.current_version_id
     where q.status = 'active' and q.language = 'zh' and v.type not in ('short_answer', 'essay') order by q.key`)).map((r) => r.id);
  const stored = await loadQuestions(em, ids);
  const topics = new Map<string, PoolQuestion[]>();
  for (const s of stored) {
    const topic = (s.category ?? '').split('/')[0];
    if (!topic) continue;
    const list = topics.get(topic) ?? [];
    list.push({ versionId: s.version.id, topic, question: s.question, points: Number(s.question.points) || 1, difficulty: Number(s.question.difficulty) || 3 });
    topics.set(topic, list);
  }
  const topicNames = [...topics.keys()].filter((t) => topics.get(t)!.length >= PER_TOPIC).sort();
  if (!topicNames.length || !staff.length) return null;
  const categoryIds = new Map((await query<{ id: string; path: string }>(em, sql`
    select id, path from question_category where path = any(${topicNames}::text[])`)).map((r) => [r.path, r.id]));

  const rnd = seededRandom(`exam-history ${monthKey(now)}`);
  const people: Person[] = staff.map((s) => ({
    id: s.id, ability: normal(rnd) * 0.8, growth: normal(rnd) * 0.04 + 0.02,
    strength: new Map(topicNames.map((t) => [t, normal(rnd) * 0.7])),
  }));

  let examCount = 0;
  let attemptCount = 0;
  const makeExam = async (e: {
    titleZh: string; titleEn: string; kind: 'monthly' | 'makeup'; period: string; opensAt: Date; closesAt: Date;
    userIds: string[]; orgUnitIds: string[]; makeupOf: string | null;
  }): Promise<{ id: string; passMark: number; items: Map<string, string> }> => {
    const id = randomUUID();
    // Draws differ in points from person to person; the pass mark is 60 % of what a draw is worth on average.
    const meanPoints = topicNames.reduce((sum, t) => {
      const pool = topics.get(t)!;
      return sum + (PER_TOPIC * pool.reduce((s, q) => s + q.points, 0)) / pool.length;
    }, 0);
    const passMark = Math.round(meanPoints * 0.6);
    await exec(em, sql`
      insert into exam (id, title_zh, title_en, kind, period, status, opens_at, closes_at, time_limit_minutes, attempts_allowed,
                        grading_method, pass_mark, review_when, review_answers, org_unit_ids, user_ids, makeup_of, created_by,
                        created_at, updated_at, published_at)
      values (${id}, ${e.titleZh}, ${e.titleEn}, ${e.kind}, ${e.period}, 'published', ${e.opensAt}, ${e.closesAt}, ${TIME_LIMIT}, 1,
              'highest', ${passMark}, 'after_close', true, ${e.orgUnitIds}::uuid[], ${e.userIds}::uuid[], ${e.makeupOf},
              ${trainer.id}, ${new Date(e.opensAt.getTime() - 7 * 86_400_000)}, ${e.opensAt}, ${new Date(e.opensAt.getTime() - 5 * 86_400_000)})`);
    const items = new Map<string, string>();
    for (const [i, t] of topicNames.entries()) {
      const itemId = randomUUID();
      items.set(t, itemId);
      await exec(em, sql`insert into exam_item (id, exam_id, position, kind, category_id, draw_count)
                         values (${itemId}, ${id}, ${i}, 'random', ${categoryIds.get(t) ?? null}, ${PER_TOPIC})`);
    }
    examCount++;
    return { id, passMark, items };
  };

  const takeExam = async (examId: string, items: Map<string, string>, takers: Person[], opensAt: Date, closesAt: Date, monthsAgo: number, passMark: number) => {
    const attempts: AttemptRow[] = [];
    const slots: Slot[] = [];
    for (const p of takers) {
      const attemptId = randomUUID();
      const drawn = topicNames.flatMap((t) => pick(topics.get(t)!, PER_TOPIC, rnd));
      const order = pick(drawn, drawn.length, rnd);
      let score = 0;
      let max = 0;
      order.forEach((q, slot) => {
        const skill = 1.1 + p.ability + p.strength.get(q.topic)! + p.growth * (12 - monthsAgo) - 0.45 * (q.difficulty - 3);
        const right = rnd() < 1 / (1 + Math.exp(-skill));
        const response = demoResponse(q.question, right, rnd);
        const r = scoreResponse(q.question, response);
        score += r.score;
        max += r.max;
        slots.push({ attemptId, slot, q, response, score: r.score, fraction: r.fraction, correct: r.correct });
      });
      const window = closesAt.getTime() - opensAt.getTime() - (TIME_LIMIT + 5) * 60_000;
      const startedAt = new Date(opensAt.getTime() + Math.floor(rnd() * window));
      const deadlineAt = new Date(startedAt.getTime() + TIME_LIMIT * 60_000);
      const late = rnd() < 0.03;
      const submittedAt = late ? deadlineAt : new Date(startedAt.getTime() + (8 + Math.floor(rnd() * 20)) * 60_000 + Math.floor(rnd() * 60_000));
      score = Math.round(score * 100) / 100;
      attempts.push({ id: attemptId, examId, userId: p.id, startedAt, deadlineAt, submittedAt, finishedBy: late ? 'deadline' : 'learner', score, max, passed: score >= passMark });
    }
    if (!attempts.length) return;
    await exec(em, sql`
      insert into exam_attempt (id, exam_id, user_id, number, status, started_at, deadline_at, submitted_at, finished_by, score, max_score, needs_grading, passed)
      select a.id, a.exam_id, a.user_id, 1, case when a.finished_by = 'deadline' then 'finalised' else 'submitted' end,
             a.started_at, a.deadline_at, a.submitted_at, a.finished_by, a.score, a.max_score, false, a.passed
        from unnest(${attempts.map((a) => a.id)}::uuid[], ${attempts.map((a) => a.examId)}::uuid[], ${attempts.map((a) => a.userId)}::uuid[],
                    ${attempts.map((a) => a.startedAt.toISOString())}::timestamptz[], ${attempts.map((a) => a.deadlineAt.toISOString())}::timestamptz[],
                    ${attempts.map((a) => a.submittedAt.toISOString())}::timestamptz[], ${attempts.map((a) => a.finishedBy)}::text[],
                    ${attempts.map((a) => String(a.score))}::numeric[], ${attempts.map((a) => String(a.max))}::numeric[], ${attempts.map((a) => String(a.passed))}::boolean[])
             as a(id, exam_id, user_id, started_at, deadline_at, submitted_at, finished_by, score, max_score, passed)`);
    const submittedOf = new Map(attempts.map((a) => [a.id, a.submittedAt]));
    for (let i = 0; i < slots.length; i += 2000) {
      const part = slots.slice(i, i + 2000);
      await exec(em, sql`
        insert into attempt_question (attempt_id, slot, exam_item_id, question_version_id, points, score, fraction, correct, needs_grading)
        select s.attempt_id, s.slot, s.item_id, s.version_id, s.points, s.score, s.fraction, s.correct, false
          from unnest(${part.map((s) => s.attemptId)}::uuid[], ${part.map((s) => String(s.slot))}::int[], ${part.map((s) => items.get(s.q.topic)!)}::uuid[],
                      ${part.map((s) => s.q.versionId)}::uuid[],
                      ${part.map((s) => String(s.q.points))}::numeric[], ${part.map((s) => String(s.score))}::numeric[],
                      ${part.map((s) => String(s.fraction ?? 0))}::numeric[], ${part.map((s) => String(s.correct === true))}::boolean[])
               as s(attempt_id, slot, item_id, version_id, points, score, fraction, correct)`);
      await exec(em, sql`
        insert into attempt_answer (attempt_id, slot, response, seq, saved_at)
        select s.attempt_id, s.slot, s.response, 1, s.saved_at
          from unnest(${part.map((s) => s.attemptId)}::uuid[], ${part.map((s) => String(s.slot))}::int[], ${part.map((s) => JSON.stringify(s.response))}::jsonb[],
                      ${part.map((s) => submittedOf.get(s.attemptId)!.toISOString())}::timestamptz[])
               as s(attempt_id, slot, response, saved_at)`);
      await exec(em, sql`
        insert into question_usage (id, question_version_id, used_by_type, used_by_id)
        select gen_random_uuid(), s.version_id, 'exam_attempt', s.attempt_id
          from unnest(${part.map((s) => s.q.versionId)}::uuid[], ${part.map((s) => s.attemptId)}::uuid[]) as s(version_id, attempt_id)
        on conflict do nothing`);
    }
    await exec(em, sql`
      insert into attempt_event (id, attempt_id, kind, received_at)
      select gen_random_uuid(), a.id, k.kind, case when k.kind = 'started' then a.started_at else a.submitted_at end
        from exam_attempt a cross join (values ('started'), ('submitted')) as k(kind)
       where a.exam_id = ${examId}`);
    attemptCount += attempts.length;
  };

  await em.transactional(async (tx) => {
    em = tx;
    // The twentieth to the twenty-fifth of each month (UTC+8 midnight), counting for that month.
    for (let monthsAgo = 12; monthsAgo >= 1; monthsAgo--) {
      const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
      const period = monthKey(month);
      const [y, m] = [month.getUTCFullYear(), month.getUTCMonth()];
      const opensAt = new Date(Date.UTC(y, m, 19, 16));
      const closesAt = new Date(Date.UTC(y, m, 25, 16));
      const exam = await makeExam({
        titleZh: `${y}年${m + 1}月营销业务月度考试`, titleEn: `${EN_MONTHS[m]} ${y} monthly exam`, kind: 'monthly', period,
        opensAt, closesAt, userIds: [], orgUnitIds: [root.id], makeupOf: null,
      });
      const missed = people.filter((p) => p.id !== first.id && rnd() < 0.05);
      await takeExam(exam.id, exam.items, people.filter((p) => !missed.includes(p)), opensAt, closesAt, monthsAgo, exam.passMark);
      // Make-ups for those who missed it, in two of the months.
      if ((monthsAgo === 9 || monthsAgo === 4) && missed.length) {
        const mOpens = new Date(Date.UTC(y, m, 27, 16));
        const mCloses = new Date(Date.UTC(y, m + 1, 2, 16));
        const makeup = await makeExam({
          titleZh: `${y}年${m + 1}月月度考试补考`, titleEn: `${EN_MONTHS[m]} ${y} monthly exam, make-up`, kind: 'makeup', period,
          opensAt: mOpens, closesAt: mCloses, userIds: missed.map((p) => p.id), orgUnitIds: [], makeupOf: exam.id,
        });
        await takeExam(makeup.id, makeup.items, missed.filter(() => rnd() < 0.8), mOpens, mCloses, monthsAgo, makeup.passMark);
      }
    }
    // This month's exam is open now, for everyone, so a newcomer signed in as 10001 can take it at once.
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth();
    await makeExam({
      titleZh: `${y}年${m + 1}月营销业务月度考试`, titleEn: `${EN_MONTHS[m]} ${y} monthly exam`, kind: 'monthly', period: monthKey(now),
      opensAt: new Date(now.getTime() - 86_400_000), closesAt: new Date(now.getTime() + 14 * 86_400_000),
      userIds: [], orgUnitIds: [root.id], makeupOf: null,
    });
    await recordFingerprint(tx, MARKER, 'seeded');
  });
  return { exams: examCount, attempts: attemptCount };
}
