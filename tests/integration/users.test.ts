import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser, PASSWORD } from '../helpers/factories.js';
import { execSql } from '../../api/src/lib/sql.js';

let ctx: TestContext;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
type Made = Awaited<ReturnType<typeof makeUser>>;
const people = {} as Record<'admin' | 'trainer' | 'manager' | 'staff' | 'inA1' | 'inA2' | 'outB', Made>;
const tokens = {} as Record<'admin' | 'trainer' | 'manager' | 'staff', string>;

beforeAll(async () => {
  ctx = await createTestContext();
  tree = await makeOrgTree(ctx.orm);
  people.admin = await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id });
  people.trainer = await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id });
  // The manager heads county A: the manager, inA1 (in the county's area) and inA2 (in the county itself) are the subtree.
  people.manager = await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyA.id });
  people.inA1 = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, displayName: '甲区员工一' });
  people.inA2 = await makeUser(ctx.orm, { orgUnitId: tree.countyA.id, position: 'marketing_manager', displayName: '甲县员工二' });
  people.outB = await makeUser(ctx.orm, { orgUnitId: tree.areaB.id, displayName: '乙区员工' });
  people.staff = await makeUser(ctx.orm, { orgUnitId: tree.areaB.id });
  for (const role of ['admin', 'trainer', 'manager', 'staff'] as const) {
    tokens[role] = (await login(ctx.app, people[role].username)).token;
  }
});
afterAll(async () => { await ctx.close(); });

const as = (role: keyof typeof tokens, lang = 'en') => ({ ...bearer(tokens[role]), 'accept-language': lang });

async function userCount(): Promise<number> {
  const [{ n }] = await execSql<{ n: number }>(ctx.orm.em.fork(), 'select count(*)::int as n from app_user');
  return Number(n);
}

async function unitCount(): Promise<number> {
  const [{ n }] = await execSql<{ n: number }>(ctx.orm.em.fork(), 'select count(*)::int as n from org_unit');
  return Number(n);
}

