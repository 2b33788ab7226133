// A live knowledge contest at full size, on PostgreSQL: BENCH_PEOPLE (2,000) players join and keep an event stream
// open; the host opens a 10-second question; every player answers within its first second. Measured:
//   - every answer recorded (rows in contest_answer), and the acknowledgement latency (p50, p95, max);
//   - the time from the window's close to each connected player receiving the closed question with their standing;
//   - the server's memory per connected player (resident set before and after the streams open).
// Same-run baseline: a bare Fastify route doing the same insert with raw `pg`, 2,000 requests spread over one second.
//
//   node --import tsx bench/contest-live.ts            → prints a summary, writes docs/benchmarks/contest-live.json
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, get, request } from 'node:http';
import { cpus, totalmem } from 'node:os';

const PG = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 2000);

function start(args: string[], env: Record<string, string>, want: string[]): Promise<{ child: ChildProcess; out: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/contest-server.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  return new Promise((ok, fail) => {
    let text = '';
    child.stdout!.on('data', (d) => {
      text += d;
      const out = Object.fromEntries([...text.matchAll(/^(\w+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
      if (want.every((k) => out[k])) ok({ child, out });
    });
    child.on('exit', (code) => fail(new Error(`contest-server ${args[0]} exited with ${code}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 4096 });
function call(port: number, method: string, path: string, token: string | null, body?: object): Promise<{ status: number; text: string }> {
  const payload = body ? JSON.stringify(body) : undefined;
  return new Promise((ok) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
    } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', (err) => ok({ status: 0, text: String(err) }));
    req.end(payload);
  });
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : 0; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssKb = (pid: string) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

interface StreamState { phase: string; index: number | null; closesAt: string | null; me: { rank: number | null } | null; leaderboard: unknown }

const children: ChildProcess[] = [];
const dbUrl = new URL(PG);
dbUrl.pathname = `/bench_contest_${randomBytes(4).toString('hex')}`;
const result: Record<string, unknown> = {
  date: new Date().toISOString(), people: PEOPLE,
  machine: `${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
};
try {
  const app = await start(['app'], { BENCH_DATABASE_URL: dbUrl.toString(), BENCH_ADMIN_URL: PG, BENCH_PEOPLE: String(PEOPLE) },
    ['PORT', 'CONTEST', 'CODE', 'PID', 'TOKENS']);
  const port = Number(app.out.PORT);
  const contest = app.out.CONTEST!;
  const lines = readFileSync(app.out.TOKENS!, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]);
  const trainer = lines.find((l) => l[0] === 'trainer')![1];
  const players = lines.filter((l) => l[0] !== 'trainer').map(([id, token]) => ({ id, token }));

  // Everyone joins.
  let joinFailures = 0;
  await inBatches(players, 50, async (p) => { const r = await call(port, 'POST', '/api/contests/join', p.token, { code: app.out.CODE }); if (r.status !== 200) joinFailures++; });
  const rssBefore = rssKb(app.out.PID!);

  // Everyone opens the event stream and keeps it open.
  const closedAt: number[] = [];
  const questionSeen = new Map<string, number>();
  let streamsOpen = 0;
  let onQuestion: ((p: { id: string; token: string }) => void) | null = null;
  const reveals = new Map<string, number>();
  const streams = players.map((p) => new Promise<void>((opened) => {
    const req = get({ host: '127.0.0.1', port, path: `/api/contests/${contest}/events`, headers: { authorization: `Bearer ${p.token}` }, agent: false }, (res) => {
      streamsOpen++;
      opened();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const s = JSON.parse(data.slice(6)) as StreamState;
          if (s.phase === 'question' && !questionSeen.has(p.id)) { questionSeen.set(p.id, Date.now()); onQuestion?.(p); }
          if (s.phase === 'reveal' && s.me?.rank != null && s.leaderboard && !reveals.has(p.id)) reveals.set(p.id, Date.now());
        }
      });
    });
    req.on('error', () => opened());
  }));
  await Promise.all(streams);
  await sleep(2000);
  const rssAfter = rssKb(app.out.PID!);
  result.streams = { open: streamsOpen, joinFailures, rssBeforeMb: Math.round(rssBefore / 1024), rssAfterMb: Math.round(rssAfter / 1024),
    kbPerPlayer: Math.round(((rssAfter - rssBefore) / Math.max(1, streamsOpen)) * 10) / 10 };

  // The host opens the first question; each player answers at a random moment of its first second after seeing it.
  const acks: number[] = [];
  let ackFailures = 0;
  const answering: Promise<void>[] = [];
  onQuestion = (p) => {
    answering.push((async () => {
      await sleep(Math.random() * 1000);
      const t0 = performance.now();
      const r = await call(port, 'POST', `/api/contests/${contest}/answers`, p.token, { position: 0, response: { choice: Math.floor(Math.random() * 4) } });
      acks.push(performance.now() - t0);
      if (r.status !== 200) ackFailures++;
    })());
  };
  const opened = await call(port, 'POST', `/api/contests/${contest}/start`, trainer);
  if (opened.status !== 200) throw new Error(opened.text);
  const closesAt = Date.parse((JSON.parse(opened.text) as StreamState).closesAt!);
  await sleep(Math.max(0, closesAt - Date.now()) + 3000);
  await Promise.all(answering);
  const recorded = await call(port, 'GET', `/api/contests/${contest}/state`, trainer);
  const answeredCount = (JSON.parse(recorded.text) as { answeredCount: number }).answeredCount;
  const delivery = [...reveals.values()].map((t) => t - closesAt);
  closedAt.push(...delivery);
  result.contest = {
    playersAnswering: answering.length, answersRecorded: answeredCount, ackFailures,
    ackMs: { p50: Math.round(pct(acks, 50)), p95: Math.round(pct(acks, 95)), max: Math.round(pct(acks, 100)) },
    leaderboardDelivered: reveals.size, leaderboardAfterCloseMs: { p50: Math.round(pct(delivery, 50)), p95: Math.round(pct(delivery, 95)), max: Math.round(pct(delivery, 100)) },
  };
  for (const c of children) c.kill('SIGTERM');
  await sleep(1500);

  // Baseline: the bare insert through Fastify, the same 2,000 answers spread over one second.
  const bareDb = new URL(PG);
  bareDb.pathname = `/bench_contest_bare_${randomBytes(4).toString('hex')}`;
  const appForBare = await start(['app'], { BENCH_DATABASE_URL: bareDb.toString(), BENCH_ADMIN_URL: PG, BENCH_PEOPLE: '1' }, ['PORT', 'PID']);
  const bare = await start(['bare'], { BENCH_DATABASE_URL: bareDb.toString() }, ['PORT']);
  const barePort = Number(bare.out.PORT);
  const bareAcks: number[] = [];
  let bareFailures = 0;
  const cid = crypto.randomUUID();
  await Promise.all(players.map(async (p) => {
    await sleep(Math.random() * 1000);
    const t0 = performance.now();
    const r = await call(barePort, 'POST', `/answers/${cid}/${p.id}`, null, { position: 0, response: { choice: 1 } });
    bareAcks.push(performance.now() - t0);
    if (r.status !== 200) bareFailures++;
  }));
  result.baseline = { failures: bareFailures, ackMs: { p50: Math.round(pct(bareAcks, 50)), p95: Math.round(pct(bareAcks, 95)), max: Math.round(pct(bareAcks, 100)) } };
  const c = result.contest as { ackMs: { p95: number } };
  result.ratio = { ackP95ToBare: Math.round((c.ackMs.p95 / Math.max(1, pct(bareAcks, 95))) * 100) / 100 };
  void appForBare;
  console.log(JSON.stringify(result, null, 2));
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/contest-live.json', JSON.stringify(result, null, 2) + '\n');
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(1500);
  process.exit(0);
}
