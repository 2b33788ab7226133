import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';
import { ManualClock } from '../../api/src/lib/clock.js';
import { execSql } from '../../api/src/lib/sql.js';

/**
 * Mistakes can be undone and duplicates do not go in silently: attendance and assignments that repeat existing ones
 * are refused (409, naming them) until confirmed; both can be corrected and withdrawn with a reason, every change is
 * kept in `record_change`, and the monthly totals and My learning follow the correction.
 */

// 10:00 in China on 20 November 2026.
const START = '2026-11-20T02:00:00Z';
const DAY = '2026-11-18';

type Who = 'admin' | 'trainer' | 'manager' | 'managerB' | 'a1' | 'a2' | 'a3' | 'b1';
type Row = Record<string, unknown>;
interface Problem { code: string; detail: string; errors?: { path: string; code: string; message: string }[]; duplicates?: { id: string; userId?: string; name: string; reason: string; message: string; day?: string; kind?: string; minutes?: number }[] }

let ctx: TestContext;
const tokens = {} as Record<Who, string>;
const ids = {} as Record<Who, string>;
let moduleId = '';

beforeAll(async () => {
  ctx = await createTestContext({ clock: new ManualClock(START) });
  const tree = await makeOrgTree(ctx.orm);
  const specs: [Who, Parameters<typeof makeUser>[1]][] = [
    ['admin', { role: 'admin', orgUnitId: tree.company.id }],
    ['trainer', { role: 'trainer', orgUnitId: tree.company.id, displayName: '培训师' }],
    ['manager', { role: 'manager', orgUnitId: tree.countyA.id, displayName: '甲县主任' }],
    ['managerB', { role: 'manager', orgUnitId: tree.countyB.id }],
    ['a1', { orgUnitId: tree.areaA.id, position: 'account_manager', displayName: '甲一' }],
    ['a2', { orgUnitId: tree.areaA.id, position: 'account_manager', displayName: '甲二' }],
    ['a3', { orgUnitId: tree.countyA.id, position: 'marketing_manager', displayName: '甲三' }],
    ['b1', { orgUnitId: tree.areaB.id, position: 'account_manager', displayName: '乙一' }],
  ];
  for (const [who, opts] of specs) {
    const u = await makeUser(ctx.orm, opts);
    ids[who] = u.id;
    tokens[who] = (await login(ctx.app, u.username)).token;
  }
  await execSql(ctx.orm.em.fork(), `insert into track (id, sort_order, title_zh, title_en) values ('fix-t', 1, '更正测试', 'Corrections test')`);
  const made = await ctx.app.inject({ method: 'POST', url: '/api/modules', headers: bearer(tokens.trainer), payload: {
    trackId: 'fix-t', slug: 'fix-m', minutes: 4, positions: ['account_manager'],
    locales: { zh: { title: '更正模块', summary: 's', objectives: ['o'], tags: [], body: '# 更正\n\n## 一\n\n正文。\n' }, en: { title: 'Correction module', summary: 's', objectives: ['o'], tags: [], body: '# Fix\n\n## One\n\nText.\n' } },
  } });
  expect(made.statusCode, made.body).toBe(201);
  moduleId = made.json().id;
  expect((await ctx.app.inject({ method: 'POST', url: `/api/modules/${moduleId}/publish`, headers: bearer(tokens.trainer) })).statusCode).toBe(200);
});
afterAll(async () => { await ctx?.close(); });

const as = (who: Who, lang = 'zh') => ({ ...bearer(tokens[who]), 'accept-language': lang });
const q = <T = Row>(text: string, params: unknown[] = []) => execSql<T>(ctx.orm.em.fork(), text, params);
const send = (who: Who, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, lang = 'zh') =>
  ctx.app.inject({ method, url, headers: as(who, lang), ...(payload === undefined ? {} : { payload: payload as object }) });
const attend = (who: Who, body: Record<string, unknown>, lang = 'zh') => send(who, 'POST', '/api/study-sessions/attendance', body, lang);
const count = async (table: string) => Number((await q<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n);
const monthly = async (who: Who, userId: string) => {
  const res = await send(who, 'GET', '/api/study/monthly?month=2026-11&limit=200');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { userId: string; confirmedMinutes: number; byKind: Record<string, number> }[]).find((i) => i.userId === userId)!;
};

function expectProblem(res: LightMyRequestResponse, status: number, code?: string): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  if (code) expect(res.json().code).toBe(code);
  return res.json() as Problem;
}

