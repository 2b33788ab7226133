// Benchmark: the authenticated API route that touches no database (GET /api/auth/session: cookie/bearer parsing,
// HS256 verification, guard, schema serialisation) against a bare Fastify hello-world route, same load generator,
// same run. Prints requests/second, p50/p99 latency and the ratio; writes docs/benchmarks/http-auth.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

function start(kind: string): Promise<{ child: ChildProcess; port: number; token?: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/servers.ts', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const port = out.match(/PORT (\d+)/)?.[1];
      const token = out.match(/TOKEN (\S+)/)?.[1];
      if (port && (kind === 'bare' || token)) resolve({ child, port: Number(port), token });
    });
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

async function load(url: string, headers: Record<string, string> = {}) {
  // a short warm-up so JIT and connection set-up do not count
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total };
}

const bare = await start('bare');
const app = await start('app');
try {
  const baseline = await load(`http://127.0.0.1:${bare.port}/hello`);
  const authed = await load(`http://127.0.0.1:${app.port}/api/auth/session`, { authorization: `Bearer ${app.token}` });
  const ratio = authed.rps / baseline.rps;
  const result = {
    date: new Date().toISOString(), machine: `${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    connections: CONNECTIONS, seconds: DURATION, baseline, authenticated: authed, ratio: Number(ratio.toFixed(3)), target: 0.6,
  };
  console.log(`bare GET /hello              ${baseline.rps.toFixed(0)} req/s  p50 ${baseline.p50} ms  p99 ${baseline.p99} ms`);
  console.log(`authenticated /api/auth/session ${authed.rps.toFixed(0)} req/s  p50 ${authed.p50} ms  p99 ${authed.p99} ms`);
  console.log(`ratio ${ratio.toFixed(3)} (target >= 0.6): ${ratio >= 0.6 ? 'met' : 'NOT met'}`);
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/http-auth.json', JSON.stringify(result, null, 2) + '\n');
} finally {
  bare.child.kill();
  app.child.kill();
}
