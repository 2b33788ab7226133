// Benchmark: item analysis of one exam with 5,000 attempts of 40 questions, against reading the same rows (the
// baseline: the one statement the analysis itself runs to fetch the attempts' slots and answers, with nothing
// computed), in the same run, on a fresh database.
//
// The demo organisation and question bank are loaded as a first start would; then 5,000 people, one published exam
// of 40 fixed questions and an attempt for each person (answers right or wrong by a per-person ability, scored by
// the product's scoring) are written in bulk. The analysis runs through the service the route calls
// (`getItemAnalysis`, as a trainer), BENCH_RUNS times; the event loop's longest delay during a run is reported too,
// since the arithmetic yields between slices so that other requests are served meanwhile.
//
//   npx tsx bench/item-analysis.ts
//   BENCH_DB (pglite | postgres), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_ATTEMPTS
//   (5000), BENCH_QUESTIONS (40), BENCH_RUNS (3)
//
// Writes docs/benchmarks/item-analysis-<db>.json.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createOrm, migrate, type Orm } from '../api/src/db/orm.js';
import { prepareDatabase } from '../api/src/startup.js';
import { exec, query, queryOne, sql } from '../api/src/lib/sql.js';
import { loadQuestions } from '../api/src/modules/questions/question-store.js';
import { scoreResponse } from '../api/src/modules/questions/scoring.js';
import { demoResponse } from '../api/src/seed/exam-history.js';
import { getItemAnalysis } from '../api/src/modules/exams/exam-results.service.js';
import type { Actor } from '../api/src/access/actor.js';

