// Benchmark: time from starting the server to its first healthy answer, on an empty embedded database (migrations +
// demo organisation) and on the same database again (nothing to do). Each case runs several times; the median is
// reported, next to the time for a bare `node -e` start as the baseline. Writes docs/benchmarks/startup.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeToHealthy(dataDir, port) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/server.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DEMO_PASSWORD: 'Bench-Password-1', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (r.ok) return performance.now() - t0;
      } catch { /* not listening yet */ }
      if (performance.now() - t0 > 120_000) throw new Error('server did not become healthy in 120 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
}

const baseline = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  baseline.push(performance.now() - t0);
}
const empty = [];
const existing = [];
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  empty.push(await timeToHealthy(dir, 3900 + i));
  existing.push(await timeToHealthy(dir, 3950 + i));
  rmSync(dir, { recursive: true, force: true });
}
const result = {
  date: new Date().toISOString(), machine: `${cpus().length} cores, Node ${process.version}`, runs: RUNS,
  nodeBaselineMs: Math.round(median(baseline)), emptyDatabaseMs: Math.round(median(empty)), existingDatabaseMs: Math.round(median(existing)),
};
console.log(`node -e 0 (baseline): ${result.nodeBaselineMs} ms`);
console.log(`start → healthy, empty embedded database: ${result.emptyDatabaseMs} ms (median of ${RUNS})`);
console.log(`start → healthy, existing embedded database: ${result.existingDatabaseMs} ms (median of ${RUNS})`);
mkdirSync('docs/benchmarks', { recursive: true });
writeFileSync('docs/benchmarks/startup.json', JSON.stringify(result, null, 2) + '\n');
