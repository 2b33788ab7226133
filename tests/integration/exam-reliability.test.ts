import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/src/app.js';
import { createOrm, migrate, pgliteDirFor, type Orm } from '../../api/src/db/orm.js';
import { ManualClock } from '../../api/src/lib/clock.js';
import { seededRandom } from '../../api/src/lib/seeded-random.js';
import { query, sql } from '../../api/src/lib/sql.js';
import { finaliseOverdue } from '../../api/src/modules/exams/attempt-grading.js';
import { createTestContext, createTestDatabase, onPostgres, TEST_SECRET, testConfig, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';
import { makeCluster, type Cluster } from '../helpers/pg-cluster.js';

/**
 * What a learner's answers survive: the API process killed with SIGKILL in the middle of a stream of saves (on
 * PostgreSQL and on PGlite's files), saves replayed, duplicated and arriving out of order, several processes
 * finalising the same overdue attempts (one of them killed inside its transaction), and the database going away in
 * the middle of an exam. Each random sequence is seeded; the seed is in the failure message.
 */
const root = resolve('.');
const SEED = process.env.RELIABILITY_SEED ?? String(Date.now());
const NOW = '2026-12-03T02:00:00Z';

interface Attempt { id: string; token: string; userIndex: number }
interface Fixture { examId: string; attempts: Attempt[]; slots: number }

/** A response that names its attempt, slot and sequence number, so the stored one says which save it came from. */
const responseOf = (a: number, slot: number, seq: number) => ({ choice: (a + slot + seq) % 3, mark: `${a}.${slot}.${seq}` });

const sign = (app: FastifyInstance, u: { id: string; role: string; orgUnitId: string }) =>
  app.signAccessToken({ id: u.id, role: u.role as 'staff', orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });

/** The month of `at` in China, the exam's period. */
const periodOf = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(at).slice(0, 7);

/**
 * An org tree, a trainer, `people` learners, `questions` single-choice questions (the first option right), one exam
 * of all of them published through the API, and an attempt started by each learner.
 */
async function makeFixture(app: FastifyInstance, orm: Orm, now: Date, opts: { people: number; questions: number; timeLimitMinutes?: number; graceSeconds?: number }): Promise<Fixture> {
  const tag = `rel-${randomUUID().slice(0, 8)}`;
  const tree = await makeOrgTree(orm);
  const trainer = await makeUser(orm, { role: 'trainer', orgUnitId: tree.company.id });
  const trainerToken = sign(app, trainer);
  const asTrainer = (method: 'POST', url: string, payload?: object) => app.inject({ method, url, headers: bearer(trainerToken), ...(payload ? { payload } : {}) });
  const people = [];
  for (let i = 0; i < opts.people; i++) people.push(await makeUser(orm, { orgUnitId: tree.areaA.id, position: 'account_manager' }));
  const questionIds: string[] = [];
  for (let q = 0; q < opts.questions; q++) {
    const res = await asTrainer('POST', '/api/questions', {
      type: 'single_choice', key: `${tag}-${q}`, stem: `题干 ${q}`, points: 1, difficulty: 3, language: 'zh', tags: [], status: 'active',
      options: [{ text: `对${q}`, correct: true }, { text: `错${q}`, correct: false }, { text: `否${q}`, correct: false }],
    });
    expect(res.statusCode, res.body).toBe(201);
    questionIds.push(res.json().id);
  }
  const created = await asTrainer('POST', '/api/exams', {
    titleZh: '可靠性考试', titleEn: 'Reliability exam', kind: 'monthly', period: periodOf(now),
    opensAt: new Date(now.getTime() - 3600_000).toISOString(), closesAt: new Date(now.getTime() + 2 * 86400_000).toISOString(),
    timeLimitMinutes: opts.timeLimitMinutes ?? 60, passMark: 1, userIds: people.map((p) => p.id), reviewWhen: 'immediately',
    graceSeconds: opts.graceSeconds ?? 60, attemptsAllowed: 1, items: questionIds.map((questionId) => ({ kind: 'fixed', questionId })),
  });
  expect(created.statusCode, created.body).toBe(201);
  const examId = created.json().id as string;
  const published = await asTrainer('POST', `/api/exams/${examId}/publish`);
  expect(published.statusCode, published.body).toBe(200);
  const attempts: Attempt[] = [];
  for (let i = 0; i < people.length; i += 10) {
    const batch = people.slice(i, i + 10);
    const started = await Promise.all(batch.map(async (p, j) => {
      const token = sign(app, p);
      const res = await app.inject({ method: 'POST', url: `/api/exams/${examId}/attempts`, headers: bearer(token) });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().questions).toHaveLength(opts.questions);
      return { id: res.json().id as string, token, userIndex: i + j };
    }));
    attempts.push(...started);
  }
  return { examId, attempts, slots: opts.questions };
}

