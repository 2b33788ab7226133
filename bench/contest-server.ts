// Child process of bench/contest-live.ts. Serves one of two things until killed:
//
//   contest-server.ts app   the whole application on BENCH_DATABASE_URL (a PostgreSQL database it creates and drops)
//                           with BENCH_PEOPLE staff members, ten bank questions and one live contest of them (10-second
//                           windows, speed and streak bonuses on). Prints PORT, CONTEST, CODE, PID and TOKENS (a file
//                           with one "userId token" line per person, then the trainer's token).
//   contest-server.ts bare  a bare Fastify route doing the same answer insert with raw `pg` on BENCH_DATABASE_URL: the
//                           baseline the real route is measured against. Prints PORT.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';

const kind = process.argv[2];
const url = process.env.BENCH_DATABASE_URL;
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 2000);

if (kind === 'bare') {
  const req = createRequire(createRequire(import.meta.url).resolve('@mikro-orm/postgresql', { paths: ['api'] }));
  const pg = req('pg') as { Pool: new (o: object) => { query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>; end(): Promise<void> } };
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const app = Fastify({ logger: false });
  app.post<{ Params: { id: string; user: string }; Body: { position: number; response: object } }>('/answers/:id/:user', async (r) => {
    const res = await pool.query(`insert into bench_answer (contest_id, position, user_id, response, answered_at)
      values ($1, $2, $3, $4, now()) on conflict do nothing returning answered_at`,
    [r.params.id, r.body.position, r.params.user, JSON.stringify(r.body.response)]);
    return { position: r.body.position, recorded: res.rows.length > 0 };
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
  // The baseline's table: the same shape as contest_answer's key, no foreign keys to check.
  await exec(em, sql`create table if not exists bench_answer (contest_id uuid, position int, user_id uuid, response jsonb,
    answered_at timestamptz, primary key (contest_id, position, user_id))`);
  const app = await buildApp({
    orm, finaliseEveryMs: 0,
    config: { jwtSecret: 'bench-secret-bench-secret-bench-secret-123', cookieSecure: false, trustProxy: false, logLevel: 'silent', env: 'production', webBuildDir: 'web/build' },
  });
  await app.ready();
  const sign = (id: string, role: 'staff' | 'trainer') => app.signAccessToken({ id, role, orgUnitId: unit, sessionId: randomUUID(), mustChangePassword: false });
  const trainerToken = sign(trainer, 'trainer');
  const headers = { authorization: `Bearer ${trainerToken}` };
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/questions', headers, payload: {
      type: 'single_choice', key: `bench-c${i}`, stem: `竞赛第 ${i} 题：下列关于卷烟营销的说法哪一项正确？`, points: 1, difficulty: 2, tags: ['bench'],
      status: 'active', explanation: '依据《烟草专卖法》。',
      options: [0, 1, 2, 3].map((k) => ({ text: `选项 ${k}：一段合理长度的选项文字`, correct: k === i % 4 })),
    } });
    if (res.statusCode !== 201) throw new Error(res.body);
    ids.push(res.json().id as string);
  }
  const created = await app.inject({ method: 'POST', url: '/api/contests', headers, payload: {
    kind: 'live', titleZh: '压测知识竞赛', period: new Date().toISOString().slice(0, 7), questionIds: ids, answerSeconds: 10,
    speedBonus: 500, streakBonus: 100,
  } });
  if (created.statusCode !== 201) throw new Error(created.body);
  const people = await query<{ id: string }>(em, sql`select id from app_user where role = 'staff' order by username`);
  const file = join(tmpdir(), `bench-contest-tokens-${process.pid}.txt`);
  writeFileSync(file, people.map((p) => `${p.id} ${sign(p.id, 'staff')}`).join('\n') + `\ntrainer ${trainerToken}\n`);
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\nCONTEST ${created.json().id}\nCODE ${created.json().joinCode}\nPID ${process.pid}\nTOKENS ${file}\n`);
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
