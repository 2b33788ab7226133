// Benchmark: how late GET /api/health answers while a 10 MB question import runs on the same server, against the same
// probe with nothing else running (the baseline), in the same run.
//
// The API runs as it does in production, in a child process (`node --import tsx api/src/server.ts`, or the built
// `node api/dist/server.js` with BENCH_SERVER=dist), on a fresh embedded database (PGlite, in the server's own
// process: the hard case) or on a fresh database of the PostgreSQL server (BENCH_DB=postgres). This process logs in
// as the demo trainer, then for each case posts a 10 MB file of 20,000 questions (the file and row limits) and
// starts a health probe every 50 ms until the import has answered. Each probe's latency is from its start to its
// last byte; a server that stalls for 600 ms shows it as a probe of about 600 ms (and the ones queued behind it).
//
//   npx tsx bench/import-while-serving.ts
//   BENCH_DB (pglite | postgres), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_SERVER
//   (src | dist), BENCH_CASES (xlsx-dry,xlsx-apply,csv-dry,csv-apply), BENCH_BASELINE_MS (3000), BENCH_NODE_ARGS
//   (extra node flags for the server, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof), BENCH_SERVER_LOG (a file for the
//   server's output)
//
// Writes docs/benchmarks/import-while-serving-<db>.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

interface Sheet { addRow(values: unknown[]): unknown }
// exceljs is a dependency of the api package, not of the workspace root: resolve it from there.
const ExcelJS = createRequire(new URL('../api/package.json', import.meta.url))('exceljs') as { Workbook: new () => { addWorksheet(name: string): Sheet; xlsx: { writeBuffer(): Promise<ArrayBuffer> } } };

const DB = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';
const SERVER = process.env.BENCH_SERVER === 'dist' ? 'dist' : 'src';
const CASES = (process.env.BENCH_CASES ?? 'xlsx-dry,xlsx-apply,csv-dry,csv-apply').split(',');
const BASELINE_MS = Number(process.env.BENCH_BASELINE_MS ?? 3000);
const PROBE_EVERY_MS = 50;
const ROWS = 20_000;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const PASSWORD = 'bench-password-2026';

// Random characters from 20,000 CJK ideographs hardly compress, so an XLSX of them stays near its text's size.
const cjk = (n: number) => { const b = randomBytes(2 * n); return Array.from({ length: n }, (_, k) => String.fromCharCode(0x4e00 + (b.readUInt16LE(2 * k) % 20_000))).join(''); };

async function xlsxFile(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('q');
  ws.addRow(['type', 'stem', 'option_a', 'option_b', 'correct', 'tags']);
  for (let i = 0; i < ROWS; i++) ws.addRow(['single_choice', `第 ${i} 题：${cjk(190)}`, cjk(8), cjk(8), 'A', '批量']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function csvFile(): Buffer {
  // Three bytes a character in UTF-8: 20,000 rows of about 155 characters make just under 10 MB.
  const lines = ['type,stem,option_a,option_b,correct,tags'];
  for (let i = 0; i < ROWS; i++) lines.push(`single_choice,第 ${i} 题：${cjk(140)},${cjk(8)},${cjk(8)},A,批量`);
  return Buffer.from(lines.join('\n'));
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); }).on('error', reject);
});

