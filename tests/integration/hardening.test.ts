import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../api/src/app.js';
import { createTestContext, testConfig, type TestContext } from '../helpers/app.js';
import { query, sql } from '../../api/src/lib/sql.js';
import { PASSWORD, bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';

/** Regression tests for the audit's hardening findings (issue 8): coercion, bad text and numbers, CSRF, headers, throttles. */

let ctx: TestContext;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let admin: string;
let staff: string;
let staffId: string;
let ipSeq = 0;
const freshIp = () => `10.77.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

beforeAll(async () => {
  ctx = await createTestContext();
  tree = await makeOrgTree(ctx.orm);
  const a = await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id });
  const s = await makeUser(ctx.orm, { role: 'staff', orgUnitId: tree.areaA.id });
  admin = (await login(ctx.app, a.username, PASSWORD, freshIp())).token;
  staff = (await login(ctx.app, s.username, PASSWORD, freshIp())).token;
  staffId = s.id;
});
afterAll(async () => { await ctx?.close(); });

function expectField(res: LightMyRequestResponse, status: number, path: string, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const errors = (res.json() as { errors?: { path: string; code: string }[] }).errors ?? [];
  const hit = errors.find((e) => e.path === path);
  expect(hit, `${path} in ${res.body}`).toBeTruthy();
  if (code) expect(hit?.code).toBe(code);
}

describe('JSON bodies are not coerced', () => {
  it('refuses a wrong type naming the field, and changes nothing', async () => {
    const disabled = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, disabled: true });
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${disabled.id}`, headers: bearer(admin), payload: { disabled: null } });
    expectField(res, 400, 'disabled', 'field.type');
    const after = await ctx.app.inject({ url: `/api/users/${disabled.id}`, headers: bearer(admin) });
    expect(after.json().disabled).toBe(true);
    const minutes = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: bearer(staff), payload: { kind: 'self_study', day: '2026-11-30', minutes: true } });
    expectField(minutes, 400, 'minutes', 'field.type');
    const note = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: bearer(staff), payload: { kind: 'self_study', day: '2026-11-30', minutes: 10, note: 123 } });
    expectField(note, 400, 'note', 'field.type');
  });

  it('still parses query strings into their types', async () => {
    const res = await ctx.app.inject({ url: '/api/users?limit=5&offset=0', headers: bearer(admin) });
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('text, numbers and dates the database cannot take get a 400, not a 500', () => {
  it('refuses NUL characters and lone surrogates, wherever they come', async () => {
    const login = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'a\u0000b', password: 'x' }, remoteAddress: freshIp() });
    expectField(login, 400, 'username', 'field.text_characters');
    const name = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(staff), payload: { displayName: '张\u0000三' } });
    expectField(name, 400, 'displayName', 'field.text_characters');
    const unit = await ctx.app.inject({ method: 'POST', url: '/api/org-units', headers: bearer(admin), payload: { name: '\ud800部门', parentId: tree.company.id, kind: 'department' } });
    expect(unit.statusCode, unit.body).toBe(400);
    const filter = await ctx.app.inject({ url: '/api/users?q=%00', headers: bearer(admin) });
    expectField(filter, 400, 'querystring.q', 'field.text_characters');
    const path = await ctx.app.inject({ url: '/api/modules/%00', headers: bearer(staff) });
    expect(path.statusCode).toBe(400);
    expect(path.headers['content-type']).toContain('application/problem+json');
  });

  it('keeps integers within the column range and days on the calendar', async () => {
    const offset = await ctx.app.inject({ url: '/api/users?offset=9223372036854775808', headers: bearer(admin) });
    expectField(offset, 400, 'querystring.offset', 'field.maximum');
    for (const day of ['2026-02-31', '0000-01-01', '2026-13-45']) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: bearer(staff), payload: { kind: 'self_study', day, minutes: 10 } });
      expectField(res, 400, 'day', 'field.day');
    }
    const month = await ctx.app.inject({ url: '/api/study/monthly?month=0000-01', headers: bearer(admin) });
    expectField(month, 400, 'querystring.month', 'field.month');
    const range = await ctx.app.inject({ url: '/api/study-sessions?from=2026-02-31', headers: bearer(staff) });
    expectField(range, 400, 'querystring.from', 'field.day');
    // A leap day is a real day.
    const leap = await ctx.app.inject({ url: '/api/study-sessions?from=2024-02-29', headers: bearer(staff) });
    expect(leap.statusCode, leap.body).toBe(200);
    const track = await ctx.app.inject({ method: 'POST', url: '/api/assignments', headers: bearer(admin), payload: { targetType: 'track', targetId: 'x', userIds: [staffId], dueOn: '2027-02-31' } });
    expectField(track, 400, 'dueOn', 'field.day');
  });

  it('turns a data error the database raises into a 400, never a 500 (the wall behind the schema rules)', async () => {
    const app = await buildApp({ config: testConfig, orm: ctx.orm });
    app.get('/api/test-bad-cast', { config: { auth: 'public' } }, async (req) => {
      await query(req.em, sql`select ${'not a number'}::int as n`);
      return { ok: true };
    });
    app.get('/api/test-bug', { config: { auth: 'public' } }, async (req) => {
      await query(req.em, sql`select * from no_such_table`);
      return { ok: true };
    });
    try {
      const bad = await app.inject({ url: '/api/test-bad-cast' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      // A real bug stays a 500: the wall only catches input.
      expect((await app.inject({ url: '/api/test-bug' })).statusCode).toBe(500);
    } finally {
      await app.close();
    }
  });

  it('says where malformed JSON broke, and answers a malformed URL with problem+json', async () => {
    const res = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: { ...bearer(staff), 'content-type': 'application/json' }, payload: '{"displayName": ' });
    expectField(res, 400, 'body', 'field.json_syntax');
    const url = await ctx.app.inject({ url: '/api/modules/%C0%AF', headers: bearer(staff) });
    expect(url.statusCode).toBe(400);
    expect(url.headers['content-type']).toContain('application/problem+json');
  });
});

