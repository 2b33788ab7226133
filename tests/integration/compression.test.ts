import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';
import { syncContent } from '../../api/src/modules/courses/content-sync.js';
import { execSql } from '../../api/src/lib/sql.js';
import { COMPRESS_THRESHOLD } from '../../api/src/plugins/compression.js';

let ctx: TestContext;
let staff: string;
let trainer: string;
let moduleId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  staff = (await login(ctx.app, (await makeUser(ctx.orm, { orgUnitId: tree.areaA.id })).username)).token;
  trainer = (await login(ctx.app, (await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id })).username)).token;
  await syncContent(ctx.orm.em.fork(), 'content', ctx.clock.now());
  const [m] = await execSql<{ id: string }>(ctx.orm.em.fork(), `select id from course_module order by slug limit 1`);
  moduleId = m.id;
});
afterAll(async () => { await ctx?.close(); });

const get = (url: string, token: string, encoding?: string) =>
  ctx.app.inject({ url, headers: { ...bearer(token), ...(encoding === undefined ? {} : { 'accept-encoding': encoding }) } });

const varies = (header: unknown) => String(header ?? '').toLowerCase().split(/,\s*/).includes('accept-encoding');

describe('compressed answers', () => {
  it('sends a module as brotli when asked, and it decodes to the same JSON as the plain answer', async () => {
    const plain = await get(`/api/modules/${moduleId}`, staff);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(COMPRESS_THRESHOLD);

    const br = await get(`/api/modules/${moduleId}`, staff, 'gzip, deflate, br');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^application\/json/);
    expect(varies(br.headers.vary)).toBe(true);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString('utf8'))).toEqual(plain.json());
  });

  it('sends gzip to a client that takes only gzip', async () => {
    const gz = await get(`/api/modules/${moduleId}`, staff, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(varies(gz.headers.vary)).toBe(true);
    const plain = await get(`/api/modules/${moduleId}`, staff);
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(plain.json());
  });

  it('sends identity when not asked, when only identity is accepted, or when the client says x-no-compression', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }, { 'accept-encoding': 'br', 'x-no-compression': '1' }]) {
      const res = await ctx.app.inject({ url: `/api/modules/${moduleId}`, headers: { ...bearer(staff), ...headers } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
      expect(res.json()).toMatchObject({ id: moduleId });
      // The same address can come compressed to another client: a cache must keep them apart.
      expect(varies(res.headers.vary)).toBe(true);
    }
  });

  it('leaves small answers as they are', async () => {
    const res = await get('/api/auth/session', staff, 'br, gzip');
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.length).toBeLessThan(COMPRESS_THRESHOLD);
    expect(res.headers['content-encoding']).toBeUndefined();
    const health = await ctx.app.inject({ url: '/api/health', headers: { 'accept-encoding': 'br' } });
    expect(health.headers['content-encoding']).toBeUndefined();
  });

  it('keeps the security headers on a compressed answer', async () => {
    const res = await get(`/api/modules/${moduleId}`, staff, 'br');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('compresses a long problem+json error and it stays problem+json with every field', async () => {
    const userIds = Array.from({ length: 40 }, (_, i) => `not-a-uuid-${i}`);
    const res = await ctx.app.inject({
      method: 'POST', url: '/api/study-sessions/attendance',
      headers: { ...bearer(trainer), 'accept-encoding': 'br', 'accept-language': 'en' },
      payload: { kind: 'meeting', day: '2026-11-02', minutes: 30, userIds },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['content-encoding']).toBe('br');
    const body = JSON.parse(brotliDecompressSync(res.rawPayload).toString('utf8')) as { status: number; errors: { path: string }[] };
    expect(body.status).toBe(400);
    expect(body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['userIds.0', 'userIds.39']));
  });

  it('does not compress an already-compressed download (a module exported as ZIP)', async () => {
    const res = await get(`/api/modules/${moduleId}/export`, trainer, 'br, gzip');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('does not inflate a compressed request body: it is refused, not expanded', async () => {
    const res = await ctx.app.inject({
      method: 'POST', url: '/api/study-sessions',
      headers: { ...bearer(staff), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
