import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';
import { ManualClock } from '../../api/src/lib/clock.js';
import { execSql } from '../../api/src/lib/sql.js';
import { ExamAttempt } from '../../api/src/modules/exams/exam.entity.js';

interface FieldError { path: string; code: string; message: string }

// 10:00 in China on 3 December 2026.
const NOW = '2026-12-03T02:00:00Z';
let ctx: TestContext;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
type Who = 'admin' | 'trainer' | 'manager' | 'managerB' | 'staff' | 'a1' | 'a2' | 'b1';
const tokens = {} as Record<Who, string>;
const ids = {} as Record<Who, string>;
const q = {} as Record<'f1' | 'f2' | 'd1' | 'd2' | 'd3' | 'retired', { id: string; versionId: string; question: Record<string, unknown> }>;
let categoryId = '';
const TAG = `exam-define-${Date.now().toString(36)}`;

const as = (who: Who, lang = 'en') => ({ ...bearer(tokens[who]), 'accept-language': lang });
const call = (who: Who, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object, lang = 'en') =>
  ctx.app.inject({ method, url, headers: as(who, lang), ...(payload ? { payload } : {}) });
const errorsOf = (res: LightMyRequestResponse) => (res.json().errors ?? []) as FieldError[];
const paths = (res: LightMyRequestResponse) => errorsOf(res).map((e) => e.path);

const single = (key: string, points: number, difficulty: number, category: string | undefined, tags: string[]) => ({
  type: 'single_choice', key, stem: `题干 ${key}`, points, difficulty, language: 'zh', tags, status: 'active', ...(category ? { category } : {}),
  options: [{ text: '对', correct: true }, { text: '错', correct: false }],
});

const base = (over: Record<string, unknown> = {}) => ({
  titleZh: '十二月月考', titleEn: 'December exam', kind: 'monthly', period: '2026-12',
  opensAt: '2026-12-10T01:00:00Z', closesAt: '2026-12-12T15:00:00Z', timeLimitMinutes: 30, passMark: 3,
  positions: ['account_manager'],
  items: [{ kind: 'fixed', questionId: q.f1.id }, { kind: 'fixed', questionId: q.f2.id, points: 2 }, { kind: 'random', categoryId, drawCount: 2 }],
  ...over,
});

beforeAll(async () => {
  ctx = await createTestContext({ clock: new ManualClock(NOW) });
  tree = await makeOrgTree(ctx.orm);
  const specs: [Who, Parameters<typeof makeUser>[1]][] = [
    ['admin', { role: 'admin', orgUnitId: tree.company.id }],
    ['trainer', { role: 'trainer', orgUnitId: tree.company.id }],
    ['manager', { role: 'manager', orgUnitId: tree.countyA.id }],
    ['managerB', { role: 'manager', orgUnitId: tree.countyB.id }],
    ['staff', { orgUnitId: tree.areaA.id, position: 'marketing_manager' }],
    ['a1', { orgUnitId: tree.areaA.id, position: 'account_manager' }],
    ['a2', { orgUnitId: tree.areaA.id, position: 'account_manager' }],
    ['b1', { orgUnitId: tree.areaB.id, position: 'account_manager' }],
  ];
  for (const [who, spec] of specs) {
    const u = await makeUser(ctx.orm, spec);
    ids[who] = u.id;
    tokens[who] = ctx.app.signAccessToken({ id: u.id, role: u.role, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });
  }
  const category = `考试定义/${TAG}`;
  const make = async (name: keyof typeof q, body: Record<string, unknown>) => {
    const res = await call('trainer', 'POST', '/api/questions', body);
    expect(res.statusCode, res.body).toBe(201);
    const j = res.json();
    q[name] = { id: j.id, versionId: j.version.id, question: j.question };
    return j;
  };
  await make('f1', single(`${TAG}-f1`, 1, 2, undefined, []));
  await make('f2', single(`${TAG}-f2`, 1, 2, undefined, []));
  const d1 = await make('d1', single(`${TAG}-d1`, 1, 3, category, [TAG]));
  categoryId = d1.categoryId;
  expect(categoryId).toBeTruthy();
  await make('d2', single(`${TAG}-d2`, 2, 3, category, [TAG]));
  await make('d3', single(`${TAG}-d3`, 3, 4, category, []));
  await make('retired', { ...single(`${TAG}-r`, 1, 3, category, [TAG]), status: 'retired' });
});
afterAll(async () => { await ctx.close(); });

