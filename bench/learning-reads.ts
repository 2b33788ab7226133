// Benchmark: what the learner's hot reads cost the database, and how fast they are served.
//
//   tsx bench/learning-reads.ts [--root DIR] [--label NAME]
//
// Runs the application of the code tree DIR (default: this repository; a worktree of an older commit gives the
// "before" figures) against a fresh database on the local PostgreSQL server, reached through a counting TCP proxy
// in this process. The proxy reads the PostgreSQL wire protocol in both directions, so "bytes read from the
// database" is exactly what the server sent the application (every message, and the DataRow messages, i.e. the
// rows, on their own), and "statements" counts the queries the application sent (simple Query and extended Execute
// messages). Both are averaged over sequential requests after a warm-up. Then each route is loaded with autocannon
// for requests/second, and GET /api/modules at 50 connections against a bare Fastify route in the same run.
// Writes docs/benchmarks/learning-reads-NAME.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const ROOT = resolve(arg('root') ?? '.');
const LABEL = arg('label') ?? 'after';
const PG = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** Counts, per direction, the messages of the PostgreSQL protocol that pass through. */
class Counter {
  fromServer = 0;
  rowBytes = 0;
  statements = 0;
  reset() { this.fromServer = 0; this.rowBytes = 0; this.statements = 0; }
}

/** Splits a byte stream into protocol messages (type byte, int32 length that counts itself, body). */
function messages(onMessage: (type: number, size: number) => void, startup: boolean) {
  let buf = Buffer.alloc(0);
  let first = startup;
  return (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      // The client's first message (startup) has no type byte.
      const head = first ? 4 : 5;
      if (buf.length < head) return;
      const len = buf.readInt32BE(first ? 0 : 1);
      const size = len + (first ? 0 : 1);
      if (buf.length < size) return;
      if (!first) onMessage(buf[0], size);
      first = false;
      buf = buf.subarray(size);
    }
  };
}

function proxy(counter: Counter, target: URL): Promise<{ server: Server; port: number }> {
  const server = createServer((client: Socket) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    const fromClient = messages((type) => { if (type === 0x51 /* Q */ || type === 0x45 /* E */) counter.statements++; }, true);
    const fromServer = messages((type, size) => { if (type === 0x44 /* D */) counter.rowBytes += size; }, false);
    client.on('data', (d: Buffer) => { fromClient(d); upstream.write(d); });
    upstream.on('data', (d: Buffer) => { counter.fromServer += d.length; fromServer(d); client.write(d); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, port: (server.address() as { port: number }).port })));
}

