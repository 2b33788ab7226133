// Child process of bench/learning-reads.ts: the application of one code tree (BENCH_ROOT, this repository by default,
// or a worktree of an older commit for the "before" figures) on the PostgreSQL database BENCH_DATABASE_URL, with the
// shipped content synchronised and one staff member who has read a little. Prints PORT, TOKEN and MODULE on stdout
// and serves until killed. The code is imported from the tree by path so that the same script measures both trees.
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.env.BENCH_ROOT ?? '.');
const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is required');
const load = (path: string) => import(pathToFileURL(join(root, path)).href);

const { buildApp } = (await load('api/src/app.ts')) as typeof import('../api/src/app.js');
const { createOrm, migrate } = (await load('api/src/db/orm.ts')) as typeof import('../api/src/db/orm.js');
const { syncContent } = (await load('api/src/modules/courses/content-sync.ts')) as typeof import('../api/src/modules/courses/content-sync.js');
const { exec, query, sql } = (await load('api/src/lib/sql.ts')) as typeof import('../api/src/lib/sql.js');

const orm = await createOrm({ url, poolMax: 10 });
await migrate(orm);
await syncContent(orm.em.fork(), join(root, 'content'));
const unit = randomUUID();
const user = randomUUID();
const em = orm.em.fork();
await exec(em, sql`insert into org_unit (id, name, kind, path) values (${unit}, 'Bench', 'company', ${`/${unit}/`})`);
await exec(em, sql`insert into app_user (id, username, display_name, password_hash, role, position, org_unit_id)
                   values (${user}, 'bench', 'Bench', 'x', 'staff', 'account_manager', ${unit})`);
const [module] = await query<{ id: string }>(em, sql`select id from course_module where published_revision_id is not null order by slug limit 1`);

const app = await buildApp({
  orm,
  config: { jwtSecret: 'bench-secret-bench-secret-bench-secret-123', cookieSecure: false, trustProxy: false, logLevel: 'silent', env: 'production', webBuildDir: 'web/build' },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const token = app.signAccessToken({ id: user, role: 'staff', orgUnitId: unit, sessionId: randomUUID(), mustChangePassword: false });
process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\nTOKEN ${token}\nMODULE ${module.id}\n`);
// Stopped: close, then drop the database this run made (on a direct connection: the proxy may be gone by then).
async function stop() {
  await app.close();
  await orm.close();
  const admin = await createOrm({ url: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', poolMax: 1 });
  await exec(admin.em.fork(), sql.raw(`drop database if exists "${new URL(url!).pathname.slice(1)}" with (force)`));
  await admin.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