describe('role guards', () => {
  it('refuse every admin operation to staff, trainers and managers, and change nothing', async () => {
    const csv = Buffer.from(`employee_number,name,position,org_unit_path,role\n40001,某人,account_manager,测试公司,staff\n`).toString('base64');
    const ops = [
      { method: 'POST' as const, url: '/api/users', payload: { username: 'guard01', displayName: '某人', role: 'admin', position: 'administrator', orgUnitId: tree.company.id, password: 'Quiet-Harbor-Ledger-8' } },
      { method: 'POST' as const, url: '/api/users/import', payload: { content: csv, dryRun: false } },
      { method: 'POST' as const, url: `/api/users/${people.inA1.id}/password-reset`, payload: {} },
      { method: 'POST' as const, url: '/api/org-units', payload: { name: '新单位', kind: 'area', parentId: tree.countyA.id } },
      { method: 'PATCH' as const, url: `/api/org-units/${tree.areaA.id}`, payload: { name: '改名' } },
    ];
    const before = { users: await userCount(), units: await unitCount() };
    for (const role of ['staff', 'trainer', 'manager'] as const) {
      for (const op of ops) {
        const res = await ctx.app.inject({ ...op, headers: as(role) });
        expect(res.statusCode, `${role} ${op.method} ${op.url}`).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('forbidden');
      }
    }
    expect(await userCount()).toBe(before.users);
    expect(await unitCount()).toBe(before.units);
    // The manager's area kept its name, and inA1 can still log in with the old password.
    const units = await ctx.app.inject({ url: '/api/org-units', headers: as('admin') });
    expect(units.json().items.find((u: { id: string }) => u.id === tree.areaA.id).name).toBe('甲县城区');
    await login(ctx.app, people.inA1.username);
  });

  it('refuse the user list to staff', async () => {
    const res = await ctx.app.inject({ url: '/api/users', headers: as('staff') });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
    const one = await ctx.app.inject({ url: `/api/users/${people.inA1.id}`, headers: as('staff') });
    expect(one.statusCode).toBe(403);
  });

  it('refuse changes of users to trainers', async () => {
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.inA1.id}`, headers: as('trainer'), payload: { displayName: '改' } });
    expect(res.statusCode).toBe(403);
  });
});

describe('a manager', () => {
  it('lists only the people in their own subtree', async () => {
    const res = await ctx.app.inject({ url: '/api/users', headers: as('manager') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const expected = [people.manager, people.inA1, people.inA2].map((u) => u.username).sort();
    expect(body.total).toBe(3);
    expect(body.items.map((u: { username: string }) => u.username).sort()).toEqual(expected);
    const all = await ctx.app.inject({ url: '/api/users', headers: as('admin') });
    expect(all.json().total).toBe(await userCount());
    expect(all.json().total).toBeGreaterThan(3);
    // Filtering by a unit outside the subtree is "not found", not a way round the scope.
    const outside = await ctx.app.inject({ url: `/api/users?orgUnitId=${tree.countyB.id}`, headers: as('manager') });
    expect(outside.statusCode).toBe(404);
  });

  it('gets 404 for a person outside the subtree, on GET and PATCH alike', async () => {
    const get = await ctx.app.inject({ url: `/api/users/${people.outB.id}`, headers: as('manager') });
    expect(get.statusCode).toBe(404);
    expect(get.json().code).toBe('not_found');
    const missing = await ctx.app.inject({ url: '/api/users/00000000-0000-4000-8000-000000000000', headers: as('manager') });
    expect(missing.statusCode).toBe(404);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined, instance: undefined });
    expect(strip(get.json())).toEqual(strip(missing.json()));

    const patch = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.outB.id}`, headers: as('manager'), payload: { displayName: '被改了' } });
    expect(patch.statusCode).toBe(404);
    const after = await ctx.app.inject({ url: `/api/users/${people.outB.id}`, headers: as('admin') });
    expect(after.json().displayName).toBe('乙区员工');
  });

  it('sees and changes a person inside the subtree, but never their role', async () => {
    const get = await ctx.app.inject({ url: `/api/users/${people.inA1.id}`, headers: as('manager') });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toMatchObject({ id: people.inA1.id, orgUnitName: '甲县城区' });

    const renamed = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.inA1.id}`, headers: as('manager'), payload: { displayName: '  甲区员工改名 ' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().displayName).toBe('甲区员工改名');

    const role = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.inA1.id}`, headers: as('manager'), payload: { role: 'admin' } });
    expect(role.statusCode).toBe(403);
    const roleAndName = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.inA1.id}`, headers: as('manager'), payload: { role: 'manager', displayName: '不该改' } });
    expect(roleAndName.statusCode).toBe(403);
    const check = await ctx.app.inject({ url: `/api/users/${people.inA1.id}`, headers: as('admin') });
    expect(check.json()).toMatchObject({ role: 'staff', displayName: '甲区员工改名' });

    // Moving somebody out of the subtree is refused on the field.
    const move = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.inA1.id}`, headers: as('manager'), payload: { orgUnitId: tree.areaB.id } });
    expect(move.statusCode).toBe(400);
    expect(move.json().errors[0].path).toBe('orgUnitId');

    const disabled = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.inA2.id}`, headers: as('manager'), payload: { disabled: true } });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().disabled).toBe(true);
    const enabled = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.inA2.id}`, headers: as('manager'), payload: { disabled: false } });
    expect(enabled.json().disabled).toBe(false);
  });

  it('cannot disable themselves', async () => {
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${people.manager.id}`, headers: as('manager'), payload: { disabled: true } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('disabled');
  });
});

describe('an admin creating users', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    username: 'new001', displayName: '新员工', role: 'staff', position: 'account_manager', orgUnitId: tree.areaB.id,
    password: 'Quiet-Harbor-Ledger-8', ...over,
  });

  it('creates a user who must change the password', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/users', headers: as('admin'), payload: body() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ username: 'new001', displayName: '新员工', role: 'staff', orgUnitId: tree.areaB.id, orgUnitName: '乙县城区', mustChangePassword: true, disabled: false });
    expect(res.json().passwordHash).toBeUndefined();
    const s = await login(ctx.app, 'new001', 'Quiet-Harbor-Ledger-8');
    expect(s.user.mustChangePassword).toBe(true);
  });

  it('answers 409 for a username that exists, in any case', async () => {
    const before = await userCount();
    for (const username of ['new001', 'NEW001']) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/users', headers: as('admin'), payload: body({ username }) });
      expect(res.statusCode, username).toBe(409);
      expect(res.json().code).toBe('conflict');
      expect(res.json().errors).toEqual([expect.objectContaining({ path: 'username', code: 'user.username_taken' })]);
    }
    expect(await userCount()).toBe(before);
  });

  it('answers a bad body with 400 and one error per field', async () => {
    const res = await ctx.app.inject({
      method: 'POST', url: '/api/users', headers: as('admin'),
      payload: { username: 'has space', displayName: '', role: 'boss', position: 'driver', orgUnitId: 'not-a-uuid' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed', title: 'Bad Request' });
    const byPath = Object.fromEntries(problem.errors.map((e: { path: string; message: string }) => [e.path, e.message]));
    expect(Object.keys(byPath).sort()).toEqual(['displayName', 'orgUnitId', 'password', 'position', 'role', 'username']);
    for (const message of Object.values(byPath)) expect(message).toBeTruthy();
    expect(byPath.password).toBe('is required');
    expect(byPath.displayName).toBe('is required');
    // An enumeration names all of its values, not just the first.
    expect(byPath.role).toContain('staff');
    expect(byPath.role).toContain('admin');
    expect(byPath.position).toContain('account_manager');
    expect(byPath.position).toContain('marketing_manager');
  });

  it('refuses a weak password on the password field', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/users', headers: as('admin'), payload: body({ username: 'new002', password: 'password123' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'password', code: 'password.common' })]);
  });

  it('refuses an unknown or archived unit on the orgUnitId field', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/users', headers: as('admin'), payload: body({ username: 'new003', orgUnitId: '00000000-0000-4000-8000-000000000000' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'orgUnitId', code: 'org_unit.unknown' });
  });

  it('drops unknown fields: never echoed, never stored', async () => {
    const res = await ctx.app.inject({
      method: 'POST', url: '/api/users', headers: as('admin'),
      payload: body({ username: 'new004', mustChangePassword: false, passwordHash: 'x', isSuperuser: true, disabled: true }),
    });
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user.isSuperuser).toBeUndefined();
    expect(user.passwordHash).toBeUndefined();
    expect(user.mustChangePassword).toBe(true);
    expect(user.disabled).toBe(false);
    const [row] = await execSql<{ password_hash: string; must_change_password: boolean; disabled: boolean }>(ctx.orm.em.fork(),
      'select password_hash, must_change_password, disabled from app_user where username = ?', ['new004']);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.must_change_password).toBe(true);
    expect(row.disabled).toBe(false);
  });
});

describe('an admin managing users', () => {
  it('disabling a user revokes their refresh tokens', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaB.id });
    const a = await login(ctx.app, user.username);
    const b = await login(ctx.app, user.username);
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: as('admin'), payload: { disabled: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json().disabled).toBe(true);
    const [{ n }] = await execSql<{ n: number }>(ctx.orm.em.fork(), 'select count(*)::int as n from refresh_token where user_id = ? and revoked_at is null', [user.id]);
    expect(Number(n)).toBe(0);
    for (const token of [a.refreshToken, b.refreshToken]) {
      const r = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: token } });
      expect(r.statusCode).toBe(401);
    }
    // Enabling again does not bring the sessions back.
    await ctx.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: as('admin'), payload: { disabled: false } });
    const r = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: a.refreshToken } });
    expect(r.statusCode).toBe(401);
  });

  it('changing a role ends the sessions (the old token carries the old role)', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.areaB.id });
    const s = await login(ctx.app, user.username);
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: as('admin'), payload: { role: 'trainer', position: 'trainer' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ role: 'trainer', position: 'trainer' });
    const r = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: s.refreshToken } });
    expect(r.statusCode).toBe(401);
  });

  it('a password reset returns a temporary password that works and must be changed', async () => {
    const user = await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id });
    const before = await login(ctx.app, user.username);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/users/${user.id}/password-reset`, headers: as('admin'), payload: {} });
    expect(res.statusCode).toBe(200);
    const temporary = res.json().temporaryPassword as string;
    expect(temporary).toMatch(/^[A-Za-z0-9]{12}$/);

    const oldPw = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.50.0.1', payload: { username: user.username, password: PASSWORD } });
    expect(oldPw.statusCode).toBe(401);
    const refresh = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: before.refreshToken } });
    expect(refresh.statusCode).toBe(401);

    const s = await login(ctx.app, user.username, temporary);
    expect(s.user.mustChangePassword).toBe(true);
    const list = await ctx.app.inject({ url: '/api/users', headers: bearer(s.token) });
    expect(list.statusCode).toBe(403);
    expect(list.json().code).toBe('password_change_required');
    const changed = await ctx.app.inject({ method: 'POST', url: '/api/me/password', headers: bearer(s.token), payload: { currentPassword: temporary, newPassword: 'Quiet-Harbor-Ledger-8' } });
    expect(changed.statusCode).toBe(200);
    expect((await ctx.app.inject({ url: '/api/users', headers: bearer(changed.json().accessToken) })).statusCode).toBe(200);
  });

  it('a password reset with a chosen password checks the policy', async () => {
    const user = await makeUser(ctx.orm, { orgUnitId: tree.company.id });
    const weak = await ctx.app.inject({ method: 'POST', url: `/api/users/${user.id}/password-reset`, headers: as('admin'), payload: { password: '12345678' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].path).toBe('password');
    const ok = await ctx.app.inject({ method: 'POST', url: `/api/users/${user.id}/password-reset`, headers: as('admin'), payload: { password: 'Brisk-Copper-Kettle-5' } });
    expect(ok.json().temporaryPassword).toBe('Brisk-Copper-Kettle-5');
    expect((await login(ctx.app, user.username, 'Brisk-Copper-Kettle-5')).user.mustChangePassword).toBe(true);
    const missing = await ctx.app.inject({ method: 'POST', url: '/api/users/00000000-0000-4000-8000-000000000000/password-reset', headers: as('admin'), payload: {} });
    expect(missing.statusCode).toBe(404);
  });
});

