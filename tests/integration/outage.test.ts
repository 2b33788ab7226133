import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/src/app.js';
import { createOrm, migrate, type Orm } from '../../api/src/db/orm.js';
import { createTestContext, onPostgres, testConfig } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';
import { makeCluster, type Cluster } from '../helpers/pg-cluster.js';

/**
 * A database outage answers 503 problem+json with Retry-After on every route, not 500, and the app recovers by
 * itself once the database is back. On the PostgreSQL project the test stops a cluster of its own under the running
 * app and starts it again; on PGlite, where there is no server to stop, it closes the database underneath the app.
 */
const ROUTES = ['/api/me', '/api/users', '/api/org-units', '/api/modules', '/api/tracks', '/api/study-sessions', '/api/assignments', '/api/questions'];

let app: FastifyInstance;
let orm: Orm;
let cluster: Cluster | undefined;
let token: string;
let closeAll: () => Promise<void>;

beforeAll(async () => {
  if (onPostgres()) {
    cluster = makeCluster(54000 + Math.floor(Math.random() * 900));
    cluster.start();
    orm = await createOrm({ url: cluster.url, poolMax: 4 });
    await migrate(orm);
    app = await buildApp({ config: testConfig, orm });
    await app.ready();
    closeAll = async () => { await app.close(); await orm.close(true).catch(() => undefined); cluster?.destroy(); };
  } else {
    const ctx = await createTestContext();
    app = ctx.app; orm = ctx.orm;
    closeAll = async () => { await app.close(); await orm.close(true).catch(() => undefined); };
  }
  const tree = await makeOrgTree(orm);
  const admin = await makeUser(orm, { role: 'admin', orgUnitId: tree.company.id });
  token = app.signAccessToken({ id: admin.id, role: 'admin', orgUnitId: admin.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });
}, 120_000);
afterAll(async () => { await closeAll?.(); });

async function statuses(): Promise<{ url: string; status: number; retryAfter: unknown; type: unknown; code: unknown }[]> {
  const out = [];
  for (const url of ROUTES) {
    const res = await app.inject({ url, headers: bearer(token) });
    out.push({ url, status: res.statusCode, retryAfter: res.headers['retry-after'], type: res.headers['content-type'], code: res.statusCode >= 400 ? res.json().code : null });
  }
  const write = await app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(token), payload: { displayName: '停电时改名' } });
  out.push({ url: 'PATCH /api/me', status: write.statusCode, retryAfter: write.headers['retry-after'], type: write.headers['content-type'], code: write.statusCode >= 400 ? write.json().code : null });
  return out;
}

describe('database outage', () => {
  it('answers 503 with Retry-After on every route while the database is down, and recovers when it is back', async () => {
    expect((await statuses()).every((s) => s.status === 200)).toBe(true);
    if (cluster) cluster.stop();
    else await orm.close(true);
    const down = await statuses();
    for (const s of down) {
      expect(s.status, s.url).toBe(503);
      expect(s.retryAfter, s.url).toBe('5');
      expect(String(s.type), s.url).toContain('application/problem+json');
      expect(s.code, s.url).toBe('unavailable');
    }
    const health = await app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(503);
    if (!cluster) return;
    cluster.start();
    // The pool reconnects by itself: within a few seconds every route answers again.
    const deadline = Date.now() + 15_000;
    let up = await statuses();
    while (!up.every((s) => s.status === 200) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      up = await statuses();
    }
    expect(up.map((s) => `${s.url} ${s.status}`)).toEqual(up.map((s) => `${s.url} 200`));
  }, 120_000);
});
