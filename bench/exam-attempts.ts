// Benchmark: the three moments of a monthly exam that load the server, each against its own baselines in the same run.
//
//   tsx bench/exam-attempts.ts [--db postgres|pglite]
//
// 1. The synchronised start: BENCH_PEOPLE (5,000) people start the same exam within 10 seconds, each arriving at
//    its own moment, each honouring 429 Retry-After (the server's admission control) and retrying; reports the time
//    until everyone had an attempt, 5xx count, and each person's wait.
// 2. Saving answers through the real route (token, validation, ownership, deadline and sequence check) at 16
//    connections, against pgbench running the same single-row upsert (custom script, 16 clients, extended protocol) and a bare Fastify
//    route doing it with raw `pg`; then the real route at 70% of its peak rate for its p99.
// 3. The last minute: every person submits within 60 seconds (evenly spread); all must be stored; reports p99.
// On PGlite there is no pgbench and no raw `pg`: the save rate is compared with a bare Fastify route that only
// answers. Writes docs/benchmarks/exam-attempts-<db>.json.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const DB = arg('db') ?? 'postgres';
const PG = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = 16;

function start(args: string[], env: Record<string, string>, want: string[]): Promise<{ child: ChildProcess; out: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/exam-server.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((ok, fail) => {
    let text = '';
    child.stdout!.on('data', (d) => {
      text += d;
      const out = Object.fromEntries([...text.matchAll(/^(\w+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
      if (want.every((k) => out[k])) ok({ child, out });
    });
    child.on('exit', (code) => fail(new Error(`exam-server ${args[0]} exited with ${code}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
function call(port: number, method: string, path: string, token: string | null, body?: object): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const payload = body ? JSON.stringify(body) : undefined;
  return new Promise((ok) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
    } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', (err) => ok({ status: 0, headers: {}, text: String(err) }));
    req.end(payload);
  });
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : 0; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function load(url: string, opts: { connections: number; seconds: number; rate?: number; setup?: (req: Record<string, unknown>) => Record<string, unknown>; method?: string }) {
  const r = await autocannon({
    url, connections: opts.connections, duration: opts.seconds, ...(opts.rate ? { overallRate: opts.rate } : {}),
    requests: [{ method: (opts.method ?? 'GET') as 'GET', ...(opts.setup ? { setupRequest: opts.setup as never } : {}) }],
  });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts };
}

const children: ChildProcess[] = [];
const dbName = `bench_exam_${randomBytes(4).toString('hex')}`;
const dbUrl = new URL(PG);
dbUrl.pathname = `/${dbName}`;
const result: Record<string, unknown> = {
  db: DB, date: new Date().toISOString(), people: PEOPLE,
  machine: `${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
};
try {
  const app = await start(['app'], DB === 'postgres' ? { BENCH_DATABASE_URL: dbUrl.toString(), BENCH_ADMIN_URL: PG, BENCH_PEOPLE: String(PEOPLE) } : { BENCH_PEOPLE: String(PEOPLE) },
    ['PORT', 'EXAM', 'TOKENS']);
  children.push(app.child);
  const port = Number(app.out.PORT);
  const examId = app.out.EXAM;
  const lines = readFileSync(app.out.TOKENS, 'utf8').trim().split('\n').map((l) => l.split(' '));
  rmSync(app.out.TOKENS);
  const trainer = lines.pop()![1];
  const people = lines.map(([id, token]) => ({ id, token, attemptId: '', slots: 0 }));

  // 1. The synchronised start.
  const t0 = Date.now();
  let throttled = 0;
  let serverErrors = 0;
  const waits: number[] = [];
  await Promise.all(people.map(async (p, i) => {
    await sleep((i / people.length) * SECONDS * 1000);
    const arrived = Date.now();
    for (;;) {
      const res = await call(port, 'POST', `/api/exams/${examId}/attempts`, p.token);
      if (res.status === 201 || res.status === 200) {
        const body = JSON.parse(res.text) as { id: string; questions: unknown[] };
        p.attemptId = body.id;
        p.slots = body.questions.length;
        waits.push(Date.now() - arrived);
        return;
      }
      if (res.status === 429) { throttled++; await sleep(Number(res.headers['retry-after'] ?? 1) * 1000); continue; }
      if (res.status >= 500 || res.status === 0) {
        if (serverErrors++ < 3) console.log(`start answered ${res.status}: ${res.text.slice(0, 300)}`);
      }
      await sleep(1000);
    }
  }));
  const startAll = Date.now() - t0;
  result.start = { seconds: startAll / 1000, throttled, serverErrors, waitP50: pct(waits, 50), waitP99: pct(waits, 99), waitMax: pct(waits, 100) };
  console.log(`start: ${PEOPLE} people arriving over ${SECONDS} s all had an attempt after ${(startAll / 1000).toFixed(1)} s; ` +
    `${throttled} answers 429, ${serverErrors} 5xx; each waited p50 ${pct(waits, 50)} ms, p99 ${pct(waits, 99)} ms, max ${pct(waits, 100)} ms`);

  // 2. Saving.
  let seq = 1;
  const pick = () => people[Math.floor(Math.random() * people.length)];
  const saveSetup = (prefix: string, auth: boolean) => (req: Record<string, unknown>) => {
    const p = pick();
    seq++;
    return {
      ...req, method: 'PUT', path: `${prefix}${p.attemptId}${auth ? '/answers' : ''}`,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${p.token}` } : {}) },
      body: JSON.stringify({ answers: [{ slot: seq % p.slots, seq, response: { choice: seq % 4 }, flagged: false }] }),
    };
  };
  const base = `http://127.0.0.1:${port}`;
  await load(base, { connections: CLIENTS, seconds: 3, setup: saveSetup('/api/attempts/', true) }); // warm-up
  const real = await load(base, { connections: CLIENTS, seconds: SECONDS, setup: saveSetup('/api/attempts/', true) });
  const at70 = await load(base, { connections: CLIENTS, seconds: SECONDS, rate: Math.round(real.rps * 0.7), setup: saveSetup('/api/attempts/', true) });
  const save: Record<string, unknown> = { route: real, routeAt70: at70 };
  console.log(`save through the route: ${real.rps} req/s at ${CLIENTS} connections (p99 ${real.p99} ms, ${real.non2xx} non-2xx); at 70% (${Math.round(real.rps * 0.7)}/s) p99 ${at70.p99} ms`);
  if (DB === 'postgres') {
    const bare = await start(['bare'], { BENCH_DATABASE_URL: dbUrl.toString() }, ['PORT']);
    children.push(bare.child);
    const bareBase = `http://127.0.0.1:${bare.out.PORT}`;
    await load(bareBase, { connections: CLIENTS, seconds: 3, setup: saveSetup('/answers/', false) });
    const bareRun = await load(bareBase, { connections: CLIENTS, seconds: SECONDS, setup: saveSetup('/answers/', false) });
    // pgbench: the same upsert, one random attempt and slot per transaction.
    const script = join(tmpdir(), `bench-upsert-${process.pid}.sql`);
    const made = spawnSync('psql', [dbUrl.toString(), '-qc',
      'create table bench_attempt as select (row_number() over (order by id))::int as n, id from exam_attempt; alter table bench_attempt add primary key (n)'], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('could not make the pgbench table');
    writeFileSync(script, `\\set n random(1, ${people.length})\n\\set slot random(0, 39)\n\\set seq random(1, 2000000000)\n` +
      `insert into attempt_answer as t (attempt_id, slot, response, flagged, seq, saved_at) select id, :slot, '{"choice": 1}', false, :seq, now() from bench_attempt where n = :n ` +
      `on conflict (attempt_id, slot) do update set response = excluded.response, seq = excluded.seq, saved_at = excluded.saved_at where t.seq < excluded.seq;\n`);
    const pgb = spawnSync('pgbench', ['-n', '-M', 'extended', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS), '-f', script, dbUrl.toString()], { encoding: 'utf8' });
    rmSync(script);
    if (pgb.status !== 0) console.log(pgb.stdout, pgb.stderr);
    const tps = Number(/tps = ([\d.]+)/.exec(pgb.stdout)?.[1] ?? 0);
    save.bare = bareRun;
    save.pgbenchTps = Math.round(tps);
    save.ratioToPgbench = Number((real.rps / tps).toFixed(2));
    save.ratioToBare = Number((real.rps / bareRun.rps).toFixed(2));
    console.log(`baselines: pgbench ${Math.round(tps)} tps at ${CLIENTS} clients; bare Fastify + pg ${bareRun.rps} req/s; ` +
      `the route is ${save.ratioToPgbench} of pgbench and ${save.ratioToBare} of the bare route`);
  } else {
    const hello = await start(['hello'], {}, ['PORT']);
    children.push(hello.child);
    const helloBase = `http://127.0.0.1:${hello.out.PORT}`;
    await load(helloBase, { connections: CLIENTS, seconds: 3, setup: saveSetup('/answers/', false) });
    const helloRun = await load(helloBase, { connections: CLIENTS, seconds: SECONDS, setup: saveSetup('/answers/', false) });
    save.bareNoDatabase = helloRun;
    save.ratioToBareNoDatabase = Number((real.rps / helloRun.rps).toFixed(2));
    console.log(`baseline: a bare Fastify route of the same shape, no database, ${helloRun.rps} req/s; the route is ${save.ratioToBareNoDatabase} of it`);
  }
  result.save = save;

  // 3. The last minute: everyone submits, spread evenly over 60 seconds.
  const SUBMIT_SECONDS = Number(process.env.BENCH_SUBMIT_SECONDS ?? 60);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const s0 = Date.now();
  await Promise.all(people.map(async (p, i) => {
    await sleep((i / people.length) * SUBMIT_SECONDS * 1000);
    const t = Date.now();
    for (;;) {
      const res = await call(port, 'POST', `/api/attempts/${p.attemptId}/submit`, p.token, { answers: [{ slot: 0, seq: 2_000_000_000, response: { choice: 1 } }] });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 200) break;
      await sleep(500);
    }
    latencies.push(Date.now() - t);
  }));
  const submitted = JSON.parse((await call(port, 'GET', `/api/exams/${examId}/results`, trainer)).text) as { summary: { participants: number }; people: { outcome: string }[] };
  const participants = submitted.summary.participants;
  const finished = submitted.people.filter((x) => x.outcome === 'passed' || x.outcome === 'failed').length;
  result.submit = { seconds: (Date.now() - s0) / 1000, p50: pct(latencies, 50), p99: pct(latencies, 99), max: pct(latencies, 100), statuses: Object.fromEntries(statuses), participants, finished };
  console.log(`submit: ${PEOPLE} submissions over ${SUBMIT_SECONDS} s took ${((Date.now() - s0) / 1000).toFixed(1)} s; p50 ${pct(latencies, 50)} ms, ` +
    `p99 ${pct(latencies, 99)} ms, max ${pct(latencies, 100)} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${finished} of ${PEOPLE} stored as finished`);
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync(`docs/benchmarks/exam-attempts-${DB}.json`, JSON.stringify(result, null, 2) + '\n');
} finally {
  await Promise.all(children.map((c) => new Promise((ok) => { if (c.exitCode !== null) return ok(null); c.once('exit', ok); c.kill('SIGTERM'); })));
  agent.destroy();
}