const DB = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 5000);
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, trace: () => {}, fatal: () => {}, child: () => quiet, level: 'silent', silent: () => {} } as never;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dbName = `bench_items_${randomBytes(4).toString('hex')}`;
  let orm: Orm;
  if (DB === 'postgres') {
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    orm = await createOrm({ url: url.toString(), poolMax: 4 });
  } else {
    orm = await createOrm({});
  }
  try {
    await migrate(orm);
    await prepareDatabase(orm, { seedDemo: true, demoPassword: 'bench-password-2026', dataDir: mkdtempSync(join(tmpdir(), 'bench-items-')), contentDir: 'content' }, quiet);
    const em = orm.em.fork();
    const trainer = (await queryOne<{ id: string; org_unit_id: string }>(em, sql`select id, org_unit_id from app_user where username = 'trainer'`))!;
    const root = (await queryOne<{ id: string }>(em, sql`select id from org_unit where parent_id is null limit 1`))!;
    const ids = (await query<{ id: string }>(em, sql`
      select q.id from question q join question_version v on v.id = q.current_version_id
       where q.status = 'active' and q.language = 'zh' and v.type not in ('short_answer', 'essay') order by q.key limit ${QUESTIONS}`)).map((r) => r.id);
    const questions = await loadQuestions(em, ids);
    const t0 = performance.now();
    // 5,000 people, one exam, one attempt each.
    const people = Array.from({ length: ATTEMPTS }, (_, i) => ({ id: randomUUID(), username: `b${100000 + i}`, ability: Math.random() * 3 - 1 }));
    await exec(em, sql`
      insert into app_user (id, username, display_name, password_hash, role, position, org_unit_id, disabled, must_change_password)
      select u.id, u.username, u.username, 'x', 'staff', 'account_manager', ${root.id}, false, false
        from unnest(${people.map((p) => p.id)}::uuid[], ${people.map((p) => p.username)}::text[]) as u(id, username)`);
    const examId = randomUUID();
    await exec(em, sql`
      insert into exam (id, title_zh, kind, period, status, opens_at, closes_at, org_unit_ids, created_by)
      values (${examId}, '基准考试', 'monthly', '2026-11', 'published', now() - interval '10 days', now() - interval '1 day', ${[root.id]}::uuid[], ${trainer.id})`);
    const items = questions.map(() => randomUUID());
    for (const [i, q] of questions.entries()) {
      await exec(em, sql`insert into exam_item (id, exam_id, position, kind, question_id, question_version_id)
                         values (${items[i]}, ${examId}, ${i}, 'fixed', ${q.id}, ${q.version.id})`);
    }
    for (let start = 0; start < people.length; start += 250) {
      const part = people.slice(start, start + 250);
      const attempts = part.map(() => randomUUID());
      const slots: { a: string; slot: number; item: string; v: string; points: number; score: number; fraction: number; response: string }[] = [];
      const totals = attempts.map(() => ({ score: 0, max: 0 }));
      part.forEach((p, k) => {
        questions.forEach((q, slot) => {
          const right = Math.random() < 1 / (1 + Math.exp(-(p.ability + 0.5 - 0.4 * (q.question.difficulty - 3))));
          const response = demoResponse(q.question, right, Math.random);
          const r = scoreResponse(q.question, response);
          totals[k].score += r.score;
          totals[k].max += r.max;
          slots.push({ a: attempts[k], slot, item: items[slot], v: q.version.id, points: r.max, score: r.score, fraction: r.fraction ?? 0, response: JSON.stringify(response) });
        });
      });
      await exec(em, sql`
        insert into exam_attempt (id, exam_id, user_id, number, status, started_at, deadline_at, submitted_at, finished_by, score, max_score, passed)
        select a.id, ${examId}, a.user_id, 1, 'submitted', now() - interval '3 days', now() - interval '2 days', now() - interval '3 days', 'learner', a.score, a.max, a.score >= a.max * 0.6
          from unnest(${attempts}::uuid[], ${part.map((p) => p.id)}::uuid[], ${totals.map((t) => String(t.score))}::numeric[], ${totals.map((t) => String(t.max))}::numeric[])
               as a(id, user_id, score, max)`);
      await exec(em, sql`
        insert into attempt_question (attempt_id, slot, exam_item_id, question_version_id, points, score, fraction)
        select * from unnest(${slots.map((s) => s.a)}::uuid[], ${slots.map((s) => String(s.slot))}::int[], ${slots.map((s) => s.item)}::uuid[],
                             ${slots.map((s) => s.v)}::uuid[], ${slots.map((s) => String(s.points))}::numeric[], ${slots.map((s) => String(s.score))}::numeric[],
                             ${slots.map((s) => String(s.fraction))}::numeric[])`);
      await exec(em, sql`
        insert into attempt_answer (attempt_id, slot, response, seq)
        select a, s, r, 1 from unnest(${slots.map((s) => s.a)}::uuid[], ${slots.map((s) => String(s.slot))}::int[], ${slots.map((s) => s.response)}::jsonb[]) as x(a, s, r)`);
    }
    await exec(em, sql.raw('analyze'));
    const setupMs = performance.now() - t0;

    const actor: Actor = { id: trainer.id, role: 'trainer', orgUnitId: trainer.org_unit_id, sessionId: randomUUID(), mustChangePassword: false };
    const baseline: number[] = [];
    const analysis: number[] = [];
    const loopMax: number[] = [];
    let questionsOut = 0;
    for (let run = 0; run < RUNS; run++) {
      let t = performance.now();
      const rows = await query<{ n: number }>(orm.em.fork(), sql`
        select q.attempt_id, q.slot, q.exam_item_id, q.question_version_id, q.score::float as score, q.points::float as points, q.fraction::float as fraction, aa.response
          from exam_attempt a join attempt_question q on q.attempt_id = a.id
          left join attempt_answer aa on aa.attempt_id = q.attempt_id and aa.slot = q.slot
         where a.exam_id = ${examId} order by q.attempt_id, q.slot`);
      baseline.push(performance.now() - t);
      if (rows.length !== ATTEMPTS * questions.length) throw new Error(`expected ${ATTEMPTS * questions.length} rows, read ${rows.length}`);
      const h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      t = performance.now();
      const result = await getItemAnalysis(orm.em.fork(), actor, examId, 'zh');
      analysis.push(performance.now() - t);
      h.disable();
      loopMax.push(h.max / 1e6);
      questionsOut = result.questions.length;
      if (result.test.attempts !== ATTEMPTS) throw new Error(`analysed ${result.test.attempts} attempts`);
    }
    const out = {
      date: new Date().toISOString(), db: DB, attempts: ATTEMPTS, questions: questionsOut, runs: RUNS, cpus: cpus().length,
      load: loadavg().map((l) => Math.round(l * 100) / 100), setupSeconds: Math.round(setupMs / 100) / 10,
      readRowsMs: Math.round(median(baseline)), analysisMs: Math.round(median(analysis)),
      ratio: Math.round((median(analysis) / median(baseline)) * 100) / 100,
      eventLoopMaxDelayMs: Math.round(Math.max(...loopMax)),
    };
    mkdirSync('docs/benchmarks', { recursive: true });
    writeFileSync(`docs/benchmarks/item-analysis-${DB}.json`, JSON.stringify(out, null, 2) + '\n');
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await orm.close();
    if (DB === 'postgres') {
      const admin = await createOrm({ url: adminUrl, poolMax: 1 });
      try { await exec(admin.em.fork(), sql.raw(`drop database if exists "${dbName}" with (force)`)); } finally { await admin.close(); }
    }
  }
}

await main();