const sessionsOf = async (userId: string) => (await q<{ id: string; minutes: number; kind: string; withdrawn_at: Date | null }>(
  `select id, minutes, kind, withdrawn_at from study_session where user_id = ? order by created_at, id`, [userId]));

describe('duplicate attendance', () => {
  it('refuses a second record of the same kind on the same day with 409 naming the people, then records it when confirmed', async () => {
    const first = await attend('manager', { kind: 'morning_meeting', day: DAY, minutes: 30, userIds: [ids.a1, ids.a2] });
    expect(first.statusCode, first.body).toBe(201);
    const before = await count('study_session');

    // a3 is new, a1 already has a morning meeting that day: nothing is written for anyone.
    const dup = expectProblem(await attend('manager', { kind: 'morning_meeting', day: DAY, minutes: 45, userIds: [ids.a3, ids.a1] }, 'en'), 409, 'duplicate');
    expect(dup.detail).toContain('already recorded for this day and kind');
    expect(dup.duplicates).toHaveLength(1);
    const [existing] = await sessionsOf(ids.a1);
    expect(dup.duplicates![0]).toMatchObject({ id: existing.id, userId: ids.a1, name: '甲一', day: DAY, kind: 'morning_meeting', minutes: 30, reason: 'study.duplicate_person' });
    expect(dup.duplicates![0].message).toBe('甲一 already has a morning meeting record on 2026-11-18 (30 min)');
    expect(dup.errors).toEqual([{ path: 'userIds.1', code: 'study.duplicate_attendance', message: 'already recorded for this day and kind' }]);
    expect(await count('study_session')).toBe(before);
    const zh = expectProblem(await attend('manager', { kind: 'morning_meeting', day: DAY, minutes: 45, userIds: [ids.a1] }), 409);
    expect(zh.duplicates![0].message).toBe('甲一 在 2026-11-18 已有早会学习记录（30 分钟）');

    // Another kind, or another day, is no duplicate.
    expect((await attend('manager', { kind: 'evening_meeting', day: DAY, minutes: 20, userIds: [ids.a1] })).statusCode).toBe(201);
    expect((await attend('manager', { kind: 'morning_meeting', day: '2026-11-17', minutes: 20, userIds: [ids.a1] })).statusCode).toBe(201);

    const confirmed = await attend('manager', { kind: 'morning_meeting', day: DAY, minutes: 45, userIds: [ids.a3, ids.a1], confirmDuplicate: true });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    expect(confirmed.json()).toEqual({ created: 2 });
    expect(await count('study_session')).toBe(before + 4);
  });

  it('takes `confirmDuplicate` only as a boolean', async () => {
    const p = expectProblem(await attend('manager', { kind: 'morning_meeting', day: DAY, minutes: 45, userIds: [ids.a1], confirmDuplicate: 'yes' }), 400);
    expect(p.errors![0]).toMatchObject({ path: 'confirmDuplicate', code: 'field.type' });
  });
});