interface Entry { slot: number; seq: number; response: Record<string, unknown> }

/** Stored answers per slot, read through the API. */
async function storedAnswers(get: (a: Attempt) => Promise<{ status: number; body: { answers: (Entry & { flagged: boolean })[] } }>, a: Attempt) {
  const res = await get(a);
  expect(res.status).toBe(200);
  return new Map(res.body.answers.map((x) => [x.slot, x]));
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The API process killed in the middle of a stream of saves

/** The built server (scripts/build-api.mjs), as production runs it: plain node, its own process. */
interface Server { proc: ChildProcess; origin: string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; log: string[] }

function startServer(entry: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const proc = spawn(process.execPath, [entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  proc.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  return new Promise<Server>((resolveServer, reject) => {
    let origin = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s:\n${log.join('\n')}`)), 60_000);
    // Every line is read (the pipe must not fill up and stall the server); the origin is in "Server listening", and
    // the server is ready once it logs `ready`.
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (log.length < 2000) log.push(line);
      origin ||= /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? '';
      if (origin && line.includes('"msg":"ready"')) {
        clearTimeout(timer);
        resolveServer({ proc, origin, exit, log });
      }
    });
    void exit.then((e) => { clearTimeout(timer); reject(new Error(`the server exited (${e.code ?? e.signal}) before it was ready:\n${log.join('\n')}`)); });
  });
}

describe('the API process killed with SIGKILL in the middle of a stream of saves', () => {
  // Made in beforeAll, so a run that filters these tests out leaves no folders behind.
  let work = '';
  let out = '';
  let dataDir = '';
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let fixture: Fixture;
  let server: Server | undefined;
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', JWT_SECRET: TEST_SECRET, HOST: '127.0.0.1', PORT: '0',
    LOG_LEVEL: 'info', DATA_DIR: dataDir, SEED_DEMO: 'false', CONTENT_DIR: join(work, 'no-content'), WEB_BUILD_DIR: join(work, 'web'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'exam-reliability-'));
    // Under api/, so the packages the bundle keeps outside resolve from api/node_modules, as they do from api/dist.
    out = mkdtempSync(join(root, 'api', 'dist-reliability-'));
    dataDir = join(work, 'data');
    // The build (its own process) runs while the fixture is made.
    const building = new Promise<{ code: number | null; stderr: string }>((done) => {
      const p = spawn(process.execPath, ['scripts/build-api.mjs', '--outdir', out, '--quiet'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      p.on('exit', (code) => done({ code, stderr }));
    });
    mkdirSync(join(work, 'web'));
    writeFileSync(join(work, 'web', 'handler.js'), "export const handler = (req, res) => { res.statusCode = 404; res.end(); };\n");
    // The fixture is made in this process, on the database the server will use: PostgreSQL, or PGlite's files in
    // DATA_DIR, which only one process may open at a time (so it is closed before the server starts).
    let orm: Orm;
    if (onPostgres()) {
      const db = await createTestDatabase();
      orm = db.orm;
      databaseUrl = db.url;
      dropDatabase = db.drop;
    } else {
      orm = await createOrm({ pgliteDir: pgliteDirFor(dataDir) });
      await migrate(orm);
    }
    const app = await buildApp({ config: testConfig, orm, finaliseEveryMs: 0 });
    await app.ready();
    fixture = await makeFixture(app, orm, new Date(), { people: 30, questions: 6 });
    await app.close();
    // PGlite's files are released for the server (on PostgreSQL, dropDatabase closes this ORM).
    if (!onPostgres()) await orm.close();
    const build = await building;
    expect(build.code, build.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
      server.proc.kill('SIGKILL');
      await server.exit;
    }
    await dropDatabase?.();
    if (out) rmSync(out, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('keeps every acknowledged save, at its sequence number or a later one, with the response sent with it', async () => {
    const random = seededRandom(`kill-${SEED}`);
    server = await startServer(join(out, 'server.js'), env());
    const origin = server.origin;
    const put = (a: Attempt, answers: Entry[]) => fetch(`${origin}/api/attempts/${a.id}/answers`, {
      method: 'PUT', headers: { ...bearer(a.token), 'content-type': 'application/json' }, body: JSON.stringify({ answers }),
    });
    // Per attempt and slot: the highest sequence number sent, the highest acknowledged (the server's own number), and
    // the numbers the client sent at all.
    const next = fixture.attempts.map(() => new Array<number>(fixture.slots).fill(0));
    const acked = fixture.attempts.map(() => new Array<number>(fixture.slots).fill(0));
    const sentSeqs = fixture.attempts.map(() => Array.from({ length: fixture.slots }, () => new Set<number>()));
    const history = fixture.attempts.map(() => [] as Entry[][]);
    const refusals: string[] = [];
    let acknowledgements = 0;
    let lost = 0;
    let stop = false;

    const lane = async (ai: number) => {
      const a = fixture.attempts[ai];
      while (!stop) {
        let batch: Entry[];
        const r = random();
        if (r < 0.15 && history[ai].length) {
          // A replay of an earlier batch, exactly as it was sent (a client retrying after a lost response).
          batch = history[ai][Math.floor(random() * history[ai].length)];
        } else {
          const slots = [...Array(fixture.slots).keys()].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 3));
          batch = slots.map((slot) => {
            const seq = ++next[ai][slot];
            sentSeqs[ai][slot].add(seq);
            return { slot, seq, response: responseOf(a.userIndex, slot, seq) };
          });
          history[ai].push(batch);
          // Some saves are held back, so that later ones (sent on the other lanes) overtake them.
          if (r > 0.8) await new Promise((d) => setTimeout(d, Math.floor(random() * 15)));
        }
        let body: { acknowledged: { slot: number; seq: number }[] };
        try {
          const res = await put(a, batch);
          if (res.status !== 200) {
            refusals.push(`${res.status} ${await res.text()}`);
            continue;
          }
          body = (await res.json()) as typeof body;
        } catch {
          // No answer: the process was killed while this save was in flight. It may or may not be stored.
          lost++;
          continue;
        }
        // Acknowledged: the client may forget these. The server holds each slot at its number or a later one.
        for (const x of batch) {
          const ack = body.acknowledged.find((k) => k.slot === x.slot);
          expect(ack, `seed ${SEED}`).toBeDefined();
          expect(ack!.seq, `seed ${SEED}`).toBeGreaterThanOrEqual(x.seq);
          acked[ai][x.slot] = Math.max(acked[ai][x.slot], ack!.seq);
        }
        acknowledgements++;
      }
    };
    const lanes = fixture.attempts.flatMap((_, ai) => [lane(ai), lane(ai), lane(ai)]);
    // Let the stream run until a good number of saves are acknowledged, then kill the process mid-stream.
    const t0 = Date.now();
    // (At most 15 s: a busy machine acknowledges far fewer, and two for each attempt are enough to mean something.)
    while (acknowledgements < 250 && Date.now() - t0 < 15_000) await new Promise((d) => setTimeout(d, 10));
    server.proc.kill('SIGKILL');
    const killed = await server.exit;
    stop = true;
    await Promise.all(lanes);
    expect(killed.signal).toBe('SIGKILL');
    expect(refusals, `seed ${SEED}`).toEqual([]);
    expect(acknowledgements).toBeGreaterThanOrEqual(2 * fixture.attempts.length);
    // Saves were in flight when the process died.
    expect(lost).toBeGreaterThan(0);

    // The same database, a new process: it must come back (PGlite recovers its files) with what it acknowledged.
    server = await startServer(join(out, 'server.js'), env());
    const get = async (a: Attempt) => {
      const res = await fetch(`${server!.origin}/api/attempts/${a.id}`, { headers: bearer(a.token) });
      return { status: res.status, body: (await res.json()) as { answers: (Entry & { flagged: boolean })[] } };
    };
    let checked = 0;
    for (const [ai, a] of fixture.attempts.entries()) {
      const stored = await storedAnswers(get, a);
      for (let slot = 0; slot < fixture.slots; slot++) {
        const s = stored.get(slot);
        const where = `attempt ${ai} slot ${slot} (acknowledged ${acked[ai][slot]}, sent up to ${next[ai][slot]}, seed ${SEED})`;
        if (acked[ai][slot] > 0) {
          expect(s, where).toBeDefined();
          expect(s!.seq, where).toBeGreaterThanOrEqual(acked[ai][slot]);
          checked++;
        }
        if (s) {
          // Whatever is kept is a save the client sent, whole: the response sent with that sequence number.
          expect(sentSeqs[ai][slot].has(s.seq), where).toBe(true);
          expect(s.response, where).toEqual(responseOf(a.userIndex, slot, s.seq));
        }
      }
    }
    expect(checked).toBeGreaterThan(fixture.attempts.length);
    // And the restarted process goes on taking saves.
    const a = fixture.attempts[0];
    const after = await fetch(`${server.origin}/api/attempts/${a.id}/answers`, {
      method: 'PUT', headers: { ...bearer(a.token), 'content-type': 'application/json' },
      body: JSON.stringify({ answers: [{ slot: 0, seq: next[0][0] + 1, response: responseOf(a.userIndex, 0, next[0][0] + 1) }] }),
    });
    expect(after.status).toBe(200);
    expect((await storedAnswers(get, a)).get(0)).toMatchObject({ seq: next[0][0] + 1, response: responseOf(a.userIndex, 0, next[0][0] + 1) });
    server.proc.kill('SIGTERM');
    expect((await server.exit).code).toBe(0);
  }, 90_000);
});

// ---------------------------------------------------------------------------------------------------------------
// 2-3. In this process: replays and reordering, and finalising from several processes

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext({ clock: new ManualClock(NOW) }); }, 60_000);
afterAll(async () => { await ctx?.close(); });

describe('replayed, duplicated and out-of-order saves', () => {
  it('leave exactly the newest answer per slot', async () => {
    const random = seededRandom(`replay-${SEED}`);
    const f = await makeFixture(ctx.app, ctx.orm, ctx.clock.now(), { people: 8, questions: 5 });
    const newest = f.attempts.map(() => new Array<number>(f.slots).fill(0));
    const requests: { a: Attempt; answers: Entry[] }[] = [];
    for (const [ai, a] of f.attempts.entries()) {
      const entries: Entry[] = [];
      for (let slot = 0; slot < f.slots; slot++) {
        // Some slots are never answered; the others get a run of saves, each sent once, twice or three times.
        const n = Math.floor(random() * 9);
        newest[ai][slot] = n;
        for (let seq = 1; seq <= n; seq++) {
          const copies = random() < 0.4 ? 1 + Math.ceil(random() * 2) : 1;
          for (let c = 0; c < copies; c++) entries.push({ slot, seq, response: responseOf(a.userIndex, slot, seq) });
        }
      }
      entries.sort(() => random() - 0.5);
      // Into batches of one to three saves, each slot at most once in a batch (a batch naming a slot twice is refused).
      let batch: Entry[] = [];
      const limit = () => 1 + Math.floor(random() * 3);
      let size = limit();
      for (const e of entries) {
        if (batch.length >= size || batch.some((x) => x.slot === e.slot)) {
          requests.push({ a, answers: batch });
          batch = [];
          size = limit();
        }
        batch.push(e);
      }
      if (batch.length) requests.push({ a, answers: batch });
    }
    requests.sort(() => random() - 0.5);
    const responses = await Promise.all(requests.map(({ a, answers }) =>
      ctx.app.inject({ method: 'PUT', url: `/api/attempts/${a.id}/answers`, headers: bearer(a.token), payload: { answers } })));
    for (const [i, res] of responses.entries()) {
      expect(res.statusCode, `${res.body} (seed ${SEED})`).toBe(200);
      for (const x of requests[i].answers) {
        expect(res.json().acknowledged.find((k: { slot: number }) => k.slot === x.slot).seq, `seed ${SEED}`).toBeGreaterThanOrEqual(x.seq);
      }
    }
    const get = async (a: Attempt) => {
      const res = await ctx.app.inject({ url: `/api/attempts/${a.id}`, headers: bearer(a.token) });
      return { status: res.statusCode, body: res.json() };
    };
    for (const [ai, a] of f.attempts.entries()) {
      const stored = await storedAnswers(get, a);
      for (let slot = 0; slot < f.slots; slot++) {
        const where = `attempt ${ai} slot ${slot} (seed ${SEED})`;
        if (!newest[ai][slot]) expect(stored.has(slot), where).toBe(false);
        else expect(stored.get(slot), where).toMatchObject({ seq: newest[ai][slot], response: responseOf(a.userIndex, slot, newest[ai][slot]) });
      }
    }
    const rows = await query<{ n: number; slots: number }>(ctx.orm.em.fork(), sql`
      select count(*)::int as n, count(distinct (attempt_id, slot))::int as slots from attempt_answer where attempt_id = any(${f.attempts.map((a) => a.id)}::uuid[])`);
    expect(rows[0].n).toBe(rows[0].slots);
    expect(rows[0].n).toBe(newest.flat().filter((n) => n > 0).length);
  });
});

describe.runIf(onPostgres())('finalising overdue attempts from several processes, one killed in its transaction', () => {
  it('finalises each of 200 attempts exactly once, with one event and one score', async () => {
    const random = seededRandom(`finalise-${SEED}`);
    const f = await makeFixture(ctx.app, ctx.orm, ctx.clock.now(), { people: 200, questions: 3, timeLimitMinutes: 5, graceSeconds: 0 });
    const all = f.attempts.map((a) => a.id);
    // Every other learner answers every question right before the deadline; the rest answer nothing.
    for (let i = 0; i < f.attempts.length; i += 2) {
      const a = f.attempts[i];
      const answers = [...Array(f.slots).keys()].map((slot) => ({ slot, seq: 1, response: { choice: 0 } }));
      const res = await ctx.app.inject({ method: 'PUT', url: `/api/attempts/${a.id}/answers`, headers: bearer(a.token), payload: { answers } });
      expect(res.statusCode, res.body).toBe(200);
    }
    const later = new Date(ctx.clock.now().getTime() + 3600_000);
    const [one, two, locker] = await Promise.all([1, 2, 1].map((poolMax) => createOrm({ url: ctx.url!, poolMax: poolMax * 3 })));
    const work = mkdtempSync(join(tmpdir(), 'finalise-child-'));
    let child: ChildProcess | undefined;
    try {
      /** Four runs per instance at once, each finalising a few at a time until it finds nothing left to take. */
      const race = async () => {
        const got: string[] = [];
        const worker = async (orm: Orm) => {
          for (;;) {
            const ids = await finaliseOverdue(orm.em.fork(), later, { attemptIds: all, limit: 1 + Math.floor(random() * 12) });
            if (!ids.length) return;
            got.push(...ids);
          }
        };
        // A run that waits on a row another process holds, instead of skipping it, stalls here: say so, not a timeout.
        let timer: NodeJS.Timeout | undefined;
        const stalled = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('finalising runs stalled for 30 s')), 30_000); });
        try {
          await Promise.race([Promise.all([one, two].flatMap((orm) => [worker(orm), worker(orm), worker(orm), worker(orm)])), stalled]);
        } finally {
          clearTimeout(timer);
        }
        return got;
      };

      // A third process takes the first 50 and is killed inside its transaction: it has marked them finalised and
      // written their events, and is grading, held up on a row this test keeps locked.
      const taken = all.slice(0, 50);
      let release!: () => void;
      const released = new Promise<void>((r) => { release = r; });
      let lockHeld!: () => void;
      const held = new Promise<void>((r) => { lockHeld = r; });
      const holding = locker.em.fork().transactional(async (tx) => {
        await query(tx, sql`select slot from attempt_question where attempt_id = ${taken[taken.length - 1]} for update`);
        lockHeld();
        await released;
      });
      await held;
      writeFileSync(join(work, 'ids.json'), JSON.stringify(taken));
      child = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests', 'fixtures', 'reliability', 'finalise-child.ts'), ctx.url!, join(work, 'ids.json'), later.toISOString()],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      const childExit = new Promise<NodeJS.Signals | number | null>((r) => child!.on('exit', (code, signal) => r(signal ?? code)));
      const childErr: string[] = [];
      child.stderr!.on('data', (d: Buffer) => childErr.push(d.toString()));
      child.stdout!.resume();
      let blocked: number | undefined;
      for (const t0 = Date.now(); !blocked && Date.now() - t0 < 30_000;) {
        const rows = await query<{ pid: number }>(ctx.orm.em.fork(), sql`
          select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%attempt_question%'`);
        blocked = rows[0]?.pid;
        if (!blocked) await new Promise((d) => setTimeout(d, 50));
      }
      expect(blocked, childErr.join('')).toBeDefined();

      // Meanwhile two instances race for the rest; the third process's 50 are not theirs to take.
      const first = await race();
      expect(new Set(first).size).toBe(first.length);
      expect([...first].sort()).toEqual(all.slice(50).sort());

      child.kill('SIGKILL');
      expect(await childExit).toBe('SIGKILL');
      release();
      await holding;
      // Its server process notices the client is gone and rolls the transaction back.
      for (const t0 = Date.now(); Date.now() - t0 < 15_000;) {
        const rows = await query<{ n: number }>(ctx.orm.em.fork(), sql`select count(*)::int as n from pg_stat_activity where pid = ${blocked}`);
        if (!rows[0].n) break;
        await new Promise((d) => setTimeout(d, 50));
      }
      const state = async (ids: string[]) => query<{ id: string; status: string; events: number; score: number | null; graded: number }>(ctx.orm.em.fork(), sql`
        select a.id, a.status, a.score::float as score,
               (select count(*)::int from attempt_event e where e.attempt_id = a.id and e.kind = 'finalised') as events,
               (select count(*)::int from attempt_question q where q.attempt_id = a.id and q.score is not null) as graded
          from exam_attempt a where a.id = any(${ids}::uuid[])`);
      for (const r of await state(taken)) expect(r).toMatchObject({ status: 'in_progress', events: 0, score: null, graded: 0 });

      // A run whose transaction is aborted after it finalised and graded them leaves nothing behind either.
      await expect(one.em.fork().transactional(async (tx) => {
        const ids = await finaliseOverdue(tx, later, { attemptIds: taken });
        expect([...ids].sort()).toEqual([...taken].sort());
        throw new Error('aborted on purpose');
      })).rejects.toThrow('aborted on purpose');
      for (const r of await state(taken)) expect(r).toMatchObject({ status: 'in_progress', events: 0, score: null });

      // The next runs take them, once.
      const second = await race();
      expect([...second].sort()).toEqual([...taken].sort());
      const everything = [...first, ...second];
      expect(new Set(everything).size).toBe(200);
      expect(await race()).toEqual([]);
      const rows = await state(all);
      expect(rows).toHaveLength(200);
      for (const r of rows) {
        const i = all.indexOf(r.id);
        expect(r, `attempt ${i}`).toMatchObject({ status: 'finalised', events: 1, graded: f.slots, score: i % 2 === 0 ? f.slots : 0 });
      }
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all([one, two, locker].map((o) => o.close(true)));
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The server process of a statement waiting for a lock, whose text matches `like`; undefined if none within 15 s. */
async function lockWaiter(like: string, until: () => boolean = () => false): Promise<number | undefined> {
  for (const t0 = Date.now(); Date.now() - t0 < 15_000 && !until();) {
    const rows = await query<{ pid: number }>(ctx.orm.em.fork(), sql`
      select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike ${like}`);
    if (rows[0]) return rows[0].pid;
    await new Promise((d) => setTimeout(d, 25));
  }
  return undefined;
}

describe.runIf(onPostgres())('a save racing the end of its attempt', () => {
  it('is either refused or counted: an acknowledged answer is never left out of the grade', async () => {
    const f = await makeFixture(ctx.app, ctx.orm, ctx.clock.now(), { people: 2, questions: 2 });
    const later = new Date(ctx.clock.now().getTime() + 3 * 3600_000);
    const locker = await createOrm({ url: ctx.url!, poolMax: 1 });
    const save = (a: Attempt, seq: number, choice: number) =>
      ctx.app.inject({ method: 'PUT', url: `/api/attempts/${a.id}/answers`, headers: bearer(a.token), payload: { answers: [{ slot: 0, seq, response: { choice } }] } });
    try {
      for (const [ending, a] of [['submit', f.attempts[0]], ['deadline', f.attempts[1]]] as const) {
        expect((await save(a, 1, 1)).statusCode).toBe(200); // wrong
        // The test holds the stored answer's row, so the next save (the right answer) waits inside its one statement,
        // after it found the attempt open; meanwhile the attempt ends, by the learner's submit or by the deadline job.
        let release!: () => void;
        const released = new Promise<void>((r) => { release = r; });
        let lockHeld!: () => void;
        const held = new Promise<void>((r) => { lockHeld = r; });
        const holding = locker.em.fork().transactional(async (tx) => {
          await query(tx, sql`select seq from attempt_answer where attempt_id = ${a.id} and slot = 0 for update`);
          lockHeld();
          await released;
        });
        await held;
        const saving = save(a, 2, 0);
        expect(await lockWaiter('%insert into attempt_answer%'), ending).toBeDefined();
        let settled = false;
        const ended = (ending === 'submit'
          ? ctx.app.inject({ method: 'POST', url: `/api/attempts/${a.id}/submit`, headers: bearer(a.token), payload: {} }).then((r) => r.statusCode)
          : finaliseOverdue(ctx.orm.em.fork(), later, { attemptIds: [a.id] })).finally(() => { settled = true; });
        // Until the end has happened, or waits for the save.
        await lockWaiter('%update exam_attempt%', () => settled);
        release();
        await holding;
        const saved = await saving;
        await ended;
        // The deadline job runs again later (a run that found the attempt busy left it for the next one).
        await finaliseOverdue(ctx.orm.em.fork(), later, { attemptIds: [a.id] });
        const [row] = await query<{ status: string; score: number; events: number; seq: number }>(ctx.orm.em.fork(), sql`
          select a.status, a.score::float as score, (select seq from attempt_answer r where r.attempt_id = a.id and r.slot = 0) as seq,
                 (select count(*)::int from attempt_event e where e.attempt_id = a.id and e.kind in ('submitted', 'finalised')) as events
            from exam_attempt a where a.id = ${a.id}`);
        expect(row.status, ending).toBe(ending === 'submit' ? 'submitted' : 'finalised');
        expect(row.events, ending).toBe(1);
        if (saved.statusCode === 200) {
          // Acknowledged: stored, and graded as stored.
          expect(saved.json().acknowledged, ending).toEqual([{ slot: 0, seq: 2 }]);
          expect(row, ending).toMatchObject({ seq: 2, score: 1 });
        } else {
          expect(saved.statusCode, `${ending}: ${saved.body}`).toBe(409);
          expect(row, ending).toMatchObject({ seq: 1, score: 0 });
        }
      }
    } finally {
      await locker.close(true);
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// 4. The database unreachable in the middle of an exam

describe.runIf(onPostgres())('PostgreSQL unreachable in the middle of an exam', () => {
  let cluster: Cluster | undefined;
  let app: FastifyInstance | undefined;
  let orm: Orm | undefined;
  afterAll(async () => {
    await app?.close();
    await orm?.close(true).catch(() => undefined);
    cluster?.destroy();
  }, 60_000);

  it('answers saves 503 problem+json while it is down, never 500, and takes the same saves once it is back', async () => {
    cluster = makeCluster(55000 + Math.floor(Math.random() * 900));
    cluster.start();
    orm = await createOrm({ url: cluster.url, poolMax: 4 });
    await migrate(orm);
    const clock = new ManualClock(NOW);
    app = await buildApp({ config: testConfig, orm, clock, finaliseEveryMs: 0 });
    await app.ready();
    const f = await makeFixture(app, orm, clock.now(), { people: 3, questions: 4 });
    const save = (a: Attempt, answers: Entry[]) => app!.inject({ method: 'PUT', url: `/api/attempts/${a.id}/answers`, headers: bearer(a.token), payload: { answers } });
    const entry = (a: Attempt, slot: number, seq: number) => ({ slot, seq, response: responseOf(a.userIndex, slot, seq) });
    for (const a of f.attempts) expect((await save(a, [entry(a, 0, 1)])).statusCode).toBe(200);

    // Saves in flight when the server stops: each is either acknowledged or refused as unavailable.
    const inFlight = f.attempts.flatMap((a) => [1, 2, 3].map((slot) => ({ a, answers: [entry(a, slot, 1)] })));
    const pending = inFlight.map(({ a, answers }) => save(a, answers));
    cluster.stop();
    const during = await Promise.all(pending);
    // And saves made while it is down.
    const down = f.attempts.map((a) => ({ a, answers: [entry(a, 0, 2), entry(a, 1, 2)] }));
    const refused = await Promise.all(down.map(({ a, answers }) => save(a, answers)));
    for (const res of [...during.filter((r) => r.statusCode !== 200), ...refused]) {
      expect(res.statusCode, res.body).toBe(503);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().code).toBe('unavailable');
    }
    expect(refused.length).toBe(3);

    cluster.start();
    // The pool reconnects by itself: the same saves, sent again as the client does, are taken.
    const deadline = Date.now() + 20_000;
    let first = await save(down[0].a, down[0].answers);
    while (first.statusCode !== 200 && Date.now() < deadline) {
      expect(first.statusCode, first.body).toBe(503);
      await new Promise((d) => setTimeout(d, 200));
      first = await save(down[0].a, down[0].answers);
    }
    expect(first.statusCode, first.body).toBe(200);
    for (const { a, answers } of [...down, ...inFlight]) {
      const res = await save(a, answers);
      expect(res.statusCode, res.body).toBe(200);
      for (const x of answers) expect(res.json().acknowledged.find((k: { slot: number }) => k.slot === x.slot).seq).toBeGreaterThanOrEqual(x.seq);
    }
    for (const a of f.attempts) {
      const res = await app.inject({ url: `/api/attempts/${a.id}`, headers: bearer(a.token) });
      expect(res.statusCode, res.body).toBe(200);
      const stored = new Map((res.json().answers as Entry[]).map((x) => [x.slot, x]));
      expect(stored.get(0)).toMatchObject(entry(a, 0, 2));
      expect(stored.get(1)).toMatchObject(entry(a, 1, 2));
      expect(stored.get(2)).toMatchObject(entry(a, 2, 1));
      expect(stored.get(3)).toMatchObject(entry(a, 3, 1));
    }
  }, 120_000);
});
