import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('health and the API contract', () => {
  it('answers healthy when the database is reachable', async () => {
    const res = await ctx.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: 'up' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('publishes an OpenAPI document where every operation has an operationId and a tag', async () => {
    const res = await ctx.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const ops = Object.values(doc.paths as Record<string, Record<string, { operationId?: string; tags?: string[] }>>).flatMap((p) => Object.values(p));
    expect(ops.length).toBeGreaterThan(10);
    for (const op of ops) {
      expect(op.operationId, JSON.stringify(op).slice(0, 80)).toBeTruthy();
      expect(op.tags?.length).toBeGreaterThan(0);
    }
    const ids = ops.map((o) => o.operationId);
    for (const id of ['login', 'refreshSession', 'logout', 'getMe', 'changePassword', 'listUsers', 'createUser', 'updateUser', 'importUsers', 'listOrgUnits', 'createOrgUnit', 'updateOrgUnit']) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers an unknown API path with problem+json 404 in the requested language', async () => {
    const en = await ctx.app.inject({ url: '/api/no-such-thing', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(en.statusCode).toBe(404);
    expect(en.headers['content-type']).toContain('application/problem+json');
    expect(en.json()).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found' });
    expect(en.json().detail).toMatch(/not found/);
    const zh = await ctx.app.inject({ url: '/api/no-such-thing', headers: { 'accept-language': 'zh-CN' } });
    expect(zh.json().detail).toMatch(/找不到/);
  });

  it('answers 503 when the database is unreachable', async () => {
    const other = await createTestContext();
    // Close the database underneath a running app: the health check must notice, not crash.
    await other.orm.close(true);
    try {
      const res = await other.app.inject({ url: '/api/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('unavailable');
    } finally {
      await other.app.close();
      await other.close().catch(() => undefined);
    }
  });
});
