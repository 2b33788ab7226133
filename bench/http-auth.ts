// Benchmark: the authenticated API route that touches no database (GET /api/auth/session: cookie/bearer parsing,
// HS256 verification, guard, schema serialisation) against a bare Fastify hello-world route, same load generator,
// same run. Prints requests/second, p50/p99 latency and the ratio; writes docs/benchmarks/http-auth.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
// Two cores are shared by the load generator and the server, so single runs swing by a third: the two routes are
// measured in alternating rounds and the medians are reported.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bare = await start('bare');
const app = await start('app');
try {
  const bareUrl = `http://127.0.0.1:${bare.port}/hello`;
  const appUrl = `http://127.0.0.1:${app.port}/api/auth/session`;
  const auth = { authorization: `Bearer ${app.token}` };
  // warm-up: JIT and connection set-up do not count
  await autocannon({ url: bareUrl, connections: CONNECTIONS, duration: 2 });
  await autocannon({ url: appUrl, connections: CONNECTIONS, duration: 2, headers: auth });
  const rounds: { baseline: Awaited<ReturnType<typeof load>>; authenticated: Awaited<ReturnType<typeof load>>; ratio: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const baseline = await load(bareUrl);
    const authenticated = await load(appUrl, auth);
    rounds.push({ baseline, authenticated, ratio: authenticated.rps / baseline.rps });
    console.log(`round ${i + 1}: bare ${baseline.rps.toFixed(0)} req/s, authenticated ${authenticated.rps.toFixed(0)} req/s, ratio ${(authenticated.rps / baseline.rps).toFixed(3)}`);
  }
  const summary = (pick: (r: (typeof rounds)[number]) => Awaited<ReturnType<typeof load>>) => ({
    rps: Math.round(median(rounds.map((r) => pick(r).rps))), p50: median(rounds.map((r) => pick(r).p50)), p99: median(rounds.map((r) => pick(r).p99)),
  });
  const baseline = summary((r) => r.baseline);
  const authed = summary((r) => r.authenticated);
  const ratio = median(rounds.map((r) => r.ratio));
  const result = {
    date: new Date().toISOString(), machine: `${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    connections: CONNECTIONS, secondsPerRound: DURATION, rounds: rounds.length, baseline, authenticated: authed, ratio: Number(ratio.toFixed(3)), target: 0.6,
    perRound: rounds.map((r) => ({ bare: Math.round(r.baseline.rps), authenticated: Math.round(r.authenticated.rps), ratio: Number(r.ratio.toFixed(3)) })),
  };
  console.log(`bare GET /hello                 median ${baseline.rps} req/s  p50 ${baseline.p50} ms  p99 ${baseline.p99} ms`);
  console.log(`authenticated GET /api/auth/session median ${authed.rps} req/s  p50 ${authed.p50} ms  p99 ${authed.p99} ms`);
  console.log(`median ratio ${ratio.toFixed(3)} (target >= 0.6): ${ratio >= 0.6 ? 'met' : 'NOT met'}`);
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/http-auth.json', JSON.stringify(result, null, 2) + '\n');
} finally {
  bare.child.kill();
  app.child.kill();
}
