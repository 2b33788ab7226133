import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_SECRET, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser, PASSWORD } from '../helpers/factories.js';
import { execSql } from '../../api/src/lib/sql.js';

let ctx: TestContext;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
beforeAll(async () => {
  ctx = await createTestContext();
  tree = await makeOrgTree(ctx.orm);
});
afterAll(async () => { await ctx.close(); });

/** Every test that makes failed logins uses its own address, so the per-address throttle of one never hits another. */
let ipSeq = 0;
const freshIp = () => `10.9.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

function postLogin(username: string, password: string, opts: { ip?: string; mode?: 'cookie' | 'token'; lang?: string } = {}) {
  return ctx.app.inject({
    method: 'POST', url: '/api/auth/login', remoteAddress: opts.ip ?? freshIp(),
    headers: opts.lang ? { 'accept-language': opts.lang } : {},
    payload: { username, password, ...(opts.mode ? { mode: opts.mode } : {}) },
  });
}

const refresh = (refreshToken: string) =>
  ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });

const me = (token: string) => ctx.app.inject({ url: '/api/me', headers: bearer(token) });

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT built by hand, so the tests do not trust the library under test to make the bad tokens. */
function handToken(header: Record<string, unknown>, payload: Record<string, unknown>, secret = TEST_SECRET, hmac = 'sha256') {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac(hmac, secret).update(input).digest('base64url')}`;
}

function payloadFor(user: { id: string; role: string; orgUnitId: string }, expOffsetSeconds: number) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: user.id, role: user.role, org: user.orgUnitId, sid: randomUUID(), iat: now - 60, exp: now + expOffsetSeconds };
}

describe('login', () => {
  it('in cookie mode sets httpOnly SameSite cookies for both tokens and keeps the refresh token out of the body', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const res = await postLogin(user.username, PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ id: user.id, username: user.username, role: 'staff' });
    expect(body.user.passwordHash).toBeUndefined();
    expect(body.refreshToken).toBeUndefined();
    expect(body.expiresIn).toBe(900);

    const at = res.cookies.find((c) => c.name === 'at')!;
    const rt = res.cookies.find((c) => c.name === 'rt')!;
    expect(at).toBeTruthy();
    expect(rt).toBeTruthy();
    expect(at.httpOnly).toBe(true);
    expect(rt.httpOnly).toBe(true);
    expect(String(at.sameSite).toLowerCase()).toBe('lax');
    expect(String(rt.sameSite).toLowerCase()).toBe('strict');
    expect(at.path).toBe('/');
    expect(rt.path).toBe('/api/auth');
    expect(at.value).toBe(body.accessToken);
    // The readable hint that a session may exist (the web app asks /api/me only with it): no token in it.
    const hint = res.cookies.find((c) => c.name === 'signed_in')!;
    expect(hint).toMatchObject({ value: '1', path: '/' });
    expect(hint.httpOnly).toBeFalsy();

    // The cookie alone authenticates the browser, and the refresh cookie alone refreshes it.
    const meRes = await ctx.app.inject({ url: '/api/me', cookies: { at: at.value } });
    expect(meRes.statusCode).toBe(200);
    expect(meRes.json().username).toBe(user.username);
    const again = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { rt: rt.value } });
    expect(again.statusCode).toBe(200);
    expect(again.json().refreshToken).toBeUndefined();
    const newRt = again.cookies.find((c) => c.name === 'rt')!;
    expect(newRt.value).toBeTruthy();
    expect(newRt.value).not.toBe(rt.value);
  });

  it('in token mode returns both tokens in the body and sets no cookies', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const res = await postLogin(user.username, PASSWORD, { mode: 'token' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body.refreshToken).toMatch(/^[\w-]{40,}$/);
    expect(res.cookies).toHaveLength(0);
    const meRes = await me(body.accessToken);
    expect(meRes.statusCode).toBe(200);
    expect(meRes.json()).toMatchObject({ id: user.id, mustChangePassword: false });
  });

  it('matches the employee number without regard to case', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, username: `Emp${Date.now().toString(36)}` });
    const res = await postLogin(user.username.toUpperCase(), PASSWORD, { mode: 'token' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(user.id);
  });

  it('answers an unknown user and a wrong password with the same 401 problem', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const ip = freshIp();
    const unknown = await postLogin('nobody-here', PASSWORD, { ip });
    const wrong = await postLogin(user.username, 'Wrong-Password-99', { ip });
    for (const res of [unknown, wrong]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('invalid_credentials');
    }
    const strip = (b: Record<string, unknown>) => { const { requestId: _r, ...rest } = b; return rest; };
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    expect(unknown.json().requestId).not.toBe(wrong.json().requestId);
  });

  it('refuses a disabled account even with the right password', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, disabled: true });
    const res = await postLogin(user.username, PASSWORD);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_credentials');
  });

  it('gives problem details in Chinese for zh-CN and in English for en', async () => {
    const ip = freshIp();
    const zh = await postLogin('nobody-zh', PASSWORD, { ip, lang: 'zh-CN,zh;q=0.9' });
    const en = await postLogin('nobody-en', PASSWORD, { ip, lang: 'en' });
    expect(zh.json().detail).toBe('工号或密码不正确。');
    expect(en.json().detail).toBe('Wrong employee number or password.');
    expect(zh.json().title).toBe('Unauthorized');
    const zhValidation = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'accept-language': 'zh-CN' }, payload: { password: 'x' } });
    expect(zhValidation.statusCode).toBe(400);
    expect(zhValidation.json().errors).toEqual([{ path: 'username', code: 'field.required', message: '必填' }]);
    const enValidation = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'accept-language': 'en' }, payload: { password: 'x' } });
    expect(enValidation.json().errors[0].message).toBe('is required');
    expect(enValidation.json().detail).toMatch(/not valid/);
  });
});