async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const args = [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(SERVER === 'dist' ? ['api/dist/server.js'] : ['--import', 'tsx', 'api/src/server.ts'])];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  if (process.env.BENCH_SERVER_LOG) {
    const log = createWriteStream(process.env.BENCH_SERVER_LOG);
    child.stdout!.on('data', (d) => log.write(d));
    child.stderr!.on('data', (d) => log.write(d));
  }
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (/"msg":"ready"/.test(out)) { child.stdout!.off('data', onData); child.stdout!.resume(); resolve(child); }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err.slice(-2000)}${out.slice(-2000)}`)));
  });
}

/** A POST with a body already encoded, so that sending 13 MB costs this process no conversion on its event loop. */
function post(port: number, path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() })).on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function probe(port: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/api/health' }, (res) => {
      res.resume().on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`health answered ${res.statusCode}`))));
    }).on('error', reject).end();
  });
}

/** Probes every 50 ms until `until` settles; returns the latencies and how late this process's own timers ran. */
async function probeWhile<T>(port: number, until: Promise<T>): Promise<{ latencies: number[]; result: T; benchLagMs: number }> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const timer = setInterval(() => { pending.push(probe(port).then((ms) => { latencies.push(ms); })); }, PROBE_EVERY_MS);
  try {
    const result = await until;
    return { latencies, result, benchLagMs: lag.max / 1e6 };
  } finally {
    clearInterval(timer);
    lag.disable();
    await Promise.all(pending);
  }
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const summary = (xs: number[]) => ({ probes: xs.length, p50: +pct(xs, 0.5).toFixed(1), p99: +pct(xs, 0.99).toFixed(1), max: +Math.max(...xs).toFixed(1) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dataDir = mkdtempSync(join(tmpdir(), 'bench-import-'));
const dbName = `bench_import_${Date.now().toString(36)}`;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbUrl = (() => { const u = new URL(adminUrl); u.pathname = `/${dbName}`; return u.toString(); })();
const port = await freePort();
console.error(`making the files (${CASES.join(', ')}) ...`);
const files = { xlsx: CASES.some((c) => c.startsWith('xlsx')) ? await xlsxFile() : Buffer.alloc(0), csv: CASES.some((c) => c.startsWith('csv')) ? csvFile() : Buffer.alloc(0) };
for (const [format, f] of Object.entries(files)) if (f.length > MAX_FILE_BYTES) throw new Error(`${format} file is ${f.length} bytes, over the limit`);
console.error(`starting the ${SERVER} server on ${DB} ...`);
const startedAt = performance.now();
const server = await startServer(port, {
  NODE_ENV: 'production', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-123', COOKIE_SECURE: 'false', LOG_LEVEL: 'info',
  DATA_DIR: dataDir, SEED_DEMO: 'true', DEMO_PASSWORD: PASSWORD, ...(DB === 'postgres' ? { DATABASE_URL: dbUrl } : {}),
});
const startSeconds = (performance.now() - startedAt) / 1000;
const load = [loadavg()[0]];
try {
  const signIn = await post(port, '/api/auth/login', Buffer.from(JSON.stringify({ username: 'trainer', password: PASSWORD, mode: 'token' })), {});
  if (signIn.status !== 200) throw new Error(`login answered ${signIn.status} ${signIn.body}`);
  const auth = { authorization: `Bearer ${(JSON.parse(signIn.body) as { accessToken: string }).accessToken}`, 'accept-language': 'en' };
  // Warm-up: JIT, the probe path, and the parse worker (started by a first import, as on a server that imported before).
  for (let i = 0; i < 40; i++) await probe(port);
  const warm = await post(port, '/api/questions/import', Buffer.from(JSON.stringify({ format: 'gift', content: Buffer.from('Warm? {T}').toString('base64'), dryRun: true })), auth);
  if (warm.status !== 200) throw new Error(`warm-up import answered ${warm.status} ${warm.body.slice(0, 300)}`);

  const baseline = await probeWhile(port, sleep(BASELINE_MS));
  console.error(`baseline: ${JSON.stringify(summary(baseline.latencies))}`);
  const cases: Record<string, unknown>[] = [];
  for (const name of CASES) {
    const [format, mode] = name.split('-') as ['xlsx' | 'csv', 'dry' | 'apply'];
    const body = Buffer.from(JSON.stringify({ format, filename: `bench.${format}`, content: files[format].toString('base64'), dryRun: mode === 'dry' }));
    const started = performance.now();
    // On the monotonic clock (µs), to find the case's stretch in a --cpu-prof profile of the server.
    console.error(`${name} from ${process.hrtime.bigint() / 1000n}`);
    const run = await probeWhile(port, post(port, '/api/questions/import', body, auth));
    const seconds = (performance.now() - started) / 1000;
    console.error(`${name} to ${process.hrtime.bigint() / 1000n}`);
    const report = JSON.parse(run.result.body) as { counts?: { create: number }; applied?: boolean };
    if (run.result.status !== 200 || report.counts?.create !== ROWS || report.applied !== (mode === 'apply')) {
      throw new Error(`${name}: import answered ${run.result.status} ${run.result.body.slice(0, 300)}`);
    }
    const s = summary(run.latencies);
    const b = summary(baseline.latencies);
    const row = {
      case: name, fileBytes: files[format].length, bodyBytes: body.length, importSeconds: +seconds.toFixed(2), ...s,
      ratioMax: +(s.max / b.max).toFixed(2), ratioP99: +(s.p99 / b.p99).toFixed(2), benchOwnLagMs: +run.benchLagMs.toFixed(1),
    };
    console.error(JSON.stringify(row));
    cases.push(row);
    load.push(loadavg()[0]);
    await sleep(1000);
  }
  const result = {
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: load.map((l) => +l.toFixed(2)), database: DB, server: SERVER, serverStartSeconds: +startSeconds.toFixed(1),
    rows: ROWS, probeEveryMs: PROBE_EVERY_MS, baselineMs: { ...summary(baseline.latencies), benchOwnLagMs: +baseline.benchLagMs.toFixed(1) }, cases,
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync(`docs/benchmarks/import-while-serving-${DB}.json`, JSON.stringify(result, null, 2) + '\n');
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => { server.once('exit', resolve); setTimeout(resolve, 10_000).unref(); });
  rmSync(dataDir, { recursive: true, force: true });
  if (DB === 'postgres') {
    const { createOrm } = await import('../api/src/db/orm.js');
    const { exec, sql } = await import('../api/src/lib/sql.js');
    const admin = await createOrm({ url: adminUrl, poolMax: 1 });
    try { await exec(admin.em.fork(), sql.raw(`drop database if exists "${dbName}" with (force)`)); } finally { await admin.close(); }
  }
}