describe('browser defences', () => {
  it('sends the security headers on API responses', async () => {
    const res = await ctx.app.inject({ url: '/api/health' });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // No HSTS on plain http; a site served over HTTPS (secure cookies) sends it.
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const secure = await buildApp({ config: { ...testConfig, cookieSecure: true }, orm: ctx.orm });
    try {
      const s = await secure.inject({ url: '/api/health' });
      expect(String(s.headers['strict-transport-security'])).toMatch(/max-age=\d+/);
    } finally {
      await secure.close();
    }
  });

  it('refuses cookie-authenticated writes that another site or port started', async () => {
    const u = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const res = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u.username, password: PASSWORD }, remoteAddress: freshIp() });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const write = (headers: Record<string, string>) => ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: { cookie, ...headers }, payload: { displayName: '改过的名字' } });
    const crossSite = await write({ 'sec-fetch-site': 'cross-site' });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json().code).toBe('cross_site_request');
    // Another port of the same host is the same site, not the same origin.
    expect((await write({ 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
    expect((await write({ origin: 'http://127.0.0.1:4300', host: '127.0.0.1:4201' })).statusCode).toBe(403);
    expect((await write({ origin: 'null' })).statusCode).toBe(403);
    // Bodiless writes are covered too.
    const logout = await ctx.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(logout.statusCode).toBe(403);
    // The app's own pages, and API clients with a Bearer token, go through.
    expect((await write({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    expect((await write({ origin: 'http://127.0.0.1:4201', host: '127.0.0.1:4201' })).statusCode).toBe(200);
    const api = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: { ...bearer(staff), 'sec-fetch-site': 'cross-site' }, payload: { displayName: '接口' } });
    expect(api.statusCode).toBe(200);
  });
});

describe('throttles', () => {
  it('throttles wrong current passwords on the change-password form', async () => {
    const u = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const { token } = await login(ctx.app, u.username, PASSWORD, freshIp());
    const change = (currentPassword: string) => ctx.app.inject({ method: 'POST', url: '/api/me/password', headers: bearer(token),
      payload: { currentPassword, newPassword: 'Brand-New-Lantern-58' } });
    for (let i = 0; i < 5; i++) expect((await change(`Wrong-${i}-Password`)).statusCode).toBe(400);
    const blocked = await change(PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    ctx.clock.advance(61_000);
    expect((await change(PASSWORD)).statusCode).toBe(200);
  });

  it('lets an office behind one address keep signing in: its budget grows with the accounts known there', async () => {
    const ip = freshIp();
    const staffHere = [];
    for (let i = 0; i < 4; i++) staffHere.push(await makeUser(ctx.orm, { orgUnitId: tree.areaA.id }));
    for (const s of staffHere) expect((await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: s.username, password: PASSWORD }, remoteAddress: ip })).statusCode).toBe(200);
    // 30 typos would block an unknown address; four known accounts raise the budget to 70.
    for (let i = 0; i < 40; i++) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: staffHere[i % 4].username + (i % 5 === 0 ? '' : `x${i}`), password: `Typo-${i}-Password` }, remoteAddress: ip });
      expect(res.statusCode, `typo ${i + 1}`).toBe(401);
    }
    const fine = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: staffHere[1].username, password: PASSWORD }, remoteAddress: ip });
    expect(fine.statusCode).toBe(200);
    // The budget has a limit: an address does get blocked eventually.
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i++) {
      status = (await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `guess-${randomUUID()}`, password: 'Nope-Nope-1' }, remoteAddress: ip })).statusCode;
    }
    expect(status).toBe(429);
  });
});
