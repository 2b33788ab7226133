import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/src/app.js';
import { createOrm, migrate, type Orm } from '../../api/src/db/orm.js';
import { ManualClock } from '../../api/src/lib/clock.js';
import { execSql } from '../../api/src/lib/sql.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export const testConfig = {
  jwtSecret: TEST_SECRET, cookieSecure: false, trustProxy: false, logLevel: 'silent', env: 'test' as const,
  webBuildDir: 'web/build',
};

export const onPostgres = () => process.env.TEST_DB === 'postgres';

/** A fresh database for one test file: a new PostgreSQL database on the server, or an in-memory PGlite. */
export async function createTestDatabase(): Promise<{ orm: Orm; url?: string; drop: () => Promise<void> }> {
  // The project decides, not the environment: CI exports TEST_DATABASE_URL for the whole run, and the pglite project
  // must still run on PGlite.
  const base = onPostgres() ? process.env.TEST_DATABASE_URL : undefined;
  if (onPostgres() && !base) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL (vitest.config.ts sets it)');
  if (!base) {
    const orm = await createOrm({});
    await migrate(orm);
    return { orm, drop: async () => orm.close() };
  }
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const orm = await createOrm({ url: url.toString(), poolMax: 4 });
  await migrate(orm); // creates the database when it is missing
  return {
    orm,
    url: url.toString(),
    drop: async () => {
      await orm.close();
      const admin = await createOrm({ url: base, poolMax: 1 });
      try {
        await execSql(admin.em.fork(), `drop database if exists "${name}" with (force)`);
      } finally {
        await admin.close();
      }
    },
  };
}

export interface TestContext {
  app: FastifyInstance;
  orm: Orm;
  clock: ManualClock;
  url?: string;
  close: () => Promise<void>;
}

export async function createTestContext(opts: { clock?: ManualClock } = {}): Promise<TestContext> {
  const db = await createTestDatabase();
  const clock = opts.clock ?? new ManualClock(new Date());
  const app = await buildApp({ config: testConfig, orm: db.orm, clock });
  await app.ready();
  return {
    app, orm: db.orm, clock, url: db.url,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
