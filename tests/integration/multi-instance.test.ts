import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/src/app.js';
import { createOrm, type Orm } from '../../api/src/db/orm.js';
import { createTestContext, onPostgres, testConfig, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser, PASSWORD } from '../helpers/factories.js';

// Two processes behind a load balancer share nothing but the database. On the PostgreSQL server the second app gets
// its own ORM and connection pool, as a second process would; PGlite is one in-process database, so there the
// second app shares the ORM (the closest it gets to a second process).
let ctx: TestContext;
let second: FastifyInstance;
let secondOrm: Orm | undefined;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;

beforeAll(async () => {
  ctx = await createTestContext();
  if (onPostgres()) {
    expect(ctx.url).toBeTruthy();
    secondOrm = await createOrm({ url: ctx.url, poolMax: 2 });
  }
  second = await buildApp({ config: testConfig, orm: secondOrm ?? ctx.orm, clock: ctx.clock });
  await second.ready();
  tree = await makeOrgTree(ctx.orm);
});
afterAll(async () => {
  await second?.close();
  await secondOrm?.close();
  await ctx.close();
});

const refresh = (app: FastifyInstance, refreshToken: string) =>
  app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });

describe('two app instances on one database', () => {
  it('are really two instances', () => {
    expect(second).not.toBe(ctx.app);
    if (onPostgres()) expect(secondOrm).not.toBe(ctx.orm);
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
