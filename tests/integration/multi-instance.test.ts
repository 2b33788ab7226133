import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../api/src/app.js';
import type { Orm } from '../../api/src/db/orm.js';
import { execSql } from '../../api/src/lib/sql.js';
import { createTestContext, onPostgres, testConfig, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser, PASSWORD } from '../helpers/factories.js';

// Two processes behind a load balancer share nothing but the database. The second instance here is built from a
// second copy of the API's code (a fresh module registry), so nothing the program keeps in memory, at module level
// or on the app, is shared with the first: a cache, a counter or a "revoked" set kept in memory breaks these tests.
//
// On the PostgreSQL server the second copy also gets its own ORM and connection pool, as a second process would, so
// state kept inside the ORM (a result cache, say) is not shared either. PGlite is one in-process database with one
// connection, owned by one ORM: a second process cannot open it, and a second ORM on it would interleave its
// statements with the first one's transactions. There the second copy of the code runs on the first ORM; the file
// asserts that this is what happens, and the postgres project (which CI always runs) covers the ORM as well.
let ctx: TestContext;
let second: FastifyInstance;
let secondOrm: Orm;
let secondCopy: { buildApp: typeof buildApp };
let tree: Awaited<ReturnType<typeof makeOrgTree>>;

/** The API's code loaded again, as a second process loads it: its modules, and so their state, are its own. */
async function loadSecondCopy() {
  vi.resetModules();
  const [app, orm] = await Promise.all([import('../../api/src/app.js'), import('../../api/src/db/orm.js')]);
  return { buildApp: app.buildApp, createOrm: orm.createOrm };
}

beforeAll(async () => {
  ctx = await createTestContext();
  const copy = await loadSecondCopy();
  secondCopy = copy;
  if (onPostgres()) {
    expect(ctx.url).toBeTruthy();
    secondOrm = await copy.createOrm({ url: ctx.url, poolMax: 2 });
  } else {
    secondOrm = ctx.orm;
  }
  second = await copy.buildApp({ config: testConfig, orm: secondOrm, clock: ctx.clock });
  await second.ready();
  tree = await makeOrgTree(ctx.orm);
});
afterAll(async () => {
  await second?.close();
  if (secondOrm && secondOrm !== ctx?.orm) await secondOrm.close();
  await ctx?.close();
});

const refresh = (app: FastifyInstance, refreshToken: string) =>
  app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });

describe('two app instances on one database', () => {
  it('are two copies of the program', () => {
    expect(second).not.toBe(ctx.app);
    expect(secondCopy.buildApp).not.toBe(buildApp);
  });

  it(onPostgres() ? 'have their own ORM and connection pool, on one database' : 'share the one embedded PGlite database', async () => {
    const whoami = async (orm: Orm) =>
      (await execSql<{ pid: number; db: string }>(orm.em.fork(), `select pg_backend_pid() as pid, current_database() as db`))[0];
    const [a, b] = [await whoami(ctx.orm), await whoami(secondOrm)];
    if (onPostgres()) {
      expect(ctx.orm.em.getDriver().constructor.name).toBe('PostgreSqlDriver');
      expect(secondOrm).not.toBe(ctx.orm);
      expect(b.db).toBe(a.db);
      // Two pools: the two instances talk to the server over different connections (different backends).
      expect(b.pid).not.toBe(a.pid);
    } else {
      // The pglite project really runs on PGlite (not on a server some environment variable pointed at).
      expect(ctx.url).toBeUndefined();
      expect(ctx.orm.em.getDriver().constructor.name).toBe('PGliteDriver');
      expect(secondOrm).toBe(ctx.orm);
    }
  });

  it('a session made on one is valid on the other', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const res = await second.inject({ url: '/api/me', headers: bearer(s.token) });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(user.id);

    const back = await login(second, user.username);
    expect((await ctx.app.inject({ url: '/api/me', headers: bearer(back.token) })).statusCode).toBe(200);
  });

  it('a refresh token issued by one refreshes on the other, and rotation is seen by both', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const r1 = await refresh(second, s.refreshToken);
    expect(r1.statusCode).toBe(200);
    const r2 = await refresh(ctx.app, r1.json().refreshToken);
    expect(r2.statusCode).toBe(200);
    expect((await second.inject({ url: '/api/me', headers: bearer(r2.json().accessToken) })).statusCode).toBe(200);
    // The first token was used on the second instance: the first instance refuses it.
    expect((await refresh(ctx.app, s.refreshToken)).statusCode).toBe(401);
  });

  it('a logout on one is honoured by the other at the next refresh', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(second, user.username);
    const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(s.token), payload: { refreshToken: s.refreshToken } });
    expect(out.statusCode).toBe(204);
    const res = await refresh(second, s.refreshToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('a user made on one logs in on the other', async () => {
    const adminUser = await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id });
    const { token } = await login(ctx.app, adminUser.username);
    const created = await ctx.app.inject({
      method: 'POST', url: '/api/users', headers: bearer(token),
      payload: { username: 'multi01', displayName: '双实例', role: 'staff', position: 'account_manager', orgUnitId: tree.areaA.id, password: PASSWORD },
    });
    expect(created.statusCode).toBe(201);
    const s = await login(second, 'multi01');
    expect(s.user.id).toBe(created.json().id);
  });

  it('a change made on one is what the other reads next', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    // Both instances read the account once, so that whatever either might keep of it is warm.
    for (const app of [ctx.app, second]) expect((await app.inject({ url: '/api/me', headers: bearer(s.token) })).json().locale).toBeNull();
    const changed = await second.inject({ method: 'PATCH', url: '/api/me', headers: bearer(s.token), payload: { locale: 'en' } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await ctx.app.inject({ url: '/api/me', headers: bearer(s.token) })).json().locale).toBe('en');
  });

  it('an account disabled on one is refused by the other', async () => {
    const adminUser = await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id });
    const admin = await login(second, adminUser.username);
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    expect((await ctx.app.inject({ url: '/api/me', headers: bearer(s.token) })).statusCode).toBe(200);
    const off = await second.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: bearer(admin.token), payload: { disabled: true } });
    expect(off.statusCode, off.body).toBe(200);
    expect((await ctx.app.inject({ url: '/api/me', headers: bearer(s.token) })).statusCode).toBe(401);
    expect((await refresh(ctx.app, s.refreshToken)).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: PASSWORD, mode: 'token' } })).statusCode).toBe(401);
  });

  it('share the login throttle', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const apps = [ctx.app, second];
    for (let i = 0; i < 5; i++) {
      const res = await apps[i % 2].inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.60.0.1', payload: { username: user.username, password: 'Wrong-Password-1' } });
      expect(res.statusCode).toBe(401);
    }
    for (const app of apps) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.60.0.2', payload: { username: user.username, password: PASSWORD } });
      expect(res.statusCode).toBe(429);
    }
  });
});
