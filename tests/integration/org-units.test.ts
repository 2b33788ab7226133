import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';

interface Unit { id: string; name: string; parentId: string | null; path: string; depth: number; archived: boolean; activeUsers: number; kind: string }

let ctx: TestContext;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let admin: string;
let manager: string;

beforeAll(async () => {
  ctx = await createTestContext();
  tree = await makeOrgTree(ctx.orm);
  admin = (await login(ctx.app, (await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id })).username)).token;
  manager = (await login(ctx.app, (await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyA.id })).username)).token;
});
afterAll(async () => { await ctx.close(); });

const headers = (token = admin) => ({ ...bearer(token), 'accept-language': 'en' });

async function create(name: string, parentId: string, kind = 'area'): Promise<Unit> {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/org-units', headers: headers(), payload: { name, kind, parentId } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const patch = (id: string, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/org-units/${id}`, headers: headers(), payload });

async function list(query = '', token = admin): Promise<Unit[]> {
  const res = await ctx.app.inject({ url: `/api/org-units${query}`, headers: headers(token) });
  expect(res.statusCode).toBe(200);
  return res.json().items;
}

/** A list is in tree order when every unit comes after its parent and every subtree is one contiguous run. */
function expectTreeOrder(units: Unit[]) {
  const position = new Map(units.map((u, i) => [u.id, i]));
  units.forEach((u, i) => {
    if (u.parentId && position.has(u.parentId)) expect(position.get(u.parentId)!, u.name).toBeLessThan(i);
    const inSubtree = units.map((v, j) => (v.path.startsWith(u.path) ? j : -1)).filter((j) => j >= 0);
    expect(inSubtree, `subtree of ${u.name}`).toEqual(Array.from({ length: inSubtree.length }, (_, k) => i + k));
    expect(u.depth).toBe(u.path.split('/').filter(Boolean).length - 1);
  });
}

describe('org units', () => {
  it('creates a unit under a parent', async () => {
    const unit = await create(' 甲县乡镇 ', tree.countyA.id);
    expect(unit).toMatchObject({ name: '甲县乡镇', kind: 'area', parentId: tree.countyA.id, path: `${tree.countyA.path}${unit.id}/`, depth: 2, archived: false, activeUsers: 0 });
    expect((await list()).map((u) => u.id)).toContain(unit.id);

    const unknown = await ctx.app.inject({ method: 'POST', url: '/api/org-units', headers: headers(), payload: { name: 'x', kind: 'area', parentId: '00000000-0000-4000-8000-000000000000' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].path).toBe('parentId');
    const badKind = await ctx.app.inject({ method: 'POST', url: '/api/org-units', headers: headers(), payload: { name: 'x', kind: 'planet', parentId: tree.countyA.id } });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().errors[0]).toMatchObject({ path: 'kind' });
    expect(badKind.json().errors[0].message).toContain('county');
  });

  it('renames a unit', async () => {
    const unit = await create('旧名字', tree.countyB.id);
    const res = await patch(unit.id, { name: '新名字', nameEn: 'New name' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: unit.id, name: '新名字', nameEn: 'New name', path: unit.path });
    expect((await list()).find((u) => u.id === unit.id)!.name).toBe('新名字');
    const blank = await patch(unit.id, { name: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors[0].path).toBe('name');
    const missing = await ctx.app.inject({ method: 'PATCH', url: '/api/org-units/00000000-0000-4000-8000-000000000000', headers: headers(), payload: { name: 'x' } });
    expect(missing.statusCode).toBe(404);
  });

  it('moves a unit with its children and rewrites every descendant path', async () => {
    const x = await create('移动单位', tree.countyA.id, 'area');
    const x1 = await create('移动单位-一', x.id, 'team');
    const x2 = await create('移动单位-二', x.id, 'team');
    const x11 = await create('移动单位-一-甲', x1.id, 'team');
    const staff = await makeUser(ctx.orm, { orgUnitId: x11.id });

    const res = await patch(x.id, { parentId: tree.countyB.id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: x.id, parentId: tree.countyB.id, path: `${tree.countyB.path}${x.id}/`, depth: 2 });

    const units = await list();
    const byId = new Map(units.map((u) => [u.id, u]));
    expect(byId.get(x.id)!.path).toBe(`${tree.countyB.path}${x.id}/`);
    expect(byId.get(x1.id)!.path).toBe(`${tree.countyB.path}${x.id}/${x1.id}/`);
    expect(byId.get(x2.id)!.path).toBe(`${tree.countyB.path}${x.id}/${x2.id}/`);
    expect(byId.get(x11.id)!.path).toBe(`${tree.countyB.path}${x.id}/${x1.id}/${x11.id}/`);
    expect(byId.get(x11.id)!.depth).toBe(4);
    expect(byId.get(x1.id)!.parentId).toBe(x.id);
    expect(units.filter((u) => u.path.includes(tree.countyA.id) && u.path.includes(x.id))).toEqual([]);
    expectTreeOrder(units);

    // The people moved with their unit: now in county B's subtree, out of county A's.
    const inB = await ctx.app.inject({ url: `/api/users?orgUnitId=${tree.countyB.id}&limit=500`, headers: headers() });
    expect(inB.json().items.map((u: { id: string }) => u.id)).toContain(staff.id);
    const inA = await ctx.app.inject({ url: `/api/users?orgUnitId=${tree.countyA.id}&limit=500`, headers: headers() });
    expect(inA.json().items.map((u: { id: string }) => u.id)).not.toContain(staff.id);
  });

  it('refuses to move a unit under itself or its own descendant', async () => {
    const top = await create('上级', tree.countyA.id);
    const mid = await create('中级', top.id, 'team');
    const low = await create('下级', mid.id, 'team');
    for (const target of [low.id, mid.id, top.id]) {
      const res = await patch(top.id, { parentId: target });
      expect(res.statusCode, target).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ path: 'parentId', code: 'org_unit.cycle' })]);
    }
    const after = (await list()).find((u) => u.id === top.id)!;
    expect(after.path).toBe(top.path);
    expect(after.parentId).toBe(tree.countyA.id);
    // The root cannot move.
    const root = await patch(tree.company.id, { parentId: tree.countyA.id });
    expect(root.statusCode).toBe(400);
    expect(root.json().errors[0].path).toBe('parentId');
  });

  it('refuses to archive a unit that still has active people or units', async () => {
    const unit = await create('有人的单位', tree.countyB.id);
    await makeUser(ctx.orm, { orgUnitId: unit.id });
    const res = await patch(unit.id, { archived: true });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('conflict');
    expect(res.json().errors[0]).toMatchObject({ path: 'archived', code: 'org_unit.not_empty' });
    // A parent whose people sit further down is not empty either.
    const busyParent = await patch(tree.countyA.id, { archived: true });
    expect(busyParent.statusCode).toBe(409);
    expect((await list()).find((u) => u.id === unit.id)!.archived).toBe(false);
  });

  it('archives an empty unit: gone from the default list, shown with includeArchived', async () => {
    const parent = await create('撤销上级', tree.countyB.id);
    const unit = await create('空单位', parent.id, 'team');
    await makeUser(ctx.orm, { orgUnitId: unit.id, disabled: true }); // a disabled person does not keep a unit alive
    const res = await patch(unit.id, { archived: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().archived).toBe(true);

    expect((await list()).map((u) => u.id)).not.toContain(unit.id);
    const all = await list('?includeArchived=true');
    expect(all.find((u) => u.id === unit.id)).toMatchObject({ archived: true, name: '空单位' });

    // New units cannot go under an archived one, and the parent can now be archived too.
    const under = await ctx.app.inject({ method: 'POST', url: '/api/org-units', headers: headers(), payload: { name: 'x', kind: 'team', parentId: unit.id } });
    expect(under.statusCode).toBe(400);
    expect((await patch(parent.id, { archived: true })).statusCode).toBe(200);
    // Restoring a child under an archived parent is refused; restoring the parent first works.
    expect((await patch(unit.id, { archived: false })).statusCode).toBe(400);
    expect((await patch(parent.id, { archived: false })).statusCode).toBe(200);
    const restored = await patch(unit.id, { archived: false });
    expect(restored.statusCode).toBe(200);
    expect(restored.json().archived).toBe(false);
  });

  it('shows a manager only their own subtree', async () => {
    const all = await list();
    const mine = await list('', manager);
    const expected = all.filter((u) => u.path.startsWith(tree.countyA.path)).map((u) => u.id);
    expect(mine.map((u) => u.id)).toEqual(expected);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.map((u) => u.id)).not.toContain(tree.countyB.id);
    expect(mine.map((u) => u.id)).not.toContain(tree.company.id);
    expectTreeOrder(mine);
  });

  it('counts active people per unit', async () => {
    const unit = await create('计数单位', tree.countyB.id);
    await makeUser(ctx.orm, { orgUnitId: unit.id });
    await makeUser(ctx.orm, { orgUnitId: unit.id });
    await makeUser(ctx.orm, { orgUnitId: unit.id, disabled: true });
    expect((await list()).find((u) => u.id === unit.id)!.activeUsers).toBe(2);
  });
});