function start(script: string, args: string[], env: Record<string, string>, want: string[]): Promise<{ child: ChildProcess; out: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((ok, fail) => {
    let text = '';
    child.stdout!.on('data', (d) => {
      text += d;
      const out = Object.fromEntries([...text.matchAll(/^(\w+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
      if (want.every((k) => out[k])) ok({ child, out });
    });
    child.on('exit', (code) => fail(new Error(`${script} exited with ${code}`)));
  });
}

interface Route { name: string; method: 'GET' | 'POST'; path: string; body?: object }

async function perRequest(counter: Counter, base: string, token: string, r: Route) {
  const send = () => fetch(base + r.path, {
    method: r.method, headers: { authorization: `Bearer ${token}`, ...(r.body ? { 'content-type': 'application/json' } : {}) },
    body: r.body ? JSON.stringify(r.body) : undefined,
  }).then(async (res) => { if (!res.ok) throw new Error(`${r.name}: ${res.status} ${await res.text()}`); return (await res.arrayBuffer()).byteLength; });
  for (let i = 0; i < 5; i++) await send(); // warm-up
  counter.reset();
  let responseBytes = 0;
  for (let i = 0; i < SAMPLES; i++) responseBytes += await send();
  return {
    dbBytesPerRequest: Math.round(counter.fromServer / SAMPLES), rowBytesPerRequest: Math.round(counter.rowBytes / SAMPLES),
    statementsPerRequest: Number((counter.statements / SAMPLES).toFixed(2)), responseBytes: Math.round(responseBytes / SAMPLES),
  };
}

async function loadTest(url: string, connections: number, opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}) {
  const r = await autocannon({ url, connections, duration: SECONDS, method: opts.method ?? 'GET', headers: opts.headers, body: opts.body });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts };
}

const dbName = `bench_learning_${randomBytes(4).toString('hex')}`;
const counter = new Counter();
const target = new URL(PG);
const { server, port: proxyPort } = await proxy(counter, target);
const dbUrl = new URL(PG);
dbUrl.host = `127.0.0.1:${proxyPort}`;
dbUrl.pathname = `/${dbName}`;

const children: ChildProcess[] = [];
try {
  // The child creates the database (migrating creates a missing one) and drops it again when it is stopped.
  const app = await start('bench/learning-server.ts', [], { BENCH_ROOT: ROOT, BENCH_DATABASE_URL: dbUrl.toString(), BENCH_ADMIN_URL: PG }, ['PORT', 'TOKEN', 'MODULE']);
  children.push(app.child);
  const bare = await start('bench/servers.ts', ['bare'], {}, ['PORT']);
  children.push(bare.child);
  const base = `http://127.0.0.1:${app.out.PORT}`;
  const token = app.out.TOKEN;
  const moduleId = app.out.MODULE;
  const auth = { authorization: `Bearer ${token}` };
  const beat = { clientId: 'bench', seq: 1, seconds: 15, sectionsRead: [], reachedEnd: false };
  const routes: Route[] = [
    { name: 'GET /api/me/learning', method: 'GET', path: '/api/me/learning' },
    { name: 'GET /api/modules/:id', method: 'GET', path: `/api/modules/${moduleId}` },
    { name: 'POST /api/modules/:id/progress', method: 'POST', path: `/api/modules/${moduleId}/progress`, body: beat },
    { name: 'GET /api/modules', method: 'GET', path: '/api/modules' },
  ];
  const reads: Record<string, Awaited<ReturnType<typeof perRequest>> & { rps: number; p50: number; p99: number }> = {};
  for (const r of routes) {
    const cost = await perRequest(counter, base, token, r);
    const speed = await loadTest(base + r.path, CONNECTIONS, {
      method: r.method, headers: { ...auth, ...(r.body ? { 'content-type': 'application/json' } : {}) }, body: r.body ? JSON.stringify(r.body) : undefined,
    });
    if (speed.non2xx || speed.errors) throw new Error(`${r.name}: ${speed.non2xx} non-2xx, ${speed.errors} errors under load`);
    reads[r.name] = { ...cost, rps: speed.rps, p50: speed.p50, p99: speed.p99 };
    console.log(`${r.name.padEnd(32)} ${String(cost.dbBytesPerRequest).padStart(9)} B from the database (${cost.rowBytesPerRequest} B rows, ` +
      `${cost.statementsPerRequest} statements), ${cost.responseBytes} B answer; ${speed.rps} req/s at ${CONNECTIONS} connections`);
  }
  // GET /api/modules at 50 connections, against a bare Fastify route in the same run.
  await loadTest(`http://127.0.0.1:${bare.out.PORT}/hello`, 50);
  const baseline = await loadTest(`http://127.0.0.1:${bare.out.PORT}/hello`, 50);
  const modules = await loadTest(`${base}/api/modules`, 50, { headers: auth });
  console.log(`bare GET /hello at 50 connections        ${baseline.rps} req/s, p50 ${baseline.p50} ms, p99 ${baseline.p99} ms`);
  console.log(`GET /api/modules at 50 connections       ${modules.rps} req/s, p50 ${modules.p50} ms, p99 ${modules.p99} ms, ` +
    `${modules.non2xx} non-2xx, ${modules.errors} errors, ${modules.timeouts} time-outs`);
  const result = {
    label: LABEL, date: new Date().toISOString(), tree: ROOT,
    machine: `${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    database: 'PostgreSQL on 127.0.0.1, through a counting proxy in the benchmark process',
    method: 'bytes the PostgreSQL server sent the application per request (all protocol messages; DataRow messages alone as rows), ' +
      `averaged over ${SAMPLES} sequential requests after 5 warm-up requests; req/s from autocannon, ${SECONDS} s per route at ${CONNECTIONS} connections`,
    reads,
    modulesAt50: { baseline, modules, seconds: SECONDS },
  };
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync(`docs/benchmarks/learning-reads-${LABEL}.json`, JSON.stringify(result, null, 2) + '\n');
} finally {
  await Promise.all(children.map((c) => new Promise((ok) => { c.once('exit', ok); c.kill('SIGTERM'); })));
  server.close();
}
