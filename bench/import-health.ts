// Benchmark: how long GET /api/health takes while a 10 MB XLSX question import is parsed, against the same probe with
// no import running (the baseline), in the same run and process. The probe runs back to back over real HTTP on
// loopback; the import is a dry run (parsing and planning, no writes). Prints p50/p99/max and writes
// docs/benchmarks/import-health.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { buildApp } from '../api/src/app.js';
import { createOrm, migrate } from '../api/src/db/orm.js';
import { login, makeOrgTree, makeUser } from '../tests/helpers/factories.js';

// exceljs is a dependency of the api package, not of the workspace root: resolve it from there.
interface Sheet { addRow(values: unknown[]): unknown }
const ExcelJS = createRequire(new URL('../api/package.json', import.meta.url))('exceljs') as { Workbook: new () => { addWorksheet(name: string): Sheet; xlsx: { writeBuffer(): Promise<ArrayBuffer> } } };

const BASELINE_MS = Number(process.env.BENCH_BASELINE_MS ?? 5000);
const ROWS = 20_000;

/** A workbook of ROWS questions whose stems are varied Chinese text, so that it stays about 10 MB compressed. */
async function tenMegabyteWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('q');
  ws.addRow(['type', 'stem', 'option_a', 'option_b', 'correct', 'tags']);
  // Random characters from 20,000 CJK ideographs hardly compress: 20,000 rows of 190 make about 10 MB.
  const chars = (n: number) => { const b = randomBytes(2 * n); return Array.from({ length: n }, (_, k) => String.fromCharCode(0x4e00 + (b.readUInt16LE(2 * k) % 20_000))).join(''); };
  for (let i = 0; i < ROWS; i++) ws.addRow(['single_choice', `第 ${i} 题：${chars(190)}`, chars(8), chars(8), 'A', '批量']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const summary = (xs: number[]) => ({ probes: xs.length, p50: +pct(xs, 0.5).toFixed(1), p99: +pct(xs, 0.99).toFixed(1), max: +Math.max(...xs).toFixed(1) });

const orm = await createOrm({});
await migrate(orm);
const app = await buildApp({
  orm,
  config: { jwtSecret: 'bench-secret-bench-secret-bench-secret-123', cookieSecure: false, trustProxy: false, logLevel: 'silent', env: 'production', webBuildDir: 'web/build' },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
try {
  const tree = await makeOrgTree(orm);
  const { token } = await login(app, (await makeUser(orm, { role: 'trainer', orgUnitId: tree.company.id })).username);
  const file = await tenMegabyteWorkbook();
  console.error(`workbook: ${file.length} bytes`);
  const body = JSON.stringify({ format: 'xlsx', filename: 'bench.xlsx', content: file.toString('base64'), dryRun: true });
  const post = () => fetch(`${base}/api/questions/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  const probe = async () => {
    const started = performance.now();
    const res = await fetch(`${base}/api/health`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`health answered ${res.status}`);
    return performance.now() - started;
  };
  // Warm-up: JIT, connections, and the parse worker (started by a first import, as on a server that imported before).
  for (let i = 0; i < 50; i++) await probe();
  const warm = await fetch(`${base}/api/questions/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ format: 'gift', content: Buffer.from('Q {T}').toString('base64') }) });
  if (!warm.ok) throw new Error(`warm-up import answered ${warm.status}`);

  const baseline: number[] = [];
  for (const end = performance.now() + BASELINE_MS; performance.now() < end;) baseline.push(await probe());

  const during: number[] = [];
  let done = false;
  const started = performance.now();
  const importing = post().then(async (res) => { done = true; return { status: res.status, body: await res.json() as { counts?: Record<string, number> } }; });
  while (!done) during.push(await probe());
  const imported = await importing;
  const importSeconds = (performance.now() - started) / 1000;
  if (imported.status !== 200 || imported.body.counts?.create !== ROWS) throw new Error(`import answered ${imported.status} ${JSON.stringify(imported.body).slice(0, 300)}`);

  const result = {
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30),
    file: { bytes: file.length, rows: ROWS, format: 'xlsx' }, importSeconds: +importSeconds.toFixed(2),
    baselineMs: summary(baseline), duringImportMs: summary(during),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/import-health.json', JSON.stringify(result, null, 2) + '\n');
} finally {
  await app.close();
  await orm.close();
}