describe('defining an exam', () => {
  it('creates a draft, reports pool sizes and the maximum, updates it, publishes it and pins fixed versions', async () => {
    const created = await call('trainer', 'POST', '/api/exams', base());
    expect(created.statusCode, created.body).toBe(201);
    const exam = created.json();
    expect(exam).toMatchObject({ status: 'draft', state: 'draft', kind: 'monthly', period: '2026-12', passMark: 3 });
    // 1 + 2 + the two cheapest of the pool (1 + 2): the points everyone can reach.
    expect(exam.maxPoints).toBe(6);
    expect(exam.items.map((i: { poolSize: number }) => i.poolSize)).toEqual([1, 1, 3]);
    expect(exam.items[0].questionVersionId).toBeNull();
    expect(exam.people).toBe(3);

    const changed = await call('trainer', 'PATCH', `/api/exams/${exam.id}`, { timeLimitMinutes: 45, items: [...base().items, { kind: 'random', tag: TAG, difficulty: 3, drawCount: 1, points: 4 }] });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ timeLimitMinutes: 45, maxPoints: 10 });
    expect(changed.json().items[3]).toMatchObject({ kind: 'random', tag: TAG, difficulty: 3, poolSize: 2, linePoints: 4 });

    // The bank moves on before publishing: publishing pins the version current then.
    const edited = await call('trainer', 'PUT', `/api/questions/${q.f1.id}`, { ...q.f1.question, stem: '改过的题干', baseVersion: 1, status: 'active' });
    expect(edited.statusCode, edited.body).toBe(200);
    const v2 = edited.json().version.id as string;
    expect(v2).not.toBe(q.f1.versionId);
    const published = await call('trainer', 'POST', `/api/exams/${exam.id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', state: 'scheduled' });
    expect(published.json().items.slice(0, 2).map((i: { questionVersionId: string }) => i.questionVersionId)).toEqual([v2, q.f2.versionId]);
    expect(published.json().items[2].questionVersionId).toBeNull();
    // A later edit of the question does not move the pin.
    const again = await call('trainer', 'PUT', `/api/questions/${q.f1.id}`, { ...q.f1.question, stem: '再改一次', baseVersion: 2, status: 'active' });
    expect(again.statusCode, again.body).toBe(200);
    expect((await call('trainer', 'GET', `/api/exams/${exam.id}`)).json().items[0].questionVersionId).toBe(v2);
    // Publishing twice is refused.
    const twice = await call('trainer', 'POST', `/api/exams/${exam.id}/publish`);
    expect(twice.statusCode).toBe(409);

    const listed = await call('trainer', 'GET', '/api/exams?period=2026-12&state=scheduled&kind=monthly');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((e: { id: string }) => e.id)).toContain(exam.id);
    const drafts = await call('trainer', 'GET', '/api/exams?state=draft&period=2026-12');
    expect(drafts.json().items.map((e: { id: string }) => e.id)).not.toContain(exam.id);
    const paged = await call('trainer', 'GET', '/api/exams?limit=1&offset=0');
    expect(paged.json().items).toHaveLength(1);
    expect(paged.json().total).toBeGreaterThanOrEqual(1);
  });

  it('refuses each bad definition with the field and a reason in the user\'s language', async () => {
    const window = await call('trainer', 'POST', '/api/exams', base({ opensAt: '2026-12-12T00:00:00Z', closesAt: '2026-12-11T00:00:00Z' }));
    expect(window.statusCode).toBe(400);
    expect(window.headers['content-type']).toContain('application/problem+json');
    expect(errorsOf(window)).toContainEqual({ path: 'closesAt', code: 'exam.closes_before_opens', message: 'must be after the opening time' });
    const zh = await call('trainer', 'POST', '/api/exams', base({ closesAt: '2026-12-10T01:00:00Z' }), 'zh-CN');
    expect(errorsOf(zh)[0].message).toBe('结束时间必须晚于开始时间');

    const pool = await call('trainer', 'POST', '/api/exams', base({ items: [{ kind: 'fixed', questionId: q.f1.id }, { kind: 'fixed', questionId: q.f2.id }, { kind: 'random', categoryId, drawCount: 4 }] }));
    expect(pool.statusCode).toBe(400);
    expect(errorsOf(pool)).toContainEqual(expect.objectContaining({ path: 'items.2.drawCount', code: 'exam.pool_too_small' }));
    expect(errorsOf(pool).find((e) => e.path === 'items.2.drawCount')?.message).toContain('only 3');
    // The retired question is not in the pool: a tag holds d1 and d2 only.
    const tagged = await call('trainer', 'POST', '/api/exams', base({ items: [{ kind: 'random', tag: TAG, drawCount: 3 }], passMark: 0 }));
    expect(paths(tagged)).toEqual(['items.0.drawCount']);

    const mark = await call('trainer', 'POST', '/api/exams', base({ passMark: 6.5 }));
    expect(errorsOf(mark)).toEqual([expect.objectContaining({ path: 'passMark', code: 'exam.pass_mark_above_max' })]);
    expect(errorsOf(mark)[0].message).toContain('6');

    const unknown = await call('trainer', 'POST', '/api/exams', base({ passMark: 0, items: [{ kind: 'fixed', questionId: randomUUID() }, { kind: 'random', categoryId: randomUUID(), drawCount: 1 },
      { kind: 'random', drawCount: 1 }, { kind: 'fixed', questionId: q.retired.id }] }));
    expect(errorsOf(unknown).map((e) => [e.path, e.code])).toEqual([
      ['items.0.questionId', 'exam.unknown_question'], ['items.1.categoryId', 'exam.unknown_category'],
      ['items.2.categoryId', 'exam.draw_needs_source'], ['items.3.questionId', 'exam.question_not_active']]);

    // Everything wrong at once is said at once.
    const all = await call('trainer', 'POST', '/api/exams', base({ closesAt: '2026-12-01T00:00:00Z', passMark: 99, orgUnitIds: [randomUUID()] }));
    expect(paths(all).sort()).toEqual(['closesAt', 'orgUnitIds.0', 'passMark']);

    // An empty audience is refused at publishing, naming the audience.
    const draft = await call('trainer', 'POST', '/api/exams', base({ positions: [] }));
    expect(draft.statusCode, draft.body).toBe(201);
    const empty = await call('trainer', 'POST', `/api/exams/${draft.json().id}/publish`);
    expect(empty.statusCode).toBe(400);
    expect(errorsOf(empty)).toEqual([expect.objectContaining({ path: 'audience', code: 'exam.no_audience' })]);
    // The pool shrinks after the draft was saved: publishing checks again.
    const shrink = await call('trainer', 'PATCH', `/api/exams/${draft.json().id}`, { positions: ['account_manager'], items: [{ kind: 'random', tag: TAG, drawCount: 2 }], passMark: 1 });
    expect(shrink.statusCode, shrink.body).toBe(200);
    await execSql(ctx.orm.em.fork(), `update question set status = 'retired' where id = ?`, [q.d2.id]);
    const short = await call('trainer', 'POST', `/api/exams/${draft.json().id}/publish`);
    expect(paths(short)).toEqual(['items.0.drawCount']);
    await execSql(ctx.orm.em.fork(), `update question set status = 'active' where id = ?`, [q.d2.id]);
    const noItems = await call('trainer', 'POST', '/api/exams', base({ items: [], passMark: 0 }));
    expect(noItems.statusCode).toBe(201);
    expect(errorsOf(await call('trainer', 'POST', `/api/exams/${noItems.json().id}/publish`))).toEqual([expect.objectContaining({ path: 'items', code: 'exam.no_items' })]);
    // A schema failure names its field too.
    const bad = await call('trainer', 'POST', '/api/exams', base({ items: [{ kind: 'random', categoryId, drawCount: 0 }] }));
    expect(bad.statusCode).toBe(400);
    expect(paths(bad).some((p) => p.startsWith('items.0'))).toBe(true);
  });

  it('locks the questions of a published exam once an attempt exists, while its window and texts still change', async () => {
    const exam = (await call('trainer', 'POST', '/api/exams', base())).json();
    expect((await call('trainer', 'POST', `/api/exams/${exam.id}/publish`)).statusCode).toBe(200);
    // Before any attempt the blueprint of a published exam may still change (and is pinned again).
    const before = await call('trainer', 'PATCH', `/api/exams/${exam.id}`, { items: base().items.slice(0, 2), passMark: 2 });
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json().items.every((i: { questionVersionId: string | null }) => i.questionVersionId)).toBe(true);
    // A published exam stays checked as at publishing.
    const noAudience = await call('trainer', 'PATCH', `/api/exams/${exam.id}`, { positions: [] });
    expect(paths(noAudience)).toEqual(['audience']);

    const em = ctx.orm.em.fork();
    em.create(ExamAttempt, { id: randomUUID(), examId: exam.id, userId: ids.a1, number: 1, deadlineAt: new Date('2026-12-10T02:00:00Z') });
    await em.flush();
    const locked = await call('trainer', 'PATCH', `/api/exams/${exam.id}`, { items: base().items });
    expect(locked.statusCode).toBe(409);
    expect(errorsOf(locked)[0]).toMatchObject({ path: 'items', code: 'exam.blueprint_locked' });
    expect(locked.json().detail).toContain('clone');
    // The same blueprint sent back (as the editor does) is no change.
    const same = await call('trainer', 'PATCH', `/api/exams/${exam.id}`, { items: base().items.slice(0, 2), closesAt: '2026-12-13T15:00:00Z', titleEn: 'December exam, extended' });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toMatchObject({ closesAt: '2026-12-13T15:00:00.000Z', titleEn: 'December exam, extended', blueprintLocked: true, attempts: 1 });
  });

  it('makes a make-up for those the exam reached who have no submitted or finalised attempt', async () => {
    const exam = (await call('trainer', 'POST', '/api/exams', base())).json();
    const notYet = await call('trainer', 'POST', `/api/exams/${exam.id}/make-up`, { opensAt: '2026-12-20T01:00:00Z', closesAt: '2026-12-21T01:00:00Z' });
    expect(notYet.statusCode).toBe(409);
    expect((await call('trainer', 'POST', `/api/exams/${exam.id}/publish`)).statusCode).toBe(200);
    const em = ctx.orm.em.fork();
    em.create(ExamAttempt, { id: randomUUID(), examId: exam.id, userId: ids.a1, number: 1, deadlineAt: new Date('2026-12-10T02:00:00Z'), status: 'submitted' });
    em.create(ExamAttempt, { id: randomUUID(), examId: exam.id, userId: ids.a2, number: 1, deadlineAt: new Date('2026-12-10T02:00:00Z'), status: 'in_progress' });
    await em.flush();
    const window = await call('trainer', 'POST', `/api/exams/${exam.id}/make-up`, { opensAt: '2026-12-20T01:00:00Z', closesAt: '2026-12-19T01:00:00Z' });
    expect(paths(window)).toEqual(['closesAt']);
    const made = await call('trainer', 'POST', `/api/exams/${exam.id}/make-up`, { opensAt: '2026-12-20T01:00:00Z', closesAt: '2026-12-21T01:00:00Z' });
    expect(made.statusCode, made.body).toBe(201);
    const m = made.json();
    expect(m).toMatchObject({ kind: 'makeup', makeupOf: exam.id, status: 'draft', period: '2026-12', passMark: 3, timeLimitMinutes: 30, positions: [], orgUnitIds: [] });
    // a2 started but never submitted; b1 never started; a1 submitted.
    expect([...m.userIds].sort()).toEqual([ids.a2, ids.b1].sort());
    expect(m.items.map((i: { kind: string; questionId: string | null }) => [i.kind, i.questionId])).toEqual(exam.items.map((i: { kind: string; questionId: string | null }) => [i.kind, i.questionId]));
    expect(m.titleZh).toContain('补考');
    // A county-A manager's make-up of the same exam reaches only their own people.
    const byManager = await call('manager', 'POST', `/api/exams/${exam.id}/make-up`, { opensAt: '2026-12-20T01:00:00Z', closesAt: '2026-12-21T01:00:00Z' });
    expect(byManager.statusCode, byManager.body).toBe(201);
    expect(byManager.json().userIds).toEqual([ids.a2]);
  });

  it('sets per-person overrides only for people the exam reaches, in scope, with a reason', async () => {
    const exam = (await call('trainer', 'POST', '/api/exams', base())).json();
    const url = (userId: string) => `/api/exams/${exam.id}/overrides/${userId}`;
    const ok = await call('trainer', 'PUT', url(ids.a1), { extraMinutes: 15, extraAttempts: 1, reason: '视力障碍，需要更多时间' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ userId: ids.a1, extraMinutes: 15, extraAttempts: 1, opensAt: null });
    const moved = await call('trainer', 'PUT', url(ids.a1), { opensAt: '2026-12-14T01:00:00Z', closesAt: '2026-12-15T01:00:00Z', reason: '出差' });
    expect(moved.statusCode).toBe(200);
    const detail = (await call('trainer', 'GET', `/api/exams/${exam.id}`)).json();
    expect(detail.overrides).toEqual([expect.objectContaining({ userId: ids.a1, extraMinutes: 0, opensAt: '2026-12-14T01:00:00.000Z', reason: '出差' })]);

    expect(paths(await call('trainer', 'PUT', url(ids.a1), { extraMinutes: 5, reason: '   ' }))).toEqual(['reason']);
    expect((await call('trainer', 'PUT', url(ids.a1), { extraMinutes: 5 })).statusCode).toBe(400);
    expect(paths(await call('trainer', 'PUT', url(ids.a1), { closesAt: '2026-12-09T00:00:00Z', reason: '提前' }))).toEqual(['closesAt']);
    expect(paths(await call('trainer', 'PUT', url(ids.a1), { reason: '没改什么' }))).toEqual(['extraMinutes']);
    // Staff the exam does not reach (a marketing manager) are refused, naming the person.
    expect(paths(await call('trainer', 'PUT', url(ids.staff), { extraMinutes: 5, reason: '照顾' }))).toEqual(['userId']);
    expect((await call('trainer', 'PUT', url(randomUUID()), { extraMinutes: 5, reason: '照顾' })).statusCode).toBe(404);
    // Out of the manager's scope: the exam (made by a trainer) is not theirs to change.
    expect((await call('manager', 'PUT', url(ids.a1), { extraMinutes: 5, reason: '照顾' })).statusCode).toBe(404);
  });

  it('keeps managers to their own subtree', async () => {
    // A manager's exam is limited to their subtree and reaches only their people.
    const mine = await call('manager', 'POST', '/api/exams', base());
    expect(mine.statusCode, mine.body).toBe(201);
    expect(mine.json().people).toBe(2);
    const foreignUnit = await call('manager', 'POST', '/api/exams', base({ orgUnitIds: [tree.countyB.id], userIds: [ids.b1] }));
    expect(paths(foreignUnit).sort()).toEqual(['orgUnitIds.0', 'userIds.0']);
    // County B's manager does not see county A's exam at all.
    for (const [m, u] of [['GET', `/api/exams/${mine.json().id}`], ['PATCH', `/api/exams/${mine.json().id}`], ['POST', `/api/exams/${mine.json().id}/publish`],
      ['PUT', `/api/exams/${mine.json().id}/overrides/${ids.a1}`]] as const) {
      const res = await call('managerB', m, u, m === 'GET' ? undefined : m === 'PUT' ? { extraMinutes: 1, reason: 'x' } : {});
      expect(res.statusCode, `${m} ${u}`).toBe(404);
    }
    const listB = (await call('managerB', 'GET', '/api/exams?limit=200')).json().items.map((e: { id: string }) => e.id);
    expect(listB).not.toContain(mine.json().id);
    // A trainer's whole-organisation exam reaches county B, so its manager sees it, but may not change it.
    const org = (await call('trainer', 'POST', '/api/exams', base())).json();
    const listB2 = (await call('managerB', 'GET', '/api/exams?limit=200')).json().items;
    expect(listB2.find((e: { id: string }) => e.id === org.id)).toMatchObject({ editable: false, people: 1 });
    expect((await call('managerB', 'PATCH', `/api/exams/${org.id}`, { titleEn: 'mine now' })).statusCode).toBe(404);
    // Named people of the audience outside the viewer's subtree are not shown to them.
    const named = (await call('trainer', 'POST', '/api/exams', base({ userIds: [ids.a1, ids.b1] }))).json();
    expect((await call('managerB', 'GET', `/api/exams/${named.id}`)).json().userIds).toEqual([ids.b1]);
    // Staff never get the list.
    expect((await call('staff', 'GET', '/api/exams')).statusCode).toBe(403);
  });

  it('shows the year month by month with a warning where a unit has no monthly exam or more than two', async () => {
    // County B's manager defines three monthly exams for March 2027 and one for April.
    const mk = (period: string, n: number) => call('managerB', 'POST', '/api/exams', base({ period, titleZh: `乙县 ${period} 第 ${n} 场`,
      opensAt: `${period}-10T01:00:00Z`, closesAt: `${period}-12T01:00:00Z` }));
    for (const n of [1, 2, 3]) expect((await mk('2027-03', n)).statusCode).toBe(201);
    expect((await mk('2027-04', 1)).statusCode).toBe(201);
    const res = await call('managerB', 'GET', '/api/exams/calendar?year=2027');
    expect(res.statusCode, res.body).toBe(200);
    const months = res.json().months as { period: string; exams: { title: string }[]; warnings: { orgUnitId: string; reason: string; monthlyExams: number; message: string }[] }[];
    expect(months).toHaveLength(12);
    const march = months.find((m) => m.period === '2027-03')!;
    expect(march.exams).toHaveLength(3);
    expect(march.warnings).toEqual([expect.objectContaining({ orgUnitId: tree.areaB.id, reason: 'too_many', monthlyExams: 3 })]);
    expect(march.warnings[0].message).toContain('more than two');
    expect(months.find((m) => m.period === '2027-04')!.warnings).toEqual([]);
    expect(months.find((m) => m.period === '2027-05')!.warnings).toEqual([expect.objectContaining({ orgUnitId: tree.areaB.id, reason: 'none', monthlyExams: 0 })]);
    // County A's manager sees none of county B's exams, and their own units in their warnings.
    const a = (await call('manager', 'GET', '/api/exams/calendar?year=2027')).json().months as typeof months;
    expect(a.find((m) => m.period === '2027-03')!.exams).toEqual([]);
    expect(a.find((m) => m.period === '2027-03')!.warnings.map((w) => w.orgUnitId)).toContain(tree.areaA.id);
    expect(a.flatMap((m) => m.warnings.map((w) => w.orgUnitId))).not.toContain(tree.areaB.id);
    expect((await call('trainer', 'GET', '/api/exams/calendar?year=99')).statusCode).toBe(400);
  });
});