describe('login throttling', () => {
  it('blocks an account after 5 failures, even for the right password, until the block has passed', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const other = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      const res = await postLogin(user.username, `Wrong-Password-${i}`, { ip });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await postLogin(user.username, PASSWORD, { ip, lang: 'en' });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toContain('application/problem+json');
    expect(blocked.json().code).toBe('throttled');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(blocked.json().detail).toContain(String(retryAfter));
    // From another address the account is still blocked: the block is on the account.
    expect((await postLogin(user.username, PASSWORD)).statusCode).toBe(429);
    // Another account from the same address is not blocked.
    expect((await postLogin(other.username, PASSWORD, { ip })).statusCode).toBe(200);

    ctx.clock.advance(30_000);
    const stillBlocked = await postLogin(user.username, PASSWORD, { ip });
    expect(stillBlocked.statusCode).toBe(429);
    expect(Number(stillBlocked.headers['retry-after'])).toBeLessThanOrEqual(30);

    ctx.clock.advance(31_000);
    const ok = await postLogin(user.username, PASSWORD, { ip, mode: 'token' });
    expect(ok.statusCode).toBe(200);
    // A success clears the account's count: one more failure does not block again.
    expect((await postLogin(user.username, 'Wrong-Password-x', { ip })).statusCode).toBe(401);
    expect((await postLogin(user.username, PASSWORD, { ip })).statusCode).toBe(200);
  });

  it('blocks an address after 30 failures across different usernames', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const ip = freshIp();
    for (let i = 0; i < 30; i++) {
      const res = await postLogin(`guess-${i}`, 'Wrong-Password-1', { ip });
      expect(res.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await postLogin(user.username, PASSWORD, { ip });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The same account from another address is fine.
    expect((await postLogin(user.username, PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    ctx.clock.advance(61_000);
    expect((await postLogin(user.username, PASSWORD, { ip })).statusCode).toBe(200);
  });
});

describe('refresh tokens', () => {
  it('rotate: the new token refreshes, the used one no longer does', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const r1 = await refresh(s.refreshToken);
    expect(r1.statusCode).toBe(200);
    const t2 = r1.json().refreshToken as string;
    expect(t2).toBeTruthy();
    expect(t2).not.toBe(s.refreshToken);
    expect((await me(r1.json().accessToken)).statusCode).toBe(200);

    const r2 = await refresh(t2);
    expect(r2.statusCode).toBe(200);
    const t3 = r2.json().refreshToken as string;
    expect(t3).not.toBe(t2);

    const old = await refresh(s.refreshToken);
    expect(old.statusCode).toBe(401);
    expect(old.json().code).toBe('invalid_token');
  });

  it('revoke the whole family when a used token is presented again', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const other = await login(ctx.app, user.username); // another session of the same person
    const r1 = await refresh(s.refreshToken);
    const newest = r1.json().refreshToken as string;
    expect(r1.statusCode).toBe(200);

    expect((await refresh(s.refreshToken)).statusCode).toBe(401); // replay: theft signal
    const after = await refresh(newest);
    expect(after.statusCode).toBe(401);
    // Only that family: the other session of the same person lives on.
    expect((await refresh(other.refreshToken)).statusCode).toBe(200);
  });

  it('refuses an unknown refresh token and a missing one', async () => {
    expect((await refresh('not-a-real-token')).statusCode).toBe(401);
    const none = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('unauthenticated');
  });

  it('expire after their lifetime', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    ctx.clock.advance(15 * 86400_000);
    expect((await refresh(s.refreshToken)).statusCode).toBe(401);
  });
});