describe('correcting and withdrawing attendance', () => {
  let target = '';

  it('corrects minutes, day, kind and note with a reason, keeps each change, and the monthly total follows', async () => {
    const res = await attend('trainer', { kind: 'mass_training', day: DAY, minutes: 150, userIds: [ids.a2], note: '集中培训' });
    expect(res.statusCode, res.body).toBe(201);
    target = (await sessionsOf(ids.a2)).find((s) => s.kind === 'mass_training')!.id;
    expect((await monthly('manager', ids.a2)).byKind.mass_training).toBe(150);

    const fixed = await send('manager', 'PATCH', `/api/study-sessions/${target}`, { reason: ' 实际培训 90 分钟 ', minutes: 90, note: '集中培训（下午）' });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({ id: target, minutes: 90, note: '集中培训（下午）', withdrawn: false });
    const total = await monthly('manager', ids.a2);
    expect(total.byKind.mass_training).toBe(90);
    expect(total.confirmedMinutes).toBe(30 + 90);

    const rows = await q(`select action, field, old_value, new_value, reason, changed_by from record_change where record_id = ? order by field`, [target]);
    expect(rows).toEqual([
      { action: 'update', field: 'minutes', old_value: 150, new_value: 90, reason: '实际培训 90 分钟', changed_by: ids.manager },
      { action: 'update', field: 'note', old_value: '集中培训', new_value: '集中培训（下午）', reason: '实际培训 90 分钟', changed_by: ids.manager },
    ]);
    const history = await send('trainer', 'GET', `/api/study-sessions/${target}/history`);
    expect(history.statusCode).toBe(200);
    expect(history.json().items.map((h: { field: string; changedBy: string }) => [h.field, h.changedBy]).sort()).toEqual([['minutes', '甲县主任'], ['note', '甲县主任']]);
  });

  it('moving a record onto a day and kind the person already has is a duplicate until confirmed', async () => {
    const dup = expectProblem(await send('manager', 'PATCH', `/api/study-sessions/${target}`, { reason: '类型录错', kind: 'morning_meeting' }), 409, 'duplicate');
    expect(dup.duplicates![0]).toMatchObject({ userId: ids.a2, kind: 'morning_meeting', day: DAY });
    expect((await sessionsOf(ids.a2)).find((s) => s.id === target)!.kind).toBe('mass_training');
    const ok = await send('manager', 'PATCH', `/api/study-sessions/${target}`, { reason: '类型录错', kind: 'morning_meeting', confirmDuplicate: true });
    expect(ok.statusCode, ok.body).toBe(200);
    const total = await monthly('manager', ids.a2);
    expect(total.byKind).toMatchObject({ mass_training: 0, morning_meeting: 30 + 90 });
  });

  it('withdraws a record with a reason: it stops counting, stays in the history and can no longer be changed', async () => {
    const before = await monthly('trainer', ids.a2);
    const res = await send('manager', 'POST', `/api/study-sessions/${target}/withdraw`, { reason: '重复录入' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: target, withdrawn: true });
    expect((await monthly('trainer', ids.a2)).confirmedMinutes).toBe(before.confirmedMinutes - 90);
    const [w] = await q(`select old_value, new_value, reason from record_change where record_id = ? and action = 'withdraw'`, [target]);
    expect(w).toEqual({ old_value: false, new_value: true, reason: '重复录入' });
    const listed = await send('a2', 'GET', '/api/study-sessions');
    expect(listed.json().items.find((s: { id: string }) => s.id === target)).toMatchObject({ withdrawn: true });

    expectProblem(await send('manager', 'PATCH', `/api/study-sessions/${target}`, { reason: '再改', minutes: 10 }), 409, 'conflict');
    expectProblem(await send('manager', 'POST', `/api/study-sessions/${target}/withdraw`, { reason: '再撤' }), 409, 'conflict');
    expectProblem(await send('trainer', 'POST', `/api/study-sessions/${target}/review`, { status: 'confirmed' }), 409, 'conflict');
    // A withdrawn record is no duplicate: the same kind on the same day may be recorded again.
    const again = await attend('manager', { kind: 'mass_training', day: DAY, minutes: 90, userIds: [ids.a2] });
    expect(again.statusCode, again.body).toBe(201);
  });

  it('refuses bad corrections with 4xx naming the field, and changes nothing', async () => {
    const [s] = await sessionsOf(ids.a1);
    const before = await count('record_change');
    const cases: [unknown, string, string][] = [
      [{ minutes: 10 }, 'reason', 'field.required'],
      [{ reason: '', minutes: 10 }, 'reason', 'field.required'],
      [{ reason: '   ', minutes: 10 }, 'reason', 'correction.reason_required'],
      [{ reason: 7, minutes: 10 }, 'reason', 'field.type'],
      [{ reason: '改', minutes: '10' }, 'minutes', 'field.type'],
      [{ reason: '改', minutes: 0 }, 'minutes', 'field.minimum'],
      [{ reason: '改', day: '2026-02-31' }, 'day', 'field.day'],
      [{ reason: '改', day: '2026-12-25' }, 'day', 'study.future_day'],
      [{ reason: '改', kind: 'party' }, 'kind', 'field.enum'],
      [{ reason: '改', minutes: s.minutes }, 'reason', 'correction.nothing_changed'],
      // A record cannot be moved to another person: the field is not part of a correction and is dropped.
      [{ reason: '改', userId: ids.b1 }, 'reason', 'correction.nothing_changed'],
    ];
    for (const [payload, path, code] of cases) {
      const p = expectProblem(await send('manager', 'PATCH', `/api/study-sessions/${s.id}`, payload), 400);
      expect(p.errors?.find((e) => e.path === path)?.code, JSON.stringify(payload)).toBe(code);
    }
    expectProblem(await send('manager', 'POST', `/api/study-sessions/${s.id}/withdraw`, { reason: ' ' }), 400);
    expectProblem(await send('manager', 'POST', `/api/study-sessions/${s.id}/withdraw`, {}), 400);
    expectProblem(await send('manager', 'PATCH', '/api/study-sessions/not-a-uuid', { reason: '改', minutes: 5 }), 400);
    expect(await count('record_change')).toBe(before);
    expect((await sessionsOf(ids.a1))[0].minutes).toBe(s.minutes);
  });

  it('lets a manager touch only records in their subtree (404 otherwise) and staff none (403)', async () => {
    const res = await attend('trainer', { kind: 'other', day: DAY, minutes: 40, userIds: [ids.b1] });
    expect(res.statusCode).toBe(201);
    const [foreign] = await sessionsOf(ids.b1);
    expectProblem(await send('manager', 'PATCH', `/api/study-sessions/${foreign.id}`, { reason: '改', minutes: 5 }), 404, 'not_found');
    expectProblem(await send('manager', 'POST', `/api/study-sessions/${foreign.id}/withdraw`, { reason: '撤' }), 404, 'not_found');
    expectProblem(await send('manager', 'GET', `/api/study-sessions/${foreign.id}/history`), 404, 'not_found');
    expectProblem(await send('manager', 'PATCH', `/api/study-sessions/${randomUUID()}`, { reason: '改', minutes: 5 }), 404, 'not_found');
    expectProblem(await send('b1', 'PATCH', `/api/study-sessions/${foreign.id}`, { reason: '改', minutes: 5 }), 403, 'forbidden');
    expectProblem(await send('b1', 'POST', `/api/study-sessions/${foreign.id}/withdraw`, { reason: '撤' }), 403, 'forbidden');
    expect((await sessionsOf(ids.b1))[0]).toMatchObject({ minutes: 40, withdrawn_at: null });
    // managerB heads county B: the record is theirs to correct.
    expect((await send('managerB', 'PATCH', `/api/study-sessions/${foreign.id}`, { reason: '实际 30 分钟', minutes: 30 })).statusCode).toBe(200);
  });
});