describe('listing users', () => {
  beforeAll(async () => {
    await makeUser(ctx.orm, { orgUnitId: tree.areaB.id, displayName: '诸葛亮' });
    await makeUser(ctx.orm, { orgUnitId: tree.countyB.id, displayName: '诸葛瑾' });
    await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, displayName: '孔明', username: 'kongming_1' });
    await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, displayName: '百分之百%', username: 'percent1' });
  });

  const list = async (query: string, role: keyof typeof tokens = 'admin') => {
    const res = await ctx.app.inject({ url: `/api/users?${query}`, headers: as(role) });
    expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
    return res.json() as { items: { username: string; displayName: string; role: string; orgUnitId: string }[]; total: number };
  };

  it('searches names in Chinese and usernames, treating LIKE wildcards as text', async () => {
    const zg = await list(`q=${encodeURIComponent('诸葛')}`);
    expect(zg.total).toBe(2);
    expect(zg.items.map((u) => u.displayName).sort()).toEqual(['诸葛亮', '诸葛瑾']);
    expect((await list(`q=${encodeURIComponent('诸葛亮')}`)).total).toBe(1);
    expect((await list('q=KONGMING')).items.map((u) => u.displayName)).toEqual(['孔明']);
    const pct = await list(`q=${encodeURIComponent('%')}`);
    expect(pct.items.map((u) => u.username)).toEqual(['percent1']);
    const underscore = await list('q=_');
    expect(underscore.items.map((u) => u.username)).toEqual(['kongming_1']);
    // A manager searching finds only their own people.
    expect((await list(`q=${encodeURIComponent('诸葛')}`, 'manager')).total).toBe(0);
    expect((await list(`q=${encodeURIComponent('孔明')}`, 'manager')).total).toBe(1);
  });

  it('filters by unit (with its subtree) and by role', async () => {
    const countyB = await list(`orgUnitId=${tree.countyB.id}&limit=500`);
    const [{ n }] = await execSql<{ n: number }>(ctx.orm.em.fork(),
      `select count(*)::int as n from app_user u join org_unit o on o.id = u.org_unit_id where o.path like ?`, [`${tree.countyB.path}%`]);
    expect(countyB.total).toBe(Number(n));
    expect(countyB.items.some((u) => u.orgUnitId === tree.areaB.id)).toBe(true);
    expect(countyB.items.every((u) => u.orgUnitId === tree.countyB.id || u.orgUnitId === tree.areaB.id)).toBe(true);
    const areaB = await list(`orgUnitId=${tree.areaB.id}&limit=500`);
    expect(areaB.total).toBeLessThan(countyB.total);

    const managers = await list('role=manager');
    expect(managers.items.map((u) => u.username)).toEqual([people.manager.username]);
    const admins = await list('role=admin');
    expect(admins.items.every((u) => u.role === 'admin')).toBe(true);
    expect(admins.total).toBe(1);
    const bad = await ctx.app.inject({ url: '/api/users?role=boss', headers: as('admin') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('querystring.role');
  });

  it('pages with a total that counts every match', async () => {
    const all = await list('limit=500');
    expect(all.total).toBe(await userCount());
    const page1 = await list('limit=3&offset=0');
    const page2 = await list('limit=3&offset=3');
    expect(page1.total).toBe(all.total);
    expect(page2.total).toBe(all.total);
    expect(page1.items).toHaveLength(3);
    expect(page2.items).toHaveLength(3);
    expect([...page1.items, ...page2.items].map((u) => u.username)).toEqual(all.items.slice(0, 6).map((u) => u.username));
    const beyond = await list(`limit=3&offset=${all.total}`);
    expect(beyond.items).toHaveLength(0);
    expect(beyond.total).toBe(all.total);
    const tooMany = await ctx.app.inject({ url: '/api/users?limit=501', headers: as('admin') });
    expect(tooMany.statusCode).toBe(400);
  });
});
