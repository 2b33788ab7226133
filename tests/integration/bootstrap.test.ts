import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../api/src/seed/bootstrap.js';
import { execSql } from '../../api/src/lib/sql.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login } from '../helpers/factories.js';

let ctx: TestContext;
let dataDir: string;
const quiet = { info: () => undefined, warn: () => undefined };
const DEMO_PASSWORD = 'Demo-Harbor-2026';

beforeAll(async () => {
  ctx = await createTestContext();
  dataDir = mkdtempSync(join(tmpdir(), 'bootstrap-test-'));
});
afterAll(async () => {
  await ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const em = () => ctx.orm.em.fork();

/** Back to an empty (migrated) database: each scenario starts from nothing, as a first start does. */
async function emptyDatabase() {
  // CASCADE: tables other modules add (courses, exams) refer to people and units.
  await execSql(em(), 'truncate refresh_token, login_throttle, app_user, org_unit cascade');
}

async function state() {
  const users = await execSql<{ id: string; username: string; role: string; position: string; org_unit_id: string; password_hash: string; must_change_password: boolean }>(em(),
    'select id, username, role, position, org_unit_id, password_hash, must_change_password from app_user order by username');
  const units = await execSql<{ id: string; name: string; kind: string; parent_id: string | null; path: string }>(em(),
    'select id, name, kind, parent_id, path from org_unit order by path');
  return { users, units };
}

describe('bootstrap with the demo organisation', () => {
  beforeAll(async () => {
    await emptyDatabase();
    await bootstrap(em(), { seedDemo: true, demoPassword: DEMO_PASSWORD, dataDir }, quiet);
  });

  it('creates the company, three county departments with their areas, and the people', async () => {
    const { users, units } = await state();
    const company = units.filter((u) => u.kind === 'company');
    expect(company).toHaveLength(1);
    expect(company[0].parent_id).toBeNull();
    const counties = units.filter((u) => u.kind === 'county');
    expect(counties).toHaveLength(3);
    for (const county of counties) {
      expect(county.parent_id).toBe(company[0].id);
      const areas = units.filter((u) => u.parent_id === county.id);
      expect(areas.length, county.name).toBeGreaterThanOrEqual(2);
      expect(areas.every((a) => a.kind === 'area' && a.path.startsWith(county.path))).toBe(true);
    }

    const staff = users.filter((u) => u.role === 'staff');
    expect(staff).toHaveLength(40);
    expect(new Set(staff.map((u) => u.position))).toEqual(new Set(['account_manager', 'marketing_manager']));
    // Every staff member works in a county department or one of its areas.
    const countyPaths = counties.map((c) => c.path);
    const unitPath = new Map(units.map((u) => [u.id, u.path]));
    expect(staff.every((u) => countyPaths.some((p) => unitPath.get(u.org_unit_id)!.startsWith(p)))).toBe(true);
    expect(users.filter((u) => u.role === 'trainer')).toHaveLength(2);
    expect(users.filter((u) => u.role === 'manager')).toHaveLength(2);
    expect(users.filter((u) => u.role === 'admin').map((u) => u.username)).toEqual(['admin']);
    expect(users).toHaveLength(45);
    expect(users.every((u) => !u.must_change_password)).toBe(true);
  });

  it('lets admin, trainer and manager log in with the demo password', async () => {
    for (const username of ['admin', 'trainer', 'manager']) {
      const s = await login(ctx.app, username, DEMO_PASSWORD);
      expect(s.user.username).toBe(username);
      expect(s.user.role).toBe(username);
      expect((await ctx.app.inject({ url: '/api/me', headers: bearer(s.token) })).statusCode).toBe(200);
    }
  });

  it('makes "manager" head of a county department, who sees only that county\'s people', async () => {
    const { users, units } = await state();
    const manager = users.find((u) => u.username === 'manager')!;
    const unit = units.find((u) => u.id === manager.org_unit_id)!;
    expect(unit.kind).toBe('county');
    expect(manager.position).toBe('department_head');

    const { token } = await login(ctx.app, 'manager', DEMO_PASSWORD);
    const res = await ctx.app.inject({ url: '/api/users?limit=500', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const unitPath = new Map(units.map((u) => [u.id, u.path]));
    const inCounty = users.filter((u) => unitPath.get(u.org_unit_id)!.startsWith(unit.path));
    expect(res.json().total).toBe(inCounty.length);
    expect(inCounty.length).toBeGreaterThan(10);
    expect(inCounty.length).toBeLessThan(users.length - 10);
    expect(res.json().items.map((u: { username: string }) => u.username).sort()).toEqual(inCounty.map((u) => u.username).sort());
  });

  it('changes nothing when run again', async () => {
    const before = await state();
    await bootstrap(em(), { seedDemo: true, demoPassword: 'Another-Password-77', dataDir }, quiet);
    await bootstrap(em(), { seedDemo: false, dataDir }, quiet);
    expect(await state()).toEqual(before);
    await login(ctx.app, 'admin', DEMO_PASSWORD);
  });
});

describe('bootstrap without a demo password', () => {
  it('writes a generated password to DATA_DIR/demo-credentials.txt, and it works', async () => {
    await emptyDatabase();
    const dir = join(dataDir, 'generated');
    await bootstrap(em(), { seedDemo: true, dataDir: dir }, quiet);
    const text = readFileSync(join(dir, 'demo-credentials.txt'), 'utf8');
    const password = /password: (\S+)/.exec(text)?.[1];
    expect(password).toBeTruthy();
    expect(password!.length).toBeGreaterThanOrEqual(12);
    expect(text).toContain('admin');
    for (const username of ['admin', 'manager', '10001']) {
      expect((await login(ctx.app, username, password)).user.username).toBe(username);
    }
  });
});

describe('bootstrap of a real organisation (no demo)', () => {
  it('creates only a root unit and an admin who must change the password', async () => {
    await emptyDatabase();
    const dir = join(dataDir, 'real');
    await bootstrap(em(), { seedDemo: false, dataDir: dir }, quiet);
    const { users, units } = await state();
    expect(units).toHaveLength(1);
    expect(units[0].parent_id).toBeNull();
    expect(units[0].path).toBe(`/${units[0].id}/`);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ username: 'admin', role: 'admin', org_unit_id: units[0].id, must_change_password: true });

    const password = /password: (\S+)/.exec(readFileSync(join(dir, 'admin-credentials.txt'), 'utf8'))?.[1];
    const s = await login(ctx.app, 'admin', password);
    expect(s.user.mustChangePassword).toBe(true);
    const blocked = await ctx.app.inject({ url: '/api/users', headers: bearer(s.token) });
    expect(blocked.json().code).toBe('password_change_required');
  });
});
