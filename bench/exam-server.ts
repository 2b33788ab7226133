// Child process of bench/exam-attempts.ts. Serves one of three things until killed:
//
//   exam-server.ts app   the whole application on BENCH_DATABASE_URL (a PostgreSQL database it creates and drops) or,
//                        without it, on an in-memory PGlite; with BENCH_PEOPLE staff members, a bank of 60 questions
//                        and one monthly exam of 40 drawn from them, open now for all of them. Prints PORT, EXAM and
//                        TOKENS (a file with one "userId token" line per person, then the trainer's token).
//   exam-server.ts hello a bare Fastify route of the same shape that touches no database.
//   exam-server.ts bare  a bare Fastify route doing the answers upsert with raw `pg` on BENCH_DATABASE_URL: the
//                        baseline the real route is measured against. Prints PORT.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';

const kind = process.argv[2];
const url = process.env.BENCH_DATABASE_URL;
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 5000);

if (kind === 'hello') {
  // No database at all: what Fastify alone costs for a request of the same shape (the PGlite run's baseline).
  const app = Fastify({ logger: false });
  app.put<{ Body: { answers: { slot: number; seq: number }[] } }>('/answers/:id', async (r) => ({ acknowledged: [{ slot: r.body.answers[0].slot, seq: r.body.answers[0].seq }] }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else if (kind === 'bare') {
  const req = createRequire(createRequire(import.meta.url).resolve('@mikro-orm/postgresql', { paths: ['api'] }));
  const pg = req('pg') as { Pool: new (o: object) => { query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>; end(): Promise<void> } };
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const app = Fastify({ logger: false });
  app.put<{ Params: { id: string }; Body: { answers: { slot: number; seq: number; response: object }[] } }>('/answers/:id', async (r) => {
    const a = r.body.answers[0];
    const res = await pool.query(`insert into attempt_answer as t (attempt_id, slot, response, flagged, seq, saved_at)
      values ($1, $2, $3, false, $4, now()) on conflict (attempt_id, slot) do update
         set response = excluded.response, seq = excluded.seq, saved_at = excluded.saved_at where t.seq < excluded.seq returning t.seq`,
    [r.params.id, a.slot, JSON.stringify(a.response), a.seq]);
    return { acknowledged: [{ slot: a.slot, seq: (res.rows[0] as { seq?: number } | undefined)?.seq ?? a.seq }] };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
} else {
  const { buildApp } = await import('../api/src/app.js');
  const { createOrm, migrate } = await import('../api/src/db/orm.js');
  const { exec, query, sql } = await import('../api/src/lib/sql.js');
  const orm = await createOrm(url ? { url, poolMax: 10 } : {});
  await migrate(orm);
  const em = orm.em.fork();
  const unit = randomUUID();
  const trainer = randomUUID();
  await exec(em, sql`insert into org_unit (id, name, kind, path) values (${unit}, 'Bench', 'company', ${`/${unit}/`})`);
  await exec(em, sql`insert into app_user (id, username, display_name, password_hash, role, position, org_unit_id)
                     values (${trainer}, 'bench-trainer', 'Trainer', 'x', 'trainer', 'marketing_manager', ${unit})`);
  await exec(em, sql`insert into app_user (id, username, display_name, password_hash, role, position, org_unit_id)
                     select gen_random_uuid(), 'b' || n, 'Person ' || n, 'x', 'staff', 'account_manager', ${unit}::uuid
                       from generate_series(1, ${PEOPLE}::int) as n`);
  const app = await buildApp({
    orm, finaliseEveryMs: 0,
    config: { jwtSecret: 'bench-secret-bench-secret-bench-secret-123', cookieSecure: false, trustProxy: false, logLevel: 'silent', env: 'production', webBuildDir: 'web/build' },
  });
  await app.ready();
  const sign = (id: string, role: 'staff' | 'trainer') => app.signAccessToken({ id, role, orgUnitId: unit, sessionId: randomUUID(), mustChangePassword: false });
  const trainerToken = sign(trainer, 'trainer');
  const headers = { authorization: `Bearer ${trainerToken}` };
  for (let i = 0; i < 60; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/questions', headers, payload: {
      type: 'single_choice', key: `bench-${i}`, stem: `关于卷烟营销的第 ${i} 题：下列说法哪一项正确？`, points: 2.5, difficulty: 1 + (i % 5), tags: ['bench'],
      status: 'active', explanation: '依据《烟草专卖法》。',
      options: [0, 1, 2, 3].map((k) => ({ text: `选项 ${k}：一段合理长度的选项文字`, correct: k === i % 4 })),
    } });
    if (res.statusCode !== 201) throw new Error(res.body);
  }
  const now = Date.now();
  const created = await app.inject({ method: 'POST', url: '/api/exams', headers, payload: {
    titleZh: '压测月考', kind: 'monthly', period: new Date(now).toISOString().slice(0, 7),
    opensAt: new Date(now - 60_000).toISOString(), closesAt: new Date(now + 6 * 3600_000).toISOString(), timeLimitMinutes: 120, passMark: 60,
    positions: ['account_manager'], items: [{ kind: 'random', tag: 'bench', drawCount: 40 }],
  } });
  if (created.statusCode !== 201) throw new Error(created.body);
  const examId = created.json().id as string;
  const published = await app.inject({ method: 'POST', url: `/api/exams/${examId}/publish`, headers });
  if (published.statusCode !== 200) throw new Error(published.body);
  const people = await query<{ id: string }>(em, sql`select id from app_user where role = 'staff' order by username`);
  const file = join(tmpdir(), `bench-exam-tokens-${process.pid}.txt`);
  writeFileSync(file, people.map((p) => `${p.id} ${sign(p.id, 'staff')}`).join('\n') + `\ntrainer ${trainerToken}\n`);
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\nEXAM ${examId}\nTOKENS ${file}\n`);
  const stop = async () => {
    await app.close();
    await orm.close();
    if (url) {
      const admin = await createOrm({ url: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', poolMax: 1 });
      await exec(admin.em.fork(), sql.raw(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`));
      await admin.close();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
}