describe('duplicate, corrected and withdrawn assignments', () => {
  let assignmentId = '';
  const assign = (who: Who, body: Record<string, unknown>, lang = 'zh') => send(who, 'POST', '/api/assignments', body, lang);

  it('refuses the same target for the same audience (in any order) while the first is active, and makes it when confirmed', async () => {
    const first = await assign('manager', { targetType: 'module', targetId: moduleId, userIds: [ids.a1, ids.a2], positions: ['account_manager'], dueOn: '2026-12-10' });
    expect(first.statusCode, first.body).toBe(201);
    assignmentId = first.json().id;
    expect(first.json().editable).toBe(true);
    const before = await count('assignment');

    const dup = expectProblem(await assign('manager', { targetType: 'module', targetId: moduleId, userIds: [ids.a2, ids.a1, ids.a2], positions: ['account_manager'] }, 'en'), 409, 'duplicate');
    expect(dup.duplicates).toEqual([expect.objectContaining({ id: assignmentId, name: 'Correction module', reason: 'assignment.duplicate_of' })]);
    expect(dup.duplicates![0].message).toBe('"Correction module" is already assigned to the same audience (2026-11-20)');
    expect(dup.errors![0]).toMatchObject({ path: 'targetId', code: 'assignment.duplicate' });
    expect(await count('assignment')).toBe(before);

    // A different audience, or the same one made by another county's manager, is not a duplicate.
    const other = await assign('manager', { targetType: 'module', targetId: moduleId, userIds: [ids.a1] });
    expect(other.statusCode, other.body).toBe(201);
    const otherCounty = await assign('managerB', { targetType: 'module', targetId: moduleId, positions: ['account_manager'] });
    expect(otherCounty.statusCode).toBe(201);
    expectProblem(await assign('managerB', { targetType: 'module', targetId: moduleId, positions: ['account_manager'] }), 409, 'duplicate');

    const again = await assign('manager', { targetType: 'module', targetId: moduleId, userIds: [ids.a2, ids.a1], positions: ['account_manager'], confirmDuplicate: true });
    expect(again.statusCode, again.body).toBe(201);
    expect(await count('assignment')).toBe(before + 3);
    // Tidy: withdraw the extra ones so the learners' lists below only hold the first.
    for (const id of [other.json().id, again.json().id]) {
      expect((await send('manager', 'POST', `/api/assignments/${id}/withdraw`, { reason: '重复布置' })).statusCode).toBe(200);
    }
  });

  it('changes the due date, note and audience with a reason, each change kept', async () => {
    const res = await send('manager', 'PATCH', `/api/assignments/${assignmentId}`, { reason: '延期一周', dueOn: '2026-12-17', note: '年底前完成', userIds: [ids.a1, ids.a3] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: assignmentId, dueOn: '2026-12-17', note: '年底前完成' });
    expect(res.json().userIds.sort()).toEqual([ids.a1, ids.a3].sort());
    const rows = await q<{ field: string; old_value: unknown; new_value: unknown }>(`select field, old_value, new_value from record_change where record_id = ? order by field`, [assignmentId]);
    expect(rows.map((r) => r.field)).toEqual(['dueOn', 'note', 'userIds']);
    expect(rows[0]).toMatchObject({ old_value: '2026-12-10', new_value: '2026-12-17' });
    expect((rows[2].old_value as string[]).sort()).toEqual([ids.a1, ids.a2].sort());

    // Reordering the same people changes nothing.
    const same = expectProblem(await send('manager', 'PATCH', `/api/assignments/${assignmentId}`, { reason: '无', userIds: [ids.a3, ids.a1] }), 400);
    expect(same.errors![0]).toMatchObject({ path: 'reason', code: 'correction.nothing_changed' });
    const bad = expectProblem(await send('manager', 'PATCH', `/api/assignments/${assignmentId}`, { reason: '改', userIds: [ids.b1], dueOn: '2026-01-01', note: 5 }), 400);
    expect(bad.errors!.map((e) => e.path)).toEqual(['note']);
    const foreignIds = expectProblem(await send('manager', 'PATCH', `/api/assignments/${assignmentId}`, { reason: '改', userIds: [ids.b1], orgUnitIds: [randomUUID()], dueOn: '2026-01-01' }), 400);
    expect(foreignIds.errors!.map((e) => [e.path, e.code]).sort()).toEqual([['dueOn', 'assignment.past_due'], ['orgUnitIds.0', 'org_unit.unknown'], ['userIds.0', 'study.unknown_person']]);
    expectProblem(await send('manager', 'PATCH', `/api/assignments/${assignmentId}`, { dueOn: '2026-12-20' }), 400);
    const history = await send('manager', 'GET', `/api/assignments/${assignmentId}/history`);
    expect(history.json().items).toHaveLength(3);
  });

  it('a manager cannot change what was made outside their subtree (404), staff not at all (403)', async () => {
    const byAdmin = await assign('admin', { targetType: 'module', targetId: moduleId, userIds: [ids.a2] });
    expect(byAdmin.statusCode).toBe(201);
    const listed = (await send('manager', 'GET', '/api/assignments')).json().items as { id: string; editable: boolean }[];
    expect(listed.find((a) => a.id === byAdmin.json().id)?.editable).toBe(false);
    expect(listed.find((a) => a.id === assignmentId)?.editable).toBe(true);
    expectProblem(await send('manager', 'PATCH', `/api/assignments/${byAdmin.json().id}`, { reason: '改', note: 'x' }), 404, 'not_found');
    expectProblem(await send('manager', 'POST', `/api/assignments/${byAdmin.json().id}/withdraw`, { reason: '撤' }), 404, 'not_found');
    expectProblem(await send('a1', 'POST', `/api/assignments/${assignmentId}/withdraw`, { reason: '撤' }), 403, 'forbidden');
    expect((await send('admin', 'POST', `/api/assignments/${byAdmin.json().id}/withdraw`, { reason: '不需要' })).statusCode).toBe(200);
  });

  it('withdraws an assignment with a reason: it leaves My learning, the lists and completion, and keeps its history', async () => {
    const mine = async (who: Who) => {
      const res = await send(who, 'GET', '/api/me/learning');
      const b = res.json();
      return [...b.overdue, ...b.dueSoon, ...b.assigned, ...b.done].map((i: { id: string }) => i.id);
    };
    expect(await mine('a3')).toContain(moduleId);
    expectProblem(await send('manager', 'POST', `/api/assignments/${assignmentId}/withdraw`, { reason: '' }), 400);
    const res = await send('manager', 'POST', `/api/assignments/${assignmentId}/withdraw`, { reason: '布置错了模块' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await mine('a3')).not.toContain(moduleId);
    expect((await send('manager', 'GET', '/api/assignments')).json().items.map((a: { id: string }) => a.id)).not.toContain(assignmentId);
    expectProblem(await send('manager', 'GET', `/api/assignments/${assignmentId}/completion`), 404);
    expectProblem(await send('manager', 'PATCH', `/api/assignments/${assignmentId}`, { reason: '改', note: 'x' }), 404);
    const history = (await send('manager', 'GET', `/api/assignments/${assignmentId}/history`)).json().items as { action: string; reason: string }[];
    expect(history.at(-1)).toMatchObject({ action: 'withdraw', reason: '布置错了模块' });
    // Once withdrawn, the same assignment may be made again without a warning.
    expect((await assign('manager', { targetType: 'module', targetId: moduleId, userIds: [ids.a1, ids.a3], positions: ['account_manager'] })).statusCode).toBe(201);
  });
});