describe('logout', () => {
  it('revokes the session so its refresh token no longer works', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(s.token), payload: { refreshToken: s.refreshToken } });
    expect(out.statusCode).toBe(204);
    expect((await refresh(s.refreshToken)).statusCode).toBe(401);
  });

  it('with only the access token still ends the session', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(s.token) });
    expect(out.statusCode).toBe(204);
    expect((await refresh(s.refreshToken)).statusCode).toBe(401);
  });

  it('in cookie mode clears the cookies and revokes the refresh cookie', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const res = await postLogin(user.username, PASSWORD);
    const rt = res.cookies.find((c) => c.name === 'rt')!.value;
    const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { rt } });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.filter((c) => ['at', 'rt', 'signed_in'].includes(c.name) && c.value === '');
    expect(cleared.map((c) => c.name).sort()).toEqual(['at', 'rt', 'signed_in']);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { rt } })).statusCode).toBe(401);
  });
});

describe('access tokens', () => {
  let user: Awaited<ReturnType<typeof makeUser>>;
  beforeAll(async () => { user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id }); });

  it('a hand-made HS256 token with the right secret is accepted (the control for the tests below)', async () => {
    const res = await me(handToken({ alg: 'HS256', typ: 'JWT' }, payloadFor(user, 600)));
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(user.id);
  });

  it('refuses a request with no token', async () => {
    const res = await ctx.app.inject({ url: '/api/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthenticated');
  });

  it('refuses alg none', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payloadFor(user, 600))}.`;
    const res = await me(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('refuses a tampered payload that keeps the old signature', async () => {
    const s = await login(ctx.app, user.username);
    expect((await me(s.token)).statusCode).toBe(200);
    const [h, p, sig] = s.token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(payload.role).toBe('staff');
    const forged = `${h}.${b64url({ ...payload, role: 'admin' })}.${sig}`;
    expect((await me(forged)).statusCode).toBe(401);
    const users = await ctx.app.inject({ url: '/api/users', headers: bearer(forged) });
    expect(users.statusCode).toBe(401);
  });

  it('refuses an expired token', async () => {
    const res = await me(handToken({ alg: 'HS256', typ: 'JWT' }, payloadFor(user, -60)));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('refuses a token signed with another secret', async () => {
    const res = await me(handToken({ alg: 'HS256', typ: 'JWT' }, payloadFor(user, 600), 'another-secret-that-is-long-enough-0123456789'));
    expect(res.statusCode).toBe(401);
  });

  it('refuses tokens whose header names another algorithm', async () => {
    const rs = handToken({ alg: 'RS256', typ: 'JWT' }, payloadFor(user, 600));
    const hs512 = handToken({ alg: 'HS512', typ: 'JWT' }, payloadFor(user, 600), TEST_SECRET, 'sha512');
    for (const token of [rs, hs512]) {
      const res = await me(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('invalid_token');
    }
  });

  it('refuses garbage in the Authorization header', async () => {
    for (const authorization of ['Bearer', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', 'Bearer x y']) {
      const res = await ctx.app.inject({ url: '/api/me', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
    }
  });
});

describe('an account that must change its password', () => {
  it('is kept to /api/me and the password change until it does', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.company.id, role: 'admin', mustChangePassword: true });
    const s = await login(ctx.app, user.username);
    expect(s.user.mustChangePassword).toBe(true);

    const meRes = await me(s.token);
    expect(meRes.statusCode).toBe(200);
    expect(meRes.json().mustChangePassword).toBe(true);
    for (const url of ['/api/users', '/api/org-units']) {
      const res = await ctx.app.inject({ url, headers: bearer(s.token) });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().code).toBe('password_change_required');
    }
    const patch = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(s.token), payload: { locale: 'en' } });
    expect(patch.statusCode).toBe(200);

    const changed = await ctx.app.inject({
      method: 'POST', url: '/api/me/password', headers: bearer(s.token),
      payload: { currentPassword: PASSWORD, newPassword: 'Quiet-Harbor-Ledger-8' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.mustChangePassword).toBe(false);
    const users = await ctx.app.inject({ url: '/api/users', headers: bearer(changed.json().accessToken) });
    expect(users.statusCode).toBe(200);
    // The old token still says "must change": it keeps the account fenced in until it expires.
    expect((await ctx.app.inject({ url: '/api/users', headers: bearer(s.token) })).statusCode).toBe(403);
  });
});

describe('changing the password', () => {
  const change = (token: string, currentPassword: string, newPassword: string, lang = 'en') => ctx.app.inject({
    method: 'POST', url: '/api/me/password', headers: { ...bearer(token), 'accept-language': lang }, payload: { currentPassword, newPassword },
  });

  it('refuses a wrong current password', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const res = await change(s.token, 'Not-My-Password-1', 'Quiet-Harbor-Ledger-8');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([{ path: 'currentPassword', code: 'password.wrong_current', message: 'is not your current password' }]);
  });

  it('refuses a weak new password with a field error', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, username: `emp${Date.now().toString(36)}x` });
    const s = await login(ctx.app, user.username);
    const cases: [string, string][] = [
      ['Ab1-xyz', 'password.too_short'],
      ['password123', 'password.common'],
      ['PassWord123', 'password.common'],
      [`Zz-${user.username}-77`, 'password.contains_username'],
      [`Zz-${user.username.toUpperCase()}-77`, 'password.contains_username'],
      [PASSWORD, 'password.same_as_old'],
    ];
    for (const [pw, code] of cases) {
      const res = await change(s.token, PASSWORD, pw);
      expect(res.statusCode, pw).toBe(400);
      expect(res.json().errors, pw).toEqual([expect.objectContaining({ path: 'newPassword', code })]);
      expect(res.json().errors[0].message).toBeTruthy();
    }
    const zh = await change(s.token, PASSWORD, 'password123', 'zh-CN');
    expect(zh.json().errors[0].message).toMatch(/常见/);
    // Nothing was changed: the old password still works.
    expect((await postLogin(user.username, PASSWORD)).statusCode).toBe(200);
  });

  it('on success returns a new session and ends every other session', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const a = await login(ctx.app, user.username);
    const b = await login(ctx.app, user.username);
    const res = await change(a.token, PASSWORD, 'Quiet-Harbor-Ledger-8');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accessToken).toBeTruthy();
    expect(body.refreshToken).toBeTruthy();
    expect(body.refreshToken).not.toBe(a.refreshToken);
    expect((await me(body.accessToken)).statusCode).toBe(200);

    expect((await refresh(b.refreshToken)).statusCode).toBe(401);
    expect((await refresh(a.refreshToken)).statusCode).toBe(401);
    expect((await refresh(body.refreshToken)).statusCode).toBe(200);

    expect((await postLogin(user.username, PASSWORD)).statusCode).toBe(401);
    expect((await postLogin(user.username, 'Quiet-Harbor-Ledger-8')).statusCode).toBe(200);
    const [row] = await execSql<{ password_changed_at: Date | null }>(ctx.orm.em.fork(), 'select password_changed_at from app_user where id = ?', [user.id]);
    expect(row.password_changed_at).not.toBeNull();
  });

  it('in cookie mode sets new cookies', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const res = await postLogin(user.username, PASSWORD);
    const at = res.cookies.find((c) => c.name === 'at')!.value;
    const changed = await ctx.app.inject({
      method: 'POST', url: '/api/me/password', cookies: { at }, payload: { currentPassword: PASSWORD, newPassword: 'Quiet-Harbor-Ledger-8' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().refreshToken).toBeUndefined();
    expect(changed.cookies.map((c) => c.name).sort()).toEqual(['at', 'rt', 'signed_in']);
  });
});

describe('PATCH /api/me', () => {
  it('changes the locale and the display name, and refuses an unknown locale', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const s = await login(ctx.app, user.username);
    const res = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(s.token), payload: { locale: 'en' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().locale).toBe('en');
    expect((await me(s.token)).json().locale).toBe('en');

    const zh = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(s.token), payload: { locale: 'zh', displayName: '  新名字 ' } });
    expect(zh.json()).toMatchObject({ locale: 'zh', displayName: '新名字' });

    const bad = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(s.token), payload: { locale: 'fr' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(['locale']);
    const empty = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(s.token), payload: {} });
    expect(empty.statusCode).toBe(400);
    // A role in the body is not a field of this form: dropped, never applied.
    const sneaky = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(s.token), payload: { locale: 'en', role: 'admin' } });
    expect(sneaky.statusCode).toBe(200);
    expect(sneaky.json().role).toBe('staff');
  });
});
