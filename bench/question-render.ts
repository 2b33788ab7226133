// Benchmark: reading a stored question (GET /api/questions/:id) with its rendering kept on the version (render once)
// against the same read when the version has no kept rendering and the views are rendered from markdown on the
// request, as every read did before. Same process, same database, same questions; alternating rounds, medians.
// Writes docs/benchmarks/question-render.json.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../api/src/app.js';
import { createOrm } from '../api/src/db/orm.js';
import { query, sql } from '../api/src/lib/sql.js';
import { prepareDatabase } from '../api/src/startup.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-question-render-'));
const orm = await createOrm({});
await prepareDatabase(orm, { seedDemo: true, demoPassword: 'Bench-Harbor-2026', dataDir, contentDir: 'content' }, quiet);
const app = await buildApp({
  config: { jwtSecret: 'bench-secret-that-is-long-enough-for-hs256-0123456789', cookieSecure: false, trustProxy: false, logLevel: 'silent', env: 'test', webBuildDir: 'web/build' },
  orm,
});
await app.ready();
const [trainer] = await query<{ id: string; org_unit_id: string }>(orm.em.fork(), sql`select id, org_unit_id from app_user where role = 'trainer' limit 1`);
const token = app.signAccessToken({ id: trainer.id, role: 'trainer', orgUnitId: trainer.org_unit_id, sessionId: randomUUID(), mustChangePassword: false });
const ids = (await query<{ id: string }>(orm.em.fork(), sql`select id from question order by key, language`)).map((r) => r.id);

/** Reads every question once; milliseconds per read. */
async function readAll(): Promise<number> {
  const t = performance.now();
  for (const id of ids) {
    const res = await app.inject({ url: `/api/questions/${id}`, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`${id}: ${res.statusCode}`);
  }
  return (performance.now() - t) / ids.length;
}

const kept = await query<{ id: string; rendered: unknown }>(orm.em.fork(), sql`select id, rendered from question_version`);
const setRendered = async (on: boolean) => {
  if (on) {
    await query(orm.em.fork(), sql`
      update question_version v set rendered = x.rendered
        from jsonb_to_recordset(${JSON.stringify(kept)}::jsonb) as x(id uuid, rendered jsonb) where v.id = x.id`);
  } else await query(orm.em.fork(), sql`update question_version set rendered = null`);
};

await readAll(); // warm-up
const stored: number[] = [];
const onRead: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  await setRendered(true);
  stored.push(await readAll());
  await setRendered(false);
  onRead.push(await readAll());
}
await setRendered(true);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = {
  questions: ids.length, rounds: ROUNDS,
  storedMsPerRead: Number(median(stored).toFixed(3)), renderedOnReadMsPerRead: Number(median(onRead).toFixed(3)),
  storedRounds: stored.map((x) => Number(x.toFixed(3))), renderedOnReadRounds: onRead.map((x) => Number(x.toFixed(3))),
};
console.log(result);
mkdirSync('docs/benchmarks', { recursive: true });
writeFileSync('docs/benchmarks/question-render.json', `${JSON.stringify(result, null, 2)}\n`);
await app.close();
await orm.close();
rmSync(dataDir, { recursive: true, force: true });
