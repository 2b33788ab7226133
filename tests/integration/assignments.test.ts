import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';
import { ManualClock } from '../../api/src/lib/clock.js';
import { execSql } from '../../api/src/lib/sql.js';

/** A row as `sql` returns it; a test names the columns it reads. */
type Row = Record<string, unknown>;
/** One entry of a problem+json `errors` list. */
interface FieldError { path: string; code: string; message: string }

// 10:00 in China (UTC+8) on 15 October 2026.
const START = '2026-10-15T02:00:00Z';

let ctx: TestContext;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
type Who = 'admin' | 'trainer' | 'manager' | 'managerB' | 'a1' | 'a2' | 'a3' | 'b1' | 'b2' | 'l1' | 'l2' | 'off' | 'fresh' | 'tz';
const tokens = {} as Record<Who, string>;
const ids = {} as Record<Who, string>;
/** Two tracks of our own: `main` with three short modules (4 minutes, 120 s to complete), `side` with one; plus a draft. */
const mods = {} as Record<'m1' | 'm2' | 'm3' | 's1' | 'draft', string>;

beforeAll(async () => {
  ctx = await createTestContext({ clock: new ManualClock(START) });
  tree = await makeOrgTree(ctx.orm);
  const specs: [Who, Parameters<typeof makeUser>[1]][] = [
    ['admin', { role: 'admin', orgUnitId: tree.company.id }],
    ['trainer', { role: 'trainer', orgUnitId: tree.company.id }],
    // manager heads county A; managerB county B.
    ['manager', { role: 'manager', orgUnitId: tree.countyA.id }],
    ['managerB', { role: 'manager', orgUnitId: tree.countyB.id }],
    ['a1', { orgUnitId: tree.areaA.id, position: 'account_manager', username: 'asg-a1' }],
    ['a2', { orgUnitId: tree.areaA.id, position: 'account_manager', username: 'asg-a2' }],
    ['a3', { orgUnitId: tree.countyA.id, position: 'marketing_manager', username: 'asg-a3' }],
    ['b1', { orgUnitId: tree.areaB.id, position: 'account_manager', username: 'asg-b1' }],
    ['b2', { orgUnitId: tree.countyB.id, position: 'marketing_manager', username: 'asg-b2' }],
    ['l1', { orgUnitId: tree.areaA.id, position: 'account_manager', username: 'asg-l1' }],
    ['l2', { orgUnitId: tree.areaB.id, position: 'account_manager', username: 'asg-l2' }],
    ['off', { orgUnitId: tree.areaA.id, position: 'account_manager', username: 'asg-off', disabled: true }],
  ];
  for (const [who, opts] of specs) {
    const u = await makeUser(ctx.orm, opts);
    ids[who] = u.id;
    if (who !== 'off') tokens[who] = (await login(ctx.app, u.username)).token;
  }
  const em = ctx.orm.em.fork();
  await execSql(em, `insert into track (id, sort_order, title_zh, title_en) values ('asg-main', 1, '指派主线', 'Assigned main'), ('asg-side', 2, '指派支线', 'Assigned side')`);
  const make = async (trackId: string, slug: string, publish = true) => {
    const res = await ctx.app.inject({
      method: 'POST', url: '/api/modules', headers: bearer(tokens.trainer),
      payload: {
        trackId, slug, minutes: 4, positions: ['account_manager'],
        locales: { zh: { title: `模块${slug}`, summary: 's', objectives: ['o'], tags: [], body: `# ${slug}\n\n## 一\n\n正文。\n` }, en: { title: `Module ${slug}`, summary: 's', objectives: ['o'], tags: [], body: `# ${slug}\n\n## One\n\nText.\n` } },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    if (publish) expect((await ctx.app.inject({ method: 'POST', url: `/api/modules/${res.json().id}/publish`, headers: bearer(tokens.trainer) })).statusCode).toBe(200);
    return res.json().id as string;
  };
  mods.m1 = await make('asg-main', 'asg-m1');
  mods.m2 = await make('asg-main', 'asg-m2');
  mods.m3 = await make('asg-main', 'asg-m3');
  mods.s1 = await make('asg-side', 'asg-s1');
  mods.draft = await make('asg-main', 'asg-draft', false);
});
afterAll(async () => { await ctx?.close(); });

const as = (who: Who, lang = 'zh') => ({ ...bearer(tokens[who]), 'accept-language': lang });
const q = <T = Row>(query: string, params: unknown[] = []) => execSql<T>(ctx.orm.em.fork(), query, params);
const days = (n: number) => ctx.clock.advance(n * 86400_000);
/** A date `n` days from today, China time. */
const chinaDay = (n = 0) => new Date(ctx.clock.now().getTime() + 8 * 3600_000 + n * 86400_000).toISOString().slice(0, 10);

function expectProblem(res: LightMyRequestResponse, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  if (code) expect(res.json().code).toBe(code);
  return res.json();
}

const assign = (who: Who, body: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: '/api/assignments', headers: as(who, 'en'), payload: body });
async function assigned(who: Who, body: Record<string, unknown>) {
  const res = await assign(who, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
async function completion(who: Who, id: string) {
  const res = await ctx.app.inject({ url: `/api/assignments/${id}/completion`, headers: as(who) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as { userId: string; modulesTotal: number; modulesDone: number; minutes: number; complete: boolean; orgUnitName: string }[];
}
async function learning(who: Who) {
  const res = await ctx.app.inject({ url: '/api/me/learning', headers: as(who) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const slugs = (items: { slug: string }[]) => items.map((i) => i.slug).sort();
/** My learning lists each module in one group only. */
function expectEachOnce(l: Record<string, unknown>) {
  const all = ['overdue', 'dueSoon', 'assigned', 'continueReading', 'done'].flatMap((k) => (l[k] as { id: string }[]).map((i) => i.id));
  expect(all.length).toBe(new Set(all).size);
}
async function assignedSlugs(who: Who) {
  const res = await ctx.app.inject({ url: '/api/modules?assigned=true', headers: as(who) });
  return slugs(res.json().items);
}
const assignmentCount = async () => (await q(`select count(*)::int as n from assignment`))[0].n as number;

/** Reads a 4-minute module to the end: 60 s, then another 60 s a minute later. */
async function complete(who: Who, moduleId: string) {
  const clientId = randomUUID();
  const beat = (seq: number, reachedEnd: boolean) =>
    ctx.app.inject({ method: 'POST', url: `/api/modules/${moduleId}/progress`, headers: as(who), payload: { clientId, seq, seconds: 60, reachedEnd } });
  // Each heartbeat reports the minute of reading before it: time on the study clock, which a beat cannot run ahead of.
  ctx.clock.advance(60_000);
  expect((await beat(1, false)).statusCode).toBe(200);
  ctx.clock.advance(60_000);
  const res = await beat(2, true);
  expect(res.json().completedAt, res.body).not.toBeNull();
}

// ---------------------------------------------------------------------------------------------------------------------

describe('creating assignments', () => {
  it('to positions: every staff member in the position, wherever they are', async () => {
    const a = await assigned('trainer', { targetType: 'module', targetId: mods.m1, positions: ['marketing_manager'], dueOn: chinaDay(10), note: ' 本月重点 ' });
    expect(a).toMatchObject({ targetType: 'module', targetId: mods.m1, title: 'Module asg-m1', positions: ['marketing_manager'], orgUnitIds: [], userIds: [], dueOn: chinaDay(10), note: '本月重点', people: 2 });
    expect((await completion('trainer', a.id)).map((r) => r.userId).sort()).toEqual([ids.a3, ids.b2].sort());
    expect(await assignedSlugs('a3')).toEqual(['asg-m1']);
    expect(await assignedSlugs('b2')).toEqual(['asg-m1']);
    expect(await assignedSlugs('a1')).toEqual([]);
  });

  it('to org units: everyone in the unit and the units below it', async () => {
    const a = await assigned('trainer', { targetType: 'module', targetId: mods.m2, orgUnitIds: [tree.countyA.id] });
    // Staff only, and not the disabled account: the manager heading the county is not a learner here.
    expect((await completion('trainer', a.id)).map((r) => r.userId).sort()).toEqual([ids.a1, ids.a2, ids.a3, ids.l1].sort());
    expect(a.people).toBe(4);
    expect(await assignedSlugs('a1')).toEqual(['asg-m2']);
    expect(await assignedSlugs('b1')).toEqual([]);
  });

  it('to positions and org units together: both must match', async () => {
    const a = await assigned('admin', { targetType: 'module', targetId: mods.m3, positions: ['account_manager'], orgUnitIds: [tree.areaB.id, tree.countyA.id] });
    expect((await completion('admin', a.id)).map((r) => r.userId).sort()).toEqual([ids.a1, ids.a2, ids.l1, ids.b1, ids.l2].sort());
    expect(await assignedSlugs('a3')).toEqual(['asg-m1', 'asg-m2']); // marketing manager in county A: not this one
  });

  it('to named people, in addition to those the filters match', async () => {
    const a = await assigned('trainer', { targetType: 'module', targetId: mods.s1, userIds: [ids.b1, ids.b1], positions: ['marketing_manager'], orgUnitIds: [tree.countyA.id] });
    expect(a.userIds).toEqual([ids.b1]);
    expect((await completion('trainer', a.id)).map((r) => r.userId).sort()).toEqual([ids.a3, ids.b1].sort());
    expect(await assignedSlugs('b1')).toEqual(['asg-m3', 'asg-s1']);
  });

  it('for a whole track: every published module of it', async () => {
    const a = await assigned('trainer', { targetType: 'track', targetId: 'asg-main', userIds: [ids.b2] });
    expect(a).toMatchObject({ targetType: 'track', targetId: 'asg-main', title: 'Assigned main', people: 1 });
    expect(await assignedSlugs('b2')).toEqual(['asg-m1', 'asg-m2', 'asg-m3']); // not the draft
    expect((await completion('trainer', a.id))[0]).toMatchObject({ userId: ids.b2, modulesTotal: 3, modulesDone: 0, complete: false });
  });

  it('refuses a due date in the past (China time); today is fine', async () => {
    const before = await assignmentCount();
    const p = expectProblem(await assign('trainer', { targetType: 'module', targetId: mods.m1, userIds: [ids.a1], dueOn: chinaDay(-1) }), 400, 'validation_failed');
    expect(p.errors).toEqual([{ path: 'dueOn', code: 'assignment.past_due', message: expect.any(String) }]);
    expect(await assignmentCount()).toBe(before);
    const today = await assign('trainer', { targetType: 'module', targetId: mods.m1, userIds: [ids.l2], dueOn: chinaDay(0) });
    expect(today.statusCode, today.body).toBe(201);

    // 20:00 UTC is 04:00 the next day in China: the UTC date is already yesterday there.
    const saved = ctx.clock.now();
    ctx.clock.set(`${chinaDay(0)}T20:00:00Z`);
    try {
      const late = expectProblem(await assign('trainer', { targetType: 'module', targetId: mods.m1, userIds: [ids.a1], dueOn: ctx.clock.now().toISOString().slice(0, 10) }), 400);
      expect(late.errors[0].path).toBe('dueOn');
      // The same assignment again, on purpose (it repeats the one above, so it needs the confirmation).
      expect((await assign('trainer', { targetType: 'module', targetId: mods.m1, userIds: [ids.l2], dueOn: chinaDay(0), confirmDuplicate: true })).statusCode).toBe(201);
    } finally {
      ctx.clock.set(saved);
      await q(`delete from assignment where id = ? or (due_on is not null and ? = any(user_ids))`, [today.json().id, ids.l2]);
    }
    await q(`delete from assignment where id = ?`, [today.json().id]);
  });

  it('refuses an assignment without an audience', async () => {
    const before = await assignmentCount();
    for (const body of [{}, { positions: [], orgUnitIds: [], userIds: [] }]) {
      const p = expectProblem(await assign('trainer', { targetType: 'module', targetId: mods.m1, ...body }), 400, 'validation_failed');
      expect(p.errors).toEqual([{ path: 'userIds', code: 'assignment.no_audience', message: expect.any(String) }]);
    }
    expect(await assignmentCount()).toBe(before);
  });

  it('refuses targets that do not exist or are not published, naming targetId', async () => {
    const before = await assignmentCount();
    for (const [targetType, targetId] of [['module', randomUUID()], ['module', mods.draft], ['module', 'asg-m1'], ['track', 'no-such-track'], ['track', mods.m1]] as const) {
      const p = expectProblem(await assign('trainer', { targetType, targetId, userIds: [ids.a1] }), 400, 'validation_failed');
      expect(p.errors.map((e: FieldError) => e.path), `${targetType} ${targetId}`).toEqual(['targetId']);
    }
    expect(await assignmentCount()).toBe(before);
  });

  it('refuses unknown people and units, naming each entry as sent', async () => {
    const p = expectProblem(await assign('trainer', { targetType: 'module', targetId: mods.m1, userIds: [ids.a1, ids.a1, randomUUID()], orgUnitIds: [tree.areaA.id, randomUUID()] }), 400);
    expect(p.errors.map((e: FieldError) => e.path).sort()).toEqual(['orgUnitIds.1', 'userIds.2']);
  });

  it('is not for staff (403), and saves nothing', async () => {
    const before = await assignmentCount();
    expectProblem(await assign('a1', { targetType: 'module', targetId: mods.m1, userIds: [ids.a2] }), 403, 'forbidden');
    expectProblem(await ctx.app.inject({ url: '/api/assignments', headers: as('a1') }), 403, 'forbidden');
    const any = (await q(`select id from assignment limit 1`))[0].id;
    expectProblem(await ctx.app.inject({ url: `/api/assignments/${any}/completion`, headers: as('a1') }), 403, 'forbidden');
    expect(await assignmentCount()).toBe(before);
  });
});

describe('a manager', () => {
  let own: string;
  let trainers: string;

  it('reaches only their own subtree, whatever the filters say', async () => {
    const a = await assigned('manager', { targetType: 'module', targetId: mods.s1, positions: ['account_manager'] });
    own = a.id;
    expect(a.people).toBe(3);
    expect((await completion('manager', a.id)).map((r) => r.userId).sort()).toEqual([ids.a1, ids.a2, ids.l1].sort());
    expect(await assignedSlugs('l1')).toContain('asg-s1');
    expect(await assignedSlugs('l2')).not.toContain('asg-s1');
    // Even the trainer sees no more people on it: it was made for county A.
    expect(await completion('trainer', a.id)).toHaveLength(3);
  });

  it('cannot name people or units outside the subtree', async () => {
    const before = await assignmentCount();
    const p = expectProblem(await assign('manager', { targetType: 'module', targetId: mods.s1, userIds: [ids.a1, ids.b1], orgUnitIds: [tree.countyB.id] }), 400);
    expect(p.errors.map((e: FieldError) => [e.path, e.code]).sort()).toEqual([['orgUnitIds.0', 'org_unit.unknown'], ['userIds.1', 'study.unknown_person']]);
    expect(await assignmentCount()).toBe(before);
  });

  it('sees completion only for people in the subtree, and not other managers\' assignments', async () => {
    const t = await assigned('trainer', { targetType: 'track', targetId: 'asg-side', positions: ['account_manager'] });
    trainers = t.id;
    expect((await completion('trainer', t.id)).map((r) => r.userId).sort()).toEqual([ids.a1, ids.a2, ids.l1, ids.b1, ids.l2].sort());
    expect((await completion('manager', t.id)).map((r) => r.userId).sort()).toEqual([ids.a1, ids.a2, ids.l1].sort());
    expect((await completion('managerB', t.id)).map((r) => r.userId).sort()).toEqual([ids.b1, ids.l2].sort());

    expectProblem(await ctx.app.inject({ url: `/api/assignments/${own}/completion`, headers: as('managerB') }), 404, 'not_found');
    const listB = (await ctx.app.inject({ url: '/api/assignments', headers: as('managerB') })).json().items;
    expect(listB.map((a: { id: string }) => a.id)).not.toContain(own);
    const listedForB = listB.find((a: { id: string }) => a.id === trainers);
    expect(listedForB.people).toBe(2);
    const listA = (await ctx.app.inject({ url: '/api/assignments', headers: as('manager') })).json().items;
    expect(listA.map((a: { id: string }) => a.id)).toContain(own);
    expect(listA.find((a: { id: string }) => a.id === trainers).people).toBe(3);
  });
});

describe('assignment completion', () => {
  it('counts modules done per person and marks the complete', async () => {
    const a = await assigned('trainer', { targetType: 'track', targetId: 'asg-main', userIds: [ids.l2, ids.b2] });
    const row = async (who: Who) => (await completion('trainer', a.id)).find((r) => r.userId === ids[who])!;
    expect(await row('l2')).toMatchObject({ modulesTotal: 3, modulesDone: 0, minutes: 0, complete: false });
    await complete('l2', mods.m1);
    expect(await row('l2')).toMatchObject({ modulesTotal: 3, modulesDone: 1, minutes: 2, complete: false });
    await complete('l2', mods.m2);
    await complete('l2', mods.m3);
    expect(await row('l2')).toMatchObject({ modulesTotal: 3, modulesDone: 3, minutes: 6, complete: true });
    expect(await row('b2')).toMatchObject({ modulesDone: 0, complete: false });
    // Time on a module outside the assignment does not count towards it.
    await complete('b2', mods.s1);
    expect(await row('b2')).toMatchObject({ modulesDone: 0, minutes: 0 });
    // A module added to the track later is part of the assignment at once.
    const extra = await ctx.app.inject({
      method: 'POST', url: '/api/modules', headers: as('trainer'),
      payload: { trackId: 'asg-main', slug: 'asg-m4', minutes: 4, positions: ['account_manager'], locales: { zh: { title: 'm4', summary: 's', objectives: ['o'], tags: [], body: '# m4\n' } } },
    });
    await ctx.app.inject({ method: 'POST', url: `/api/modules/${extra.json().id}/publish`, headers: as('trainer') });
    expect(await row('l2')).toMatchObject({ modulesTotal: 4, modulesDone: 3, complete: false });
    await ctx.app.inject({ method: 'PUT', url: `/api/modules/${extra.json().id}/archived`, headers: as('trainer'), payload: { archived: true } });
    expect(await row('l2')).toMatchObject({ modulesTotal: 3, complete: true });
  });
});

describe('my learning', () => {
  it('moves modules between overdue, due soon, assigned and done as time passes and progress is made', async () => {
    // A clean slate: the assignments above are archived, and a fresh learner in county A gets three of their own.
    await q(`update assignment set archived_at = now()`);
    const u = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, position: 'marketing_manager', username: 'asg-fresh' });
    ids.fresh = u.id;
    tokens.fresh = (await login(ctx.app, u.username)).token;
    const empty = await learning('fresh');
    expect(empty).toMatchObject({ overdue: [], dueSoon: [], assigned: [], done: [], totals: { assigned: 0, done: 0 } });

    await assigned('trainer', { targetType: 'module', targetId: mods.m1, userIds: [u.id], dueOn: chinaDay(3) });
    await assigned('trainer', { targetType: 'module', targetId: mods.m2, userIds: [u.id], dueOn: chinaDay(20) });
    await assigned('trainer', { targetType: 'module', targetId: mods.m3, userIds: [u.id] });
    let l = await learning('fresh');
    expect(slugs(l.dueSoon)).toEqual(['asg-m1']);
    expect(l.dueSoon[0]).toMatchObject({ dueOn: chinaDay(3), title: '模块asg-m1', minutes: 4, completedAt: null });
    expect(l.dueSoon[0].completion).toMatchObject({ percent: 0, complete: false, minutesRequired: 2, remaining: { minutes: 2, end: true } });
    expect(slugs(l.assigned)).toEqual(['asg-m2', 'asg-m3']);
    expect(l.overdue).toEqual([]);
    expect(l.done).toEqual([]);
    expect(l.totals).toMatchObject({ assigned: 3, done: 0 });

    // A second assignment of the same module with an earlier date: the earliest counts.
    await assigned('manager', { targetType: 'module', targetId: mods.m3, orgUnitIds: [tree.areaA.id], positions: ['marketing_manager'], dueOn: chinaDay(5) });
    l = await learning('fresh');
    expect(slugs(l.dueSoon)).toEqual(['asg-m1', 'asg-m3']);
    expect(l.dueSoon.find((i: { slug: string }) => i.slug === 'asg-m3').dueOn).toBe(chinaDay(5));

    // Four days on, m1 is overdue; m3 is due tomorrow.
    days(4);
    l = await learning('fresh');
    expect(slugs(l.overdue)).toEqual(['asg-m1']);
    expect(slugs(l.dueSoon)).toEqual(['asg-m3']);
    expect(slugs(l.assigned)).toEqual(['asg-m2']);

    // Reading m1 to the end moves it to done; a module started but not finished is one to continue.
    await complete('fresh', mods.m1);
    const clientId = randomUUID();
    ctx.clock.advance(30_000); // thirty seconds of reading m2 after finishing m1
    await ctx.app.inject({ method: 'POST', url: `/api/modules/${mods.m2}/progress`, headers: as('fresh'), payload: { clientId, seq: 1, seconds: 30 } });
    l = await learning('fresh');
    expect(l.overdue).toEqual([]);
    expect(slugs(l.done)).toEqual(['asg-m1']);
    expect(l.done[0].completedAt).not.toBeNull();
    // m2 is started: it is under "continue reading" with its due date, and no longer under "to study".
    expect(slugs(l.continueReading)).toEqual(['asg-m2']);
    expect(l.continueReading[0]).toMatchObject({ dueOn: chinaDay(16), secondsSpent: 30, completion: { minutesStudied: 0, remaining: { minutes: 2 } } });
    expect(slugs(l.assigned)).toEqual([]);
    expectEachOnce(l);
    expect(l.totals).toMatchObject({ assigned: 3, done: 1, minutes: 3 }); // 120 s + 30 s

    // Ten more days: m2 (due on day 20) is now within a week; m3 is overdue.
    days(10);
    l = await learning('fresh');
    expect(slugs(l.dueSoon)).toEqual(['asg-m2']);
    expect(slugs(l.overdue)).toEqual(['asg-m3']);
    expect(l.assigned).toEqual([]);
    expect(l.continueReading).toEqual([]);
    expect(slugs(l.done)).toEqual(['asg-m1']);
    expectEachOnce(l);

    // The heads' summary: each person and module once (m3 is assigned twice), one done, one overdue.
    const summary = async (who: Who) => {
      const res = await ctx.app.inject({ url: '/api/assignments/summary', headers: as(who) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const expected = { people: 1, peopleDone: 0, peopleOverdue: 1, modules: 3, modulesDone: 1, modulesOverdue: 1 };
    expect(await summary('manager')).toEqual(expected);
    expect(await summary('trainer')).toEqual(expected);
    // The other county's head sees none of it; a learner may not ask.
    expect(await summary('managerB')).toEqual({ people: 0, peopleDone: 0, peopleOverdue: 0, modules: 0, modulesDone: 0, modulesOverdue: 0 });
    expectProblem(await ctx.app.inject({ url: '/api/assignments/summary', headers: as('fresh') }), 403);
    // Finishing the overdue module: the person is done with everything but m2, and nobody is overdue.
    await complete('fresh', mods.m3);
    expect(await summary('manager')).toEqual({ people: 1, peopleDone: 0, peopleOverdue: 0, modules: 3, modulesDone: 2, modulesOverdue: 0 });
    await complete('fresh', mods.m2);
    expect(await summary('manager')).toEqual({ people: 1, peopleDone: 1, peopleOverdue: 0, modules: 3, modulesDone: 3, modulesOverdue: 0 });
  });

  it('counts days in China time: due "today" turns overdue at midnight in China, not in UTC', async () => {
    const u = await makeUser(ctx.orm, { orgUnitId: tree.areaB.id, position: 'account_manager', username: 'asg-tz' });
    tokens.tz = (await login(ctx.app, u.username)).token;
    ctx.clock.set(`${chinaDay(1)}T01:00:00Z`); // 09:00 in China
    const due = chinaDay(0);
    await assigned('trainer', { targetType: 'module', targetId: mods.s1, userIds: [u.id], dueOn: due });
    expect(slugs((await learning('tz')).dueSoon)).toContain('asg-s1');
    ctx.clock.set(`${due}T15:59:00Z`); // 23:59 in China: still due today
    expect(slugs((await learning('tz')).overdue)).not.toContain('asg-s1');
    ctx.clock.set(`${due}T16:01:00Z`); // 00:01 the next day in China, still the same day in UTC
    expect(slugs((await learning('tz')).overdue)).toContain('asg-s1');
  });
});
