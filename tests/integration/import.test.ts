import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';
import { execSql } from '../../api/src/lib/sql.js';

// iconv-lite is a dependency of the api package, not of the workspace root: resolve it from there.
const iconv = createRequire(new URL('../../api/package.json', import.meta.url))('iconv-lite') as {
  encode(text: string, encoding: string): Buffer;
};

interface Row { line: number; username: string; displayName: string; action: string; changes: string[]; errors: { field: string; code: string; message: string }[]; temporaryPassword?: string }
interface Report { dryRun: boolean; applied: boolean; counts: Record<'create' | 'update' | 'unchanged' | 'error', number>; rows: Row[]; fileErrors: { line: number; code: string; message: string }[] }

let ctx: TestContext;
let admin: string;
let staff: string;
const HEADER = 'employee_number,name,position,org_unit_path,role';
const AREA_A = '测试公司/甲县营销部/甲县城区';
const COUNTY_A = '测试公司/甲县营销部';
const AREA_B = '测试公司/乙县营销部/乙县城区';

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  admin = (await login(ctx.app, (await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id })).username)).token;
  staff = (await login(ctx.app, (await makeUser(ctx.orm, { orgUnitId: tree.areaB.id })).username)).token;
  await makeUser(ctx.orm, { username: '31001', displayName: '周一', position: 'account_manager', role: 'staff', orgUnitId: tree.areaA.id });
  await makeUser(ctx.orm, { username: '31002', displayName: '吴二', position: 'account_manager', role: 'staff', orgUnitId: tree.areaA.id });
});
afterAll(async () => { await ctx.close(); });

