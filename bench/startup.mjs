// Benchmark: time from starting the built server (`node api/dist/server.js`, what `pnpm start` runs) to its first
// healthy answer, on an empty embedded database (migrations, demo organisation, content) and on the same database
// again (nothing to do), with a bare `node -e 0` start as the baseline in the same run. It also times the two builds
// a newcomer's first `pnpm start` runs before that (the web app with vite, once; the API with esbuild, each run), and
// reports the first start as their sum, which is what start.mjs does one after the other. Each case runs BENCH_RUNS
// times (3); medians are reported, with the server's own per-phase timings (its `ready` log line) from the run
// nearest the median. BENCH_WEB=0 skips the web build. Writes docs/benchmarks/startup.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nearestMedian = (runs) => {
  const m = median(runs.map((r) => r.ms));
  return runs.find((r) => r.ms === m);
};

function timed(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} failed`);
  return performance.now() - t0;
}

async function timeToHealthy(dataDir, port) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['api/dist/server.js'], {
    env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DEMO_PASSWORD: 'Bench-Password-1', LOG_LEVEL: 'info', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let ready;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.includes('"ready"')) return;
    try { ready = JSON.parse(line); } catch { /* not a log line */ }
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (r.ok) {
          const ms = performance.now() - t0;
          await new Promise((r) => setTimeout(r, 50)); // the ready line is written just before the health answer
          return { ms, ready: ready ? { ms: ready.ms, cpuMs: ready.cpuMs, phases: ready.phases, cpuPhases: ready.cpuPhases } : undefined };
        }
      } catch { /* not listening yet */ }
      if (performance.now() - t0 > 120_000) throw new Error('server did not become healthy in 120 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
  }
}

const load = [loadavg()[0]];
let webBuildMs;
if (process.env.BENCH_WEB !== '0') {
  webBuildMs = timed(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: 'web' });
}
const baseline = [];
const apiBuild = [];
const empty = [];
const existing = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  baseline.push(performance.now() - t0);
  apiBuild.push(timed(process.execPath, ['scripts/build-api.mjs', '--quiet']));
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  empty.push(await timeToHealthy(dir, 3900 + i));
  existing.push(await timeToHealthy(dir, 3950 + i));
  rmSync(dir, { recursive: true, force: true });
  load.push(loadavg()[0]);
}
const r = (x) => (x === undefined ? undefined : Math.round(x));
const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} cores, Node ${process.version}`,
  loadAverage1m: { min: Math.min(...load), max: Math.max(...load) },
  runs: RUNS,
  command: 'node api/dist/server.js',
  nodeBaselineMs: r(median(baseline)),
  webBuildMs: r(webBuildMs),
  apiBuildMs: r(median(apiBuild)),
  emptyDatabaseMs: r(median(empty.map((x) => x.ms))),
  existingDatabaseMs: r(median(existing.map((x) => x.ms))),
  firstStartWithBuildsMs: r((webBuildMs ?? 0) + median(apiBuild) + median(empty.map((x) => x.ms))),
  emptyDatabaseReady: nearestMedian(empty).ready,
  existingDatabaseReady: nearestMedian(existing).ready,
  allRunsMs: { baseline: baseline.map(r), apiBuild: apiBuild.map(r), empty: empty.map((x) => r(x.ms)), existing: existing.map((x) => r(x.ms)) },
};
const phases = (ready) => (ready ? Object.entries(ready.phases).map(([k, v]) => `${k} ${v}`).join(', ') : 'no ready line');
console.log(`load average (1 min) during the run: ${result.loadAverage1m.min.toFixed(1)} to ${result.loadAverage1m.max.toFixed(1)} on ${cpus().length} cores`);
console.log(`node -e 0 (baseline): ${result.nodeBaselineMs} ms`);
if (webBuildMs !== undefined) console.log(`web build (vite): ${result.webBuildMs} ms`);
console.log(`API build (esbuild): ${result.apiBuildMs} ms`);
console.log(`start → healthy, empty embedded database: ${result.emptyDatabaseMs} ms (median of ${RUNS}; ${phases(result.emptyDatabaseReady)})`);
console.log(`start → healthy, existing embedded database: ${result.existingDatabaseMs} ms (median of ${RUNS}; ${phases(result.existingDatabaseReady)})`);
console.log(`first start of a newcomer (${webBuildMs !== undefined ? 'web build + ' : ''}API build + empty database): ${result.firstStartWithBuildsMs} ms`);
mkdirSync('docs/benchmarks', { recursive: true });
const out = 'docs/benchmarks/startup.json';
let previous = {};
try { previous = JSON.parse(readFileSync(out, 'utf8')); } catch { /* first run */ }
// The file keeps the measurement before the built API (tsx) as the baseline this one is compared with.
writeFileSync(out, JSON.stringify({ ...result, before: previous.before ?? (previous.command ? undefined : previous) }, null, 2) + '\n');
