import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../api/src/startup.js';
import { seedExamHistory } from '../../api/src/seed/exam-history.js';
import { query, queryOne, sql } from '../../api/src/lib/sql.js';
import { loadQuestions } from '../../api/src/modules/questions/question-store.js';
import { scoreResponse } from '../../api/src/modules/questions/scoring.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, trace: () => {}, fatal: () => {}, child: () => quiet, level: 'silent', silent: () => {} } as never;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  const dataDir = mkdtempSync(join(tmpdir(), 'exam-history-'));
  await prepareDatabase(ctx.orm, { seedDemo: true, demoPassword: 'Demo-Harbor-2026', dataDir, contentDir: 'content' }, quiet);
}, 120_000);
afterAll(async () => ctx?.close());

const em = () => ctx.orm.em.fork();

describe('demo exam history', () => {
  it('holds a monthly exam for each of the last twelve months, make-ups, and one open now', async () => {
    const exams = await query<{ kind: string; period: string; opens_at: Date; closes_at: Date; makeup_of: string | null }>(em(), sql`
      select kind, period, opens_at, closes_at, makeup_of from exam order by opens_at`);
    const monthly = exams.filter((e) => e.kind === 'monthly');
    expect(monthly).toHaveLength(13);
    expect(new Set(monthly.map((e) => e.period)).size).toBe(13);
    const now = Date.now();
    const open = monthly.filter((e) => new Date(e.opens_at).getTime() <= now && new Date(e.closes_at).getTime() > now);
    expect(open).toHaveLength(1);
    const makeups = exams.filter((e) => e.kind === 'makeup');
    expect(makeups.length).toBeGreaterThanOrEqual(1);
    expect(makeups.every((m) => m.makeup_of)).toBe(true);
  });

  it('gives 10001 an attempt in every past month and the open exam to take', async () => {
    const row = await queryOne<{ n: number }>(em(), sql`
      select count(*)::int as n from exam_attempt a join app_user u on u.id = a.user_id join exam e on e.id = a.exam_id
       where u.username = '10001' and e.kind = 'monthly'`);
    expect(row!.n).toBe(12);
    const login = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: '10001', password: 'Demo-Harbor-2026' } });
    expect(login.statusCode).toBe(200);
  });

  it('stores every score as the product scores the stored answer', async () => {
    const slots = await query<{ question_id: string; response: Record<string, unknown>; score: string; points: string }>(em(), sql`
      select v.question_id, aa.response, aq.score::text as score, aq.points::text as points
        from attempt_question aq join attempt_answer aa on aa.attempt_id = aq.attempt_id and aa.slot = aq.slot
        join question_version v on v.id = aq.question_version_id
       order by aq.attempt_id, aq.slot limit 400`);
    expect(slots.length).toBe(400);
    const questions = new Map((await loadQuestions(em(), [...new Set(slots.map((s) => s.question_id))])).map((q) => [q.id, q.question]));
    for (const s of slots) {
      expect(scoreResponse(questions.get(s.question_id)!, s.response).score).toBe(Number(s.score));
    }
    const totals = await query<{ ok: boolean }>(em(), sql`
      select a.score = sum(q.score) and a.max_score = sum(q.points) as ok
        from exam_attempt a join attempt_question q on q.attempt_id = a.id group by a.id, a.score, a.max_score`);
    expect(totals.length).toBeGreaterThan(400);
    expect(totals.every((t) => t.ok)).toBe(true);
  });

  it('makes people differ, by person and by topic, and not everyone pass', async () => {
    const people = await query<{ mean: number }>(em(), sql`
      select avg(a.score / nullif(a.max_score, 0))::float as mean from exam_attempt a group by a.user_id`);
    const means = people.map((p) => p.mean);
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(0.2);
    const pass = await queryOne<{ rate: number }>(em(), sql`select avg(case when passed then 1 else 0 end)::float as rate from exam_attempt`);
    expect(pass!.rate).toBeGreaterThan(0.4);
    expect(pass!.rate).toBeLessThan(0.98);
    const topics = await query<{ spread: number }>(em(), sql`
      select max(t.rate) - min(t.rate) as spread from (
        select a.user_id, split_part(c.path, '/', 1) as topic, avg(q.fraction)::float as rate
          from exam_attempt a join attempt_question q on q.attempt_id = a.id
          join question_version v on v.id = q.question_version_id join question qq on qq.id = v.question_id
          join question_category c on c.id = qq.category_id
         group by a.user_id, topic) t group by t.user_id`);
    const mean = topics.reduce((s, t) => s + t.spread, 0) / topics.length;
    expect(mean).toBeGreaterThan(0.15);
  });

  it('records the pinned versions as used and runs only once', async () => {
    const usage = await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from question_usage where used_by_type = 'exam_attempt'`);
    const slots = await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from attempt_question`);
    expect(usage!.n).toBe(slots!.n);
    const before = await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from exam`);
    expect(await seedExamHistory(em(), new Date())).toBeNull();
    const after = await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from exam`);
    expect(after!.n).toBe(before!.n);
  });
});