async function importFile(file: string | Buffer, opts: { dryRun?: boolean; skipInvalid?: boolean; initialPassword?: string; lang?: string } = {}): Promise<Report> {
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  const { lang = 'en', ...rest } = opts;
  const res = await ctx.app.inject({
    method: 'POST', url: '/api/users/import', headers: { ...bearer(admin), 'accept-language': lang },
    payload: { content: bytes.toString('base64'), ...rest },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const csv = (...lines: string[]) => [HEADER, ...lines].join('\n') + '\n';

/** What the database holds for these employee numbers: enough to tell any change. */
async function snapshot(usernames: string[]) {
  if (!usernames.length) return [];
  return execSql<Record<string, unknown>>(ctx.orm.em.fork(), `
    select username, display_name, position, role, org_unit_id, password_hash, must_change_password, updated_at
      from app_user where username in (?) order by username`, [usernames]);
}

async function exists(username: string): Promise<boolean> {
  return (await execSql(ctx.orm.em.fork(), 'select 1 from app_user where username = ?', [username])).length > 0;
}

async function userCount(): Promise<number> {
  const [{ n }] = await execSql<{ n: number }>(ctx.orm.em.fork(), 'select count(*)::int as n from app_user');
  return Number(n);
}

describe('roster import', () => {
  it('a dry run reports every row with its line, action and reasons, and saves nothing', async () => {
    const file = csv(
      `30001,张三,account_manager,${AREA_A},staff`, // 2 create
      '30002,李四,account_manager,测试公司/不存在的部门,staff', // 3 unknown path
      `30003,王五,account_manager,${COUNTY_A},boss`, // 4 bad role
      `30004,赵六,driver,${COUNTY_A},staff`, // 5 bad position
      `30005,,account_manager,${COUNTY_A},staff`, // 6 missing name
      `30001,张三重复,account_manager,${COUNTY_A},staff`, // 7 duplicate in file
      '30006,孙七,account_manager', // 8 wrong column count
      `31001,周一,account_manager,${AREA_A},staff`, // 9 unchanged
      '31002,吴二改,marketing_manager, 测试公司 / 甲县营销部 ,staff', // 10 update
      '', // 11 blank: skipped, but still counted as a line
      `"30007","钱八",account_manager,"${AREA_B}",STAFF`, // 12 create, quoted fields and an upper-case role
    );
    const before = { count: await userCount(), rows: await snapshot(['31001', '31002']) };
    const report = await importFile(file);
    expect(report).toMatchObject({ dryRun: true, applied: false, fileErrors: [] });
    expect(report.counts).toEqual({ create: 2, update: 1, unchanged: 1, error: 6 });
    const byLine = Object.fromEntries(report.rows.map((r) => [r.line, r]));
    expect(report.rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
    const errorsOf = (line: number) => byLine[line].errors.map((e) => [e.field, e.code]);

    expect(byLine[2]).toMatchObject({ username: '30001', displayName: '张三', action: 'create', errors: [] });
    expect(byLine[3].action).toBe('error');
    expect(errorsOf(3)).toEqual([['org_unit_path', 'import.unknown_path']]);
    expect(byLine[3].errors[0].message).toContain('测试公司/不存在的部门');
    expect(errorsOf(4)).toEqual([['role', 'import.bad_role']]);
    expect(errorsOf(5)).toEqual([['position', 'import.bad_position']]);
    expect(byLine[5].errors[0].message).toContain('driver');
    expect(errorsOf(6)).toEqual([['name', 'field.required']]);
    expect(errorsOf(7)).toEqual([['employee_number', 'import.duplicate_in_file']]);
    expect(byLine[7].errors[0].message).toContain('line 2');
    expect(byLine[8].action).toBe('error');
    expect(errorsOf(8)).toContainEqual(['*', 'import.columns']);
    expect(byLine[8].errors.find((e) => e.code === 'import.columns')!.message).toBe('expected 5 columns, found 3');
    expect(byLine[9]).toMatchObject({ action: 'unchanged', changes: [], errors: [] });
    expect(byLine[10]).toMatchObject({ action: 'update', errors: [] });
    expect(byLine[10].changes.sort()).toEqual(['name', 'org_unit_path', 'position']);
    expect(byLine[12]).toMatchObject({ username: '30007', displayName: '钱八', action: 'create', errors: [] });
    for (const row of report.rows) expect(row.temporaryPassword).toBeUndefined();

    expect(await userCount()).toBe(before.count);
    expect(await snapshot(['31001', '31002'])).toEqual(before.rows);
    expect(await exists('30001')).toBe(false);
  });

  it('gives the reasons in Chinese for a Chinese request', async () => {
    const report = await importFile(csv(`30010,某人,account_manager,${COUNTY_A},boss`), { lang: 'zh-CN' });
    expect(report.rows[0].errors[0].message).toMatch(/角色/);
  });

  it('accepts Chinese header names and Chinese position and role values', async () => {
    const file = [
      '工号,姓名,岗位,组织路径,角色',
      `32001,陈一,客户经理,${AREA_A},员工`,
      `32002,陈二,营销经理,${COUNTY_A},营销人员`,
      '32003,陈三,部门负责人,测试公司/乙县营销部,经理',
      `32004,陈四,培训师,测试公司,培训师`,
    ].join('\r\n');
    const dry = await importFile(file);
    expect(dry.fileErrors).toEqual([]);
    expect(dry.rows.map((r) => [r.line, r.action, r.errors.length])).toEqual([[2, 'create', 0], [3, 'create', 0], [4, 'create', 0], [5, 'create', 0]]);

    const applied = await importFile(file, { dryRun: false });
    expect(applied).toMatchObject({ dryRun: false, applied: true, counts: { create: 4, update: 0, unchanged: 0, error: 0 } });
    const rows = await snapshot(['32001', '32002', '32003', '32004']);
    expect(rows.map((r) => [r.username, r.display_name, r.position, r.role])).toEqual([
      ['32001', '陈一', 'account_manager', 'staff'],
      ['32002', '陈二', 'marketing_manager', 'staff'],
      ['32003', '陈三', 'department_head', 'manager'],
      ['32004', '陈四', 'trainer', 'trainer'],
    ]);
  });

  it('reads a GB18030 file (as Excel writes in Chinese) with correct names', async () => {
    const text = ['工号,姓名,岗位,组织路径,角色', `33101,欧阳锋,客户经理,${AREA_A},员工`, `33102,慕容复,营销经理,${AREA_B},员工`].join('\r\n') + '\r\n';
    const bytes = iconv.encode(text, 'gb18030');
    // The point of the test: these bytes are not UTF-8.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const dry = await importFile(bytes);
    expect(dry.rows.map((r) => r.displayName)).toEqual(['欧阳锋', '慕容复']);
    const applied = await importFile(bytes, { dryRun: false });
    expect(applied.applied).toBe(true);
    const rows = await snapshot(['33101', '33102']);
    expect(rows.map((r) => r.display_name)).toEqual(['欧阳锋', '慕容复']);
    const listed = await ctx.app.inject({ url: `/api/users?q=${encodeURIComponent('欧阳')}`, headers: bearer(admin) });
    expect(listed.json().items.map((u: { username: string }) => u.username)).toEqual(['33101']);
  });

  it('reports a binary file, an empty file and a bad header as file errors and saves nothing', async () => {
    const before = await userCount();
    const binary = randomBytes(2048);
    binary[0] = 0x89; // like a PNG: never a UTF-16 byte order mark
    binary[1] = 0x50;
    binary[100] = 0;
    binary[700] = 0;
    const cases: [Buffer, string][] = [
      [binary, 'import.not_text'],
      [Buffer.alloc(0), 'import.empty'],
      [Buffer.from('\uFEFF\r\n  \r\n'), 'import.empty'],
      [Buffer.from('id,full_name\n1,张三\n'), 'import.bad_header'],
    ];
    for (const [bytes, code] of cases) {
      for (const dryRun of [true, false]) {
        const report = await importFile(bytes, { dryRun, skipInvalid: true });
        expect(report.applied, code).toBe(false);
        expect(report.rows).toEqual([]);
        expect(report.fileErrors.map((e) => e.code), code).toEqual([code]);
        expect(report.fileErrors[0].message).toBeTruthy();
      }
    }
    expect(await userCount()).toBe(before);
  });

  it('applies nothing when any row has an error and skipInvalid is false', async () => {
    const file = csv(`34001,甲一,account_manager,${AREA_A},staff`, `34002,甲二,account_manager,${AREA_A},boss`, '31002,吴二改,marketing_manager,测试公司/甲县营销部,staff');
    const before = { count: await userCount(), rows: await snapshot(['31002']) };
    const report = await importFile(file, { dryRun: false });
    expect(report).toMatchObject({ dryRun: false, applied: false, counts: { create: 1, update: 1, unchanged: 0, error: 1 } });
    expect(report.rows.every((r) => r.temporaryPassword === undefined)).toBe(true);
    expect(await userCount()).toBe(before.count);
    expect(await exists('34001')).toBe(false);
    expect(await snapshot(['31002'])).toEqual(before.rows);
  });

  it('applies only the valid rows when skipInvalid is true', async () => {
    const file = csv(`34001,甲一,account_manager,${AREA_A},staff`, `34002,甲二,account_manager,${AREA_A},boss`, '31002,吴二改,marketing_manager,测试公司/甲县营销部,staff');
    const before = await userCount();
    const report = await importFile(file, { dryRun: false, skipInvalid: true });
    expect(report).toMatchObject({ applied: true, counts: { create: 1, update: 1, unchanged: 0, error: 1 } });
    expect(await userCount()).toBe(before + 1);
    expect(await exists('34001')).toBe(true);
    expect(await exists('34002')).toBe(false);
    const [updated] = await snapshot(['31002']);
    expect(updated).toMatchObject({ display_name: '吴二改', position: 'marketing_manager' });
    const rowsByName = Object.fromEntries(report.rows.map((r) => [r.username, r]));
    expect(rowsByName['34001'].temporaryPassword).toBeTruthy();
    expect(rowsByName['34002'].temporaryPassword).toBeUndefined();
    expect(rowsByName['31002'].temporaryPassword).toBeUndefined();
  });

  it('gives new accounts temporary passwords that log in and must be changed; importing again changes nothing', async () => {
    const file = csv(`35001,乙一,account_manager,${AREA_B},staff`, `35002,乙二,marketing_manager,测试公司/乙县营销部,staff`);
    const first = await importFile(file, { dryRun: false });
    expect(first).toMatchObject({ applied: true, counts: { create: 2, update: 0, unchanged: 0, error: 0 } });
    const passwords = first.rows.map((r) => r.temporaryPassword!);
    expect(passwords.every((p) => typeof p === 'string' && p.length >= 12)).toBe(true);
    expect(new Set(passwords).size).toBe(2);

    const s = await login(ctx.app, '35001', passwords[0]);
    expect(s.user.mustChangePassword).toBe(true);
    expect(s.user.displayName).toBe('乙一');
    const blocked = await ctx.app.inject({ url: '/api/users', headers: bearer(s.token) });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('password_change_required');
    const changed = await ctx.app.inject({ method: 'POST', url: '/api/me/password', headers: bearer(s.token), payload: { currentPassword: passwords[0], newPassword: 'Quiet-Harbor-Ledger-8' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.mustChangePassword).toBe(false);
    // The second account's password is its own.
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.77.0.1', payload: { username: '35002', password: passwords[0] } });
    expect(wrong.statusCode).toBe(401);
    expect((await login(ctx.app, '35002', passwords[1])).user.mustChangePassword).toBe(true);

    const before = await snapshot(['35001', '35002']);
    const again = await importFile(file, { dryRun: false });
    expect(again).toMatchObject({ applied: true, counts: { create: 0, update: 0, unchanged: 2, error: 0 } });
    expect(again.rows.every((r) => r.action === 'unchanged' && r.temporaryPassword === undefined)).toBe(true);
    expect(await snapshot(['35001', '35002'])).toEqual(before);
    // The password chosen after the first import still works.
    await login(ctx.app, '35001', 'Quiet-Harbor-Ledger-8');
  });

  it('uses one initial password when given, after checking it', async () => {
    const weak = await ctx.app.inject({
      method: 'POST', url: '/api/users/import', headers: bearer(admin),
      payload: { content: Buffer.from(csv(`36001,丙一,account_manager,${AREA_A},staff`)).toString('base64'), dryRun: false, initialPassword: 'password123' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].path).toBe('initialPassword');
    expect(await exists('36001')).toBe(false);

    const report = await importFile(csv(`36001,丙一,account_manager,${AREA_A},staff`, `36002,丙二,account_manager,${AREA_A},staff`), { dryRun: false, initialPassword: 'Brisk-Copper-Kettle-5' });
    expect(report.applied).toBe(true);
    expect(report.rows.every((r) => r.temporaryPassword === undefined)).toBe(true);
    for (const username of ['36001', '36002']) {
      expect((await login(ctx.app, username, 'Brisk-Copper-Kettle-5')).user.mustChangePassword).toBe(true);
    }
  });

  it('serves a CSV template to admins only, in a shape the import reads', async () => {
    const res = await ctx.app.inject({ url: '/api/users/import/template.csv', headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    expect(res.body.slice(1).split('\r\n')[0]).toBe(HEADER);
    // The template's own rows name the demo organisation, which this database does not have: the header is accepted
    // and each row is only missing its unit.
    const report = await importFile(Buffer.from(res.body, 'utf8'));
    expect(report.fileErrors).toEqual([]);
    expect(report.rows.length).toBeGreaterThan(0);
    for (const row of report.rows) expect(row.errors.map((e) => e.code)).toEqual(['import.unknown_path']);

    const refused = await ctx.app.inject({ url: '/api/users/import/template.csv', headers: bearer(staff) });
    expect(refused.statusCode).toBe(403);
  });
});
