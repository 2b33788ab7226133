import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';
import { ManualClock } from '../../api/src/lib/clock.js';
import { execSql } from '../../api/src/lib/sql.js';
import { AppError } from '../../api/src/lib/errors.js';
import { monthlyStudyTotals } from '../../api/src/modules/study/study.service.js';

/** A row as `sql` returns it; a test names the columns it reads. */
type Row = Record<string, unknown>;
/** One entry of a problem+json `errors` list. */
interface FieldError { path: string; code: string; message: string }
interface SessionItem { id: string; userId: string; kind: string; status: string }

// 10:00 in China (UTC+8) on 15 October 2026: the product's days are China days.
const START = '2026-10-15T02:00:00Z';

let ctx: TestContext;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
type Who = 'admin' | 'trainer' | 'manager' | 'a1' | 'a2' | 'a3' | 'b1' | 'off' | 'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6' | 'm1' | 'm2' | 'p1';
const tokens = {} as Record<Who, string>;
const ids = {} as Record<Who, string>;
const names = {} as Record<Who, string>;
/** Module ids: `long` takes 30 minutes (900 s to complete), `short` 4 minutes (120 s). */
const mods = {} as Record<'long' | 'short' | 'other', string>;

beforeAll(async () => {
  ctx = await createTestContext({ clock: new ManualClock(START) });
  tree = await makeOrgTree(ctx.orm);
  const specs: [Who, Parameters<typeof makeUser>[1]][] = [
    ['admin', { role: 'admin', orgUnitId: tree.company.id }],
    ['trainer', { role: 'trainer', orgUnitId: tree.company.id, displayName: '培训师' }],
    // The manager heads county A: a1, a2 (its area) and a3 (the county itself) are theirs; b1 is in county B.
    ['manager', { role: 'manager', orgUnitId: tree.countyA.id, displayName: '甲县主任' }],
    ['a1', { orgUnitId: tree.areaA.id, displayName: '甲一' }],
    ['a2', { orgUnitId: tree.areaA.id, displayName: '甲二' }],
    ['a3', { orgUnitId: tree.countyA.id, position: 'marketing_manager', displayName: '甲三' }],
    ['b1', { orgUnitId: tree.areaB.id, displayName: '乙一' }],
    ['off', { orgUnitId: tree.areaA.id, disabled: true }],
    ...(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'm1', 'm2', 'p1'] as const).map((w) => [w, { orgUnitId: tree.areaA.id, displayName: `读者${w}` }] as [Who, Parameters<typeof makeUser>[1]]),
  ];
  for (const [who, opts] of specs) {
    const u = await makeUser(ctx.orm, opts);
    ids[who] = u.id;
    names[who] = u.displayName;
    if (who !== 'off') tokens[who] = (await login(ctx.app, u.username)).token;
  }
  await execSql(ctx.orm.em.fork(), `insert into track (id, sort_order, title_zh, title_en) values ('study-t', 1, '学习测试', 'Study test')`);
  const body = (zh: boolean) => zh
    ? '# 课程\n\n## 第一节\n\n正文。\n\n## 第二节\n\n正文。\n\n## 第三节\n\n正文。\n\n## 第四节\n\n结束。\n'
    : '# Course\n\n## Part one\n\nText.\n\n## Part two\n\nText.\n\n## Part three\n\nText.\n\n## Part four\n\nEnd.\n';
  for (const [key, minutes] of [['long', 30], ['short', 4], ['other', 30]] as const) {
    const res = await ctx.app.inject({
      method: 'POST', url: '/api/modules', headers: bearer(tokens.trainer),
      payload: {
        trackId: 'study-t', slug: `study-${key}`, minutes, positions: ['account_manager'],
        locales: {
          zh: { title: `学习${key}`, summary: 's', objectives: ['o'], tags: [], body: body(true) },
          en: { title: `Study ${key}`, summary: 's', objectives: ['o'], tags: [], body: body(false) },
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    mods[key] = res.json().id;
    expect((await ctx.app.inject({ method: 'POST', url: `/api/modules/${mods[key]}/publish`, headers: bearer(tokens.trainer) })).statusCode).toBe(200);
  }
});
afterAll(async () => { await ctx?.close(); });

const as = (who: Who, lang = 'zh') => ({ ...bearer(tokens[who]), 'accept-language': lang });
const q = <T = Row>(query: string, params: unknown[] = []) => execSql<T>(ctx.orm.em.fork(), query, params);
const seconds = (n: number) => ctx.clock.advance(n * 1000);

interface Completion {
  percent: number; complete: boolean; minutesStudied: number; minutesRequired: number; sectionsRead: number; sectionsTotal: number;
  reachedEnd: boolean; remaining: { minutes: number; sections: number; end: boolean };
}
interface Beat { clientId: string; seq: number; seconds: number; position?: string; sectionsRead?: string[]; reachedEnd?: boolean }
async function beat(who: Who, moduleId: string, body: Beat, lang = 'zh') {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/modules/${moduleId}/progress`, headers: as(who, lang), payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { secondsSpent: number; sectionsRead: string[]; position: string | null; reachedEnd: boolean; completedAt: string | null; completion: Completion };
}

const reader = async (who: Who, moduleId: string, lang = 'zh') => {
  const res = await ctx.app.inject({ url: `/api/modules/${moduleId}`, headers: as(who, lang) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

function expectProblem(res: LightMyRequestResponse, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  if (code) expect(res.json().code).toBe(code);
  return res.json();
}

/** China's calendar day `offset` days from the clock's now. */
const chinaDay = (offset = 0) => new Date(ctx.clock.now().getTime() + 8 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------------------------

describe('heartbeats', () => {
  it('credit at most the clock time elapsed since the previous heartbeat, never more', async () => {
    const c = randomUUID();
    // r1 signed in at the start: nothing has passed since, so nothing can be credited yet.
    expect((await beat('r1', mods.long, { clientId: c, seq: 1, seconds: 10 })).secondsSpent).toBe(0);
    seconds(10);
    // The first beat with time behind it is measured from the sign-in.
    expect((await beat('r1', mods.long, { clientId: c, seq: 2, seconds: 10 })).secondsSpent).toBe(10);
    seconds(30);
    expect((await beat('r1', mods.long, { clientId: c, seq: 3, seconds: 100 })).secondsSpent).toBe(10 + 30); // 30 s elapsed, no slack on top
    seconds(200);
    expect((await beat('r1', mods.long, { clientId: c, seq: 4, seconds: 200 })).secondsSpent).toBe(40 + 120); // one beat credits at most 120 s
    expect((await beat('r1', mods.long, { clientId: c, seq: 5, seconds: 50 })).secondsSpent).toBe(160); // no time has passed
    seconds(20);
    expect((await beat('r1', mods.long, { clientId: c, seq: 6, seconds: 15 })).secondsSpent).toBe(160 + 15); // honest claims are taken as they are
    // Someone who signed in long ago gets at most a minute for their very first beat.
    const fresh = await beat('r2', mods.long, { clientId: randomUUID(), seq: 1, seconds: 3600 });
    expect(fresh.secondsSpent).toBe(60);
  });

  it('a second tab cannot double the time: both tabs together get at most the elapsed time', async () => {
    const [tabA, tabB] = [randomUUID(), randomUUID()];
    await beat('r3', mods.long, { clientId: tabA, seq: 1, seconds: 0 });
    let total = 0;
    for (let i = 0; i < 4; i++) {
      seconds(15);
      await beat('r3', mods.long, { clientId: tabA, seq: i + 2, seconds: 15 });
      total = (await beat('r3', mods.long, { clientId: tabB, seq: i + 1, seconds: 15 })).secondsSpent;
    }
    expect(total).toBeLessThanOrEqual(60 + 5);
    expect(total).toBeGreaterThanOrEqual(60);
  });

  it('replays of the same client and sequence number credit nothing, and do not eat into the next heartbeat', async () => {
    const c = randomUUID();
    await beat('r4', mods.long, { clientId: c, seq: 1, seconds: 20, position: '第一节' });
    seconds(30);
    const second = await beat('r4', mods.long, { clientId: c, seq: 2, seconds: 30, position: '第二节' });
    expect(second.secondsSpent).toBe(50);
    seconds(30);
    // The same request arrives again (a retry after a lost answer), and an older one straggles in.
    expect((await beat('r4', mods.long, { clientId: c, seq: 2, seconds: 30, position: '第二节' })).secondsSpent).toBe(50);
    expect((await beat('r4', mods.long, { clientId: c, seq: 1, seconds: 20, position: '第一节' })).secondsSpent).toBe(50);
    // The reading position is not moved back by the straggler.
    expect((await reader('r4', mods.long)).progress.position).toBe('第二节');
    // The next real heartbeat covers the 30 s since seq 2 was received: the replays did not reset that clock.
    expect((await beat('r4', mods.long, { clientId: c, seq: 3, seconds: 30 })).secondsSpent).toBe(80);
    const [daily] = await q(`select sum(seconds)::int as s from study_daily where user_id = ? and module_id = ?`, [ids.r4, mods.long]);
    expect(daily.s).toBe(80);
  });

  it('lost requests re-sent later credit at most the time that actually passed', async () => {
    const c = randomUUID();
    await beat('r5', mods.long, { clientId: c, seq: 1, seconds: 15 });
    // seq 2 and 3 (15 s each) never arrive; 45 s later the client sends everything it has not had acknowledged.
    seconds(45);
    expect((await beat('r5', mods.long, { clientId: c, seq: 4, seconds: 45 })).secondsSpent).toBe(15 + 45);
    // A client claiming far more than passed gets the elapsed time (with the 5 s the clock keeps for jitter), not its claim.
    seconds(40);
    expect((await beat('r5', mods.long, { clientId: c, seq: 5, seconds: 600 })).secondsSpent).toBe(60 + 45);
    // The lost requests turning up late are older than what was already counted: nothing.
    seconds(10);
    expect((await beat('r5', mods.long, { clientId: c, seq: 2, seconds: 15 })).secondsSpent).toBe(105);
    expect((await beat('r5', mods.long, { clientId: c, seq: 3, seconds: 15 })).secondsSpent).toBe(105);
  });

  it('completes only when the end is reached and the required share of the time is spent', async () => {
    const c = randomUUID();
    // The short module takes 4 minutes: half of that, 120 s, must be spent.
    expect((await reader('r6', mods.short)).completionSeconds).toBe(120);
    let p = await beat('r6', mods.short, { clientId: c, seq: 1, seconds: 60, reachedEnd: true });
    expect(p).toMatchObject({ secondsSpent: 60, reachedEnd: true, completedAt: null });
    // Reading is done (the end counts for every section), time is half met: 50 + 25, and one minute is left.
    expect(p.completion).toEqual({
      percent: 75, complete: false, minutesStudied: 1, minutesRequired: 2, sectionsRead: 0, sectionsTotal: 4, reachedEnd: true,
      remaining: { minutes: 1, sections: 0, end: false },
    });
    seconds(30);
    p = await beat('r6', mods.short, { clientId: c, seq: 2, seconds: 30 });
    expect(p).toMatchObject({ secondsSpent: 90, reachedEnd: true, completedAt: null });
    seconds(40);
    const doneAt = ctx.clock.now().toISOString();
    p = await beat('r6', mods.short, { clientId: c, seq: 3, seconds: 40 });
    expect(p).toMatchObject({ secondsSpent: 130, completedAt: doneAt });
    expect(p.completion).toMatchObject({ percent: 100, complete: true, minutesStudied: 2, remaining: { minutes: 0, sections: 0, end: false } });

    // Enough time without reaching the end is not completion either.
    const d = randomUUID();
    await beat('m2', mods.short, { clientId: d, seq: 1, seconds: 60 });
    for (let seq = 2; seq <= 4; seq++) {
      seconds(60);
      p = await beat('m2', mods.short, { clientId: d, seq, seconds: 60, sectionsRead: ['第一节', '第二节'] });
    }
    expect(p).toMatchObject({ secondsSpent: 240, reachedEnd: false, completedAt: null });
    // Half for reading (2 of the 4 sections and the end: 2/5 of it, 20) and the time half met (50).
    expect(p.completion).toEqual({
      percent: 70, complete: false, minutesStudied: 4, minutesRequired: 2, sectionsRead: 2, sectionsTotal: 4, reachedEnd: false,
      remaining: { minutes: 0, sections: 2, end: true },
    });
    seconds(5);
    p = await beat('m2', mods.short, { clientId: d, seq: 5, seconds: 5, reachedEnd: true });
    expect(p.completedAt).toBe(ctx.clock.now().toISOString());
  });

  it('never undoes a completion', async () => {
    const before = (await reader('r6', mods.short)).progress;
    expect(before.completedAt).not.toBeNull();
    seconds(30);
    const p = await beat('r6', mods.short, { clientId: randomUUID(), seq: 1, seconds: 30, reachedEnd: false, position: '第一节' });
    expect(p).toMatchObject({ completedAt: before.completedAt, reachedEnd: true });
    expect(p.completion).toMatchObject({ percent: 100, complete: true });
    // Not even when the module is revised to take much longer.
    const src = (await ctx.app.inject({ url: `/api/modules/${mods.short}/source`, headers: as('trainer') })).json();
    expect(src.minutes).toBe(4);
    await ctx.app.inject({ method: 'PATCH', url: `/api/modules/${mods.short}`, headers: as('trainer'), payload: { minutes: 120 } });
    await ctx.app.inject({ method: 'POST', url: `/api/modules/${mods.short}/publish`, headers: as('trainer') });
    seconds(30);
    const after = await beat('r6', mods.short, { clientId: randomUUID(), seq: 1, seconds: 30 });
    expect(after.completedAt).toBe(before.completedAt);
    expect((await reader('r6', mods.short)).progress.completedAt).toBe(before.completedAt);
  });

  it('returns the resume position and the sections read with the module', async () => {
    const c = randomUUID();
    expect((await reader('a1', mods.other)).progress).toBeNull();
    const startedAt = ctx.clock.now().toISOString();
    await beat('a1', mods.other, { clientId: c, seq: 1, seconds: 20, position: '第一节', sectionsRead: ['第一节'] });
    seconds(20);
    await beat('a1', mods.other, { clientId: c, seq: 2, seconds: 20, position: '第三节', sectionsRead: ['第二节', '第三节'] });
    seconds(20);
    await beat('a1', mods.other, { clientId: c, seq: 3, seconds: 20 }); // no position: the last one stays
    const progress = (await reader('a1', mods.other)).progress;
    expect(progress).toMatchObject({ position: '第三节', secondsSpent: 60, reachedEnd: false, completedAt: null, startedAt });
    // 3 of 4 sections and not the end (3/5 of the reading half: 30), 60 of the 900 s needed (3.3 of the time half).
    expect((await reader('a1', mods.other)).completion).toMatchObject({ percent: 33, sectionsRead: 3, remaining: { minutes: 14, sections: 1, end: true } });
    expect([...progress.sectionsRead].sort()).toEqual(['第一节', '第二节', '第三节'].sort());
    // Someone else's progress is theirs.
    expect((await reader('a2', mods.other)).progress).toBeNull();
  });

  it('reports the same measure in the heartbeat answer as the reader shows, in English too', async () => {
    const c = randomUUID();
    const p = await beat('a2', mods.other, { clientId: c, seq: 1, seconds: 20, position: 'part-two', sectionsRead: ['part-one', 'part-two'] }, 'en');
    const shown = (await reader('a2', mods.other, 'en')).completion;
    // 2 of the 4 English sections (20 of the reading half) and the seconds credited of the 900 needed.
    expect(shown).toMatchObject({ percent: Math.floor(20 + (50 * p.secondsSpent) / 900), sectionsRead: 2, sectionsTotal: 4 });
    expect(p.completion).toEqual(shown);
  });

  it('does not call a module complete, nor show it full, when every section is read but the minutes are not met', async () => {
    // The long module takes 30 minutes: 15 of them (900 s) must be spent besides reaching the end.
    const c = randomUUID();
    const all = ['第一节', '第二节', '第三节', '第四节'];
    let p = await beat('p1', mods.long, { clientId: c, seq: 1, seconds: 30, position: '第四节', sectionsRead: all });
    seconds(60);
    p = await beat('p1', mods.long, { clientId: c, seq: 2, seconds: 60, sectionsRead: all, reachedEnd: true });
    expect(p.completedAt).toBeNull();
    const spent = p.secondsSpent;
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan(900);
    const expected: Completion = {
      percent: Math.floor(50 + (50 * spent) / 900), complete: false, minutesStudied: Math.floor(spent / 60), minutesRequired: 15,
      sectionsRead: 4, sectionsTotal: 4, reachedEnd: true, remaining: { minutes: Math.ceil((900 - spent) / 60), sections: 0, end: false },
    };
    expect(p.completion).toEqual(expected);
    expect(p.completion.percent).toBeLessThan(100);
    // The same measure in the reader, the catalogue and My learning.
    expect((await reader('p1', mods.long)).completion).toEqual(expected);
    const list = await ctx.app.inject({ url: '/api/modules', headers: as('p1') });
    expect(list.statusCode, list.body).toBe(200);
    const listed = (list.json().items as { id: string; completion: Completion }[]).find((m) => m.id === mods.long);
    expect(listed?.completion).toEqual(expected);
    const mine = (await ctx.app.inject({ url: '/api/me/learning', headers: as('p1') })).json();
    const continued = (mine.continueReading as { id: string; completion: Completion }[]).filter((m) => m.id === mods.long);
    expect(continued.map((m) => m.completion)).toEqual([expected]);
    // A module not started has the full way ahead of it.
    expect(((list.json().items as { id: string; completion: Completion }[]).find((m) => m.id === mods.other))?.completion).toEqual({
      percent: 0, complete: false, minutesStudied: 0, minutesRequired: 15, sectionsRead: 0, sectionsTotal: 4, reachedEnd: false,
      remaining: { minutes: 15, sections: 4, end: true },
    });
  });

  it('refuses heartbeats for modules a learner cannot open', async () => {
    const draft = await ctx.app.inject({
      method: 'POST', url: '/api/modules', headers: as('trainer'),
      payload: { trackId: 'study-t', minutes: 5, positions: ['account_manager'], locales: { zh: { title: '草稿', summary: '', objectives: [], tags: [], body: '# x\n' } } },
    });
    expectProblem(await ctx.app.inject({ method: 'POST', url: `/api/modules/${draft.json().id}/progress`, headers: as('a1'), payload: { clientId: 'x', seq: 1, seconds: 5 } }), 404);
    expectProblem(await ctx.app.inject({ method: 'POST', url: `/api/modules/${mods.other}/progress`, headers: as('a1'), payload: { clientId: 'x', seq: 1, seconds: 99999 } }), 400);
  });
});

describe('the study clock: one per person, whatever the modules, tabs and clients', () => {
  /** A learner who signs in now, at the test clock's time. */
  async function freshLearner() {
    const u = await makeUser(ctx.orm, { orgUnitId: tree.areaA.id });
    const { token } = await login(ctx.app, u.username);
    return { id: u.id, headers: { ...bearer(token), 'accept-language': 'zh' } };
  }
  const send = (who: { headers: Record<string, string> }, moduleId: string, body: Beat) =>
    ctx.app.inject({ method: 'POST', url: `/api/modules/${moduleId}/progress`, headers: who.headers, payload: body });
  async function credited(userId: string) {
    const [p] = await q<{ s: number }>(`select coalesce(sum(seconds_spent), 0)::int as s from study_progress where user_id = ?`, [userId]);
    const [d] = await q<{ s: number }>(`select coalesce(sum(seconds), 0)::int as s from study_daily where user_id = ?`, [userId]);
    expect(d.s, 'the daily totals agree with the modules').toBe(p.s);
    return p.s;
  }

  it('a script beating as fast as it can earns no more than the time that passed', async () => {
    const me = await freshLearner();
    const c = randomUUID();
    // 169 beats claiming an hour each, with the end reached, over 1.3 s of wall-clock time.
    for (let seq = 1; seq <= 169; seq++) {
      ctx.clock.advance(1300 / 169);
      const res = await send(me, mods.long, { clientId: c, seq, seconds: 3600, reachedEnd: true });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().completedAt).toBeNull();
    }
    expect(await credited(me.id)).toBeLessThanOrEqual(1);
  });

  it('switching the client id earns nothing extra', async () => {
    const me = await freshLearner();
    for (let seq = 1; seq <= 50; seq++) {
      ctx.clock.advance(100);
      expect((await send(me, mods.long, { clientId: randomUUID(), seq: 1, seconds: 3600 })).statusCode).toBe(200);
    }
    expect(await credited(me.id)).toBeLessThanOrEqual(5);
    // Minutes later, each new client still gets only what passed since the previous beat, whoever sent it.
    const before = await credited(me.id);
    for (let i = 0; i < 4; i++) {
      seconds(15);
      expect((await send(me, mods.long, { clientId: randomUUID(), seq: 1, seconds: 600 })).statusCode).toBe(200);
    }
    expect(await credited(me.id) - before).toBeLessThanOrEqual(4 * 15 + 5);
  });

  it('three modules open at once share the time: together they earn the wall-clock time, not three times it', async () => {
    const me = await freshLearner();
    const tabs = [mods.long, mods.other, mods.short].map((m) => ({ m, c: randomUUID(), seq: 0 }));
    for (let round = 0; round < 8; round++) {
      seconds(15);
      for (const t of tabs) expect((await send(me, t.m, { clientId: t.c, seq: ++t.seq, seconds: 15 })).statusCode).toBe(200);
    }
    const total = await credited(me.id);
    expect(total).toBeLessThanOrEqual(8 * 15);
    expect(total).toBeGreaterThanOrEqual(8 * 15 - 5);
  });

  it('concurrent beats of one person are credited one after another against the same clock', async () => {
    const me = await freshLearner();
    seconds(60);
    // Ten tabs over three modules fire at the same instant, each claiming the whole minute.
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      send(me, [mods.long, mods.other, mods.short][i % 3], { clientId: randomUUID(), seq: 1, seconds: 60 })));
    expect(all.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(await credited(me.id)).toBe(60);
    seconds(30);
    const again = await Promise.all(Array.from({ length: 6 }, () => send(me, mods.long, { clientId: randomUUID(), seq: 1, seconds: 30 })));
    expect(again.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
    expect(await credited(me.id)).toBe(90);
  });

  it('normal studying is credited in full, and completes the module', async () => {
    const me = await freshLearner();
    const c = randomUUID();
    // The long module: 30 minutes, 900 s needed. A reader beats every 15 s with the 15 s the page was visible.
    let last: { secondsSpent: number; completedAt: string | null } | undefined;
    for (let seq = 1; seq <= 60; seq++) {
      seconds(15);
      const res = await send(me, mods.long, { clientId: c, seq, seconds: 15, reachedEnd: seq === 60 });
      expect(res.statusCode, res.body).toBe(200);
      last = res.json();
    }
    expect(last?.secondsSpent).toBe(900);
    expect(last?.completedAt).not.toBeNull();
    // A beat that turns up a second late, then one a second early: the clock keeps the second for the early one.
    seconds(16);
    expect((await send(me, mods.short, { clientId: c, seq: 1, seconds: 15 })).json().secondsSpent).toBe(15);
    seconds(14);
    expect((await send(me, mods.short, { clientId: c, seq: 2, seconds: 15 })).json().secondsSpent).toBe(30);
    expect(await credited(me.id)).toBe(930);
  });
});

describe('study sessions', () => {
  const log = (who: Who, body: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: as(who, 'en'), payload: body });
  const attend = (who: Who, body: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: '/api/study-sessions/attendance', headers: as(who, 'en'), payload: body });
  const review = (who: Who, id: string, body: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: `/api/study-sessions/${id}/review`, headers: as(who, 'en'), payload: body });
  const list = async (who: Who, query = '') => {
    const res = await ctx.app.inject({ url: `/api/study-sessions${query}`, headers: as(who) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: SessionItem[]; total: number };
  };
  const sessionCount = async () => (await q(`select count(*)::int as n from study_session`))[0].n as number;
  const sessions: Record<string, string> = {};

  it('staff log their own sessions, which wait for confirmation', async () => {
    const res = await log('a1', { kind: 'self_study', day: chinaDay(-1), minutes: 40, moduleId: mods.other, note: '  读了第二节  ' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      userId: ids.a1, userName: names.a1, kind: 'self_study', day: chinaDay(-1), minutes: 40, moduleId: mods.other, moduleSlug: 'study-other',
      note: '读了第二节', status: 'logged', recordedBy: names.a1, reviewedBy: null,
    });
    sessions.a1 = res.json().id;
    const today = await log('a1', { kind: 'other', day: chinaDay(0), minutes: 10 });
    expect(today.statusCode, today.body).toBe(201);
    sessions.a1today = today.json().id;
    sessions.b1 = (await log('b1', { kind: 'self_study', day: chinaDay(-2), minutes: 25 })).json().id;
    sessions.manager = (await log('manager', { kind: 'self_study', day: chinaDay(-2), minutes: 15 })).json().id;
  });

  it('refuses a day in the future (China time) and days that do not exist', async () => {
    const before = await sessionCount();
    // 10:00 in China: tomorrow has not started, even though it is less than 24 hours away.
    expect(ctx.clock.now().toISOString()).toMatch(/T0\d:/);
    for (const day of [chinaDay(1), chinaDay(2), '2030-01-01']) {
      const p = expectProblem(await log('a1', { kind: 'self_study', day, minutes: 30 }), 400, 'validation_failed');
      expect(p.errors, day).toEqual([{ path: 'day', code: 'study.future_day', message: expect.any(String) }]);
    }
    const bad = expectProblem(await log('a1', { kind: 'self_study', day: '2026-02-30', minutes: 30 }), 400);
    expect(bad.errors[0].path).toBe('day');
    expectProblem(await log('a1', { kind: 'self_study', day: chinaDay(-1), minutes: 30, moduleId: randomUUID() }), 404);
    expectProblem(await attend('trainer', { kind: 'mass_training', day: chinaDay(1), minutes: 30, userIds: [ids.a1] }), 400);
    expect(await sessionCount()).toBe(before);

    // Late in the UTC day it is already the next day in China: that day is today, and allowed.
    const saved = ctx.clock.now();
    ctx.clock.set(`${chinaDay(0)}T20:00:00Z`);
    try {
      const res = await log('a2', { kind: 'self_study', day: chinaDay(0), minutes: 5 });
      expect(res.statusCode, res.body).toBe(201);
      await q(`delete from study_session where id = ?`, [res.json().id]);
    } finally {
      ctx.clock.set(saved);
    }
  });

  it('a trainer records attendance for several people at once, confirmed', async () => {
    const res = await attend('trainer', { kind: 'morning_meeting', day: chinaDay(0), minutes: 30, note: '晨会学习', userIds: [ids.a1, ids.b1, ids.a3, ids.a1] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ created: 3 });
    const rows = await q<Row & { user_id: string; reviewed_at: Date }>(`select user_id, status, recorded_by, reviewed_by, reviewed_at, kind, minutes from study_session where kind = 'morning_meeting' order by user_id`);
    expect(rows.map((r) => r.user_id).sort()).toEqual([ids.a1, ids.b1, ids.a3].sort());
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'confirmed', recorded_by: ids.trainer, reviewed_by: ids.trainer, minutes: 30 });
      expect(new Date(r.reviewed_at).toISOString()).toBe(ctx.clock.now().toISOString());
    }
    const mine = (await list('b1')).items.find((s) => s.kind === 'morning_meeting');
    expect(mine).toMatchObject({ status: 'confirmed', recordedBy: '培训师', reviewedBy: '培训师', note: '晨会学习' });
  });

  it('a manager records attendance inside their subtree only', async () => {
    const before = await sessionCount();
    const p = expectProblem(await attend('manager', { kind: 'evening_meeting', day: chinaDay(0), minutes: 20, userIds: [ids.a1, ids.b1, ids.a2, randomUUID()] }), 400, 'validation_failed');
    expect(p.errors.map((e: FieldError) => [e.path, e.code])).toEqual([['userIds.1', 'study.unknown_person'], ['userIds.3', 'study.unknown_person']]);
    // The path names the person as sent, duplicates and all.
    const dup = expectProblem(await attend('manager', { kind: 'evening_meeting', day: chinaDay(0), minutes: 20, userIds: [ids.a1, ids.a1, ids.b1] }), 400);
    expect(dup.errors.map((e: FieldError) => e.path)).toEqual(['userIds.2']);
    const disabled = expectProblem(await attend('manager', { kind: 'evening_meeting', day: chinaDay(0), minutes: 20, userIds: [ids.off] }), 400);
    expect(disabled.errors[0].path).toBe('userIds.0');
    expect(await sessionCount()).toBe(before);

    const ok = await attend('manager', { kind: 'evening_meeting', day: chinaDay(0), minutes: 20, userIds: [ids.a1, ids.a3] });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().created).toBe(2);
  });

  it('staff can neither record attendance nor review', async () => {
    const before = await sessionCount();
    expectProblem(await attend('a1', { kind: 'other', day: chinaDay(0), minutes: 20, userIds: [ids.a2] }), 403, 'forbidden');
    expectProblem(await review('a2', sessions.a1, { status: 'confirmed' }), 403, 'forbidden');
    expect(await sessionCount()).toBe(before);
    expect((await list('a1')).items.find((s) => s.id === sessions.a1)?.status).toBe('logged');
  });

  it('a manager reviews sessions in their subtree, not outside it (404), and never their own', async () => {
    expectProblem(await review('manager', sessions.b1, { status: 'confirmed' }), 404, 'not_found');
    expectProblem(await review('manager', randomUUID(), { status: 'confirmed' }), 404, 'not_found');
    const own = expectProblem(await review('manager', sessions.manager, { status: 'confirmed' }), 400);
    expect(own.errors[0]).toMatchObject({ path: 'status', code: 'study.own_session' });
    expect((await list('b1')).items.find((s) => s.id === sessions.b1)?.status).toBe('logged');

    const res = await review('manager', sessions.a1, { status: 'confirmed', note: ' 属实 ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: sessions.a1, status: 'confirmed', reviewedBy: '甲县主任', reviewNote: '属实' });
    const rejected = await review('trainer', sessions.a1today, { status: 'rejected', note: '没有记录' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', reviewedBy: '培训师' });
    // A trainer may review anybody, including outside any manager's subtree.
    expect((await review('trainer', sessions.manager, { status: 'confirmed' })).statusCode).toBe(200);
  });

  it('staff see only their own sessions; managers their subtree; trainers everybody', async () => {
    const own = await list('a1');
    expect(own.total).toBeGreaterThan(0);
    expect(own.items.every((s) => s.userId === ids.a1)).toBe(true);
    expect(own.total).toBe(own.items.length);
    const sneaky = await list('a1', `?userId=${ids.b1}`);
    expect(sneaky.items.every((s) => s.userId === ids.a1)).toBe(true);
    expect(sneaky.total).toBe(own.total);

    const managed = await list('manager');
    const subtree = new Set([ids.manager, ids.a1, ids.a2, ids.a3, ids.r1, ids.r2, ids.r3, ids.r4, ids.r5, ids.r6, ids.m1, ids.m2, ids.off]);
    expect(managed.items.every((s) => subtree.has(s.userId))).toBe(true);
    expect(managed.items.some((s) => s.userId === ids.b1)).toBe(false);
    expect((await list('manager', `?userId=${ids.b1}`)).total).toBe(0);

    const all = await list('trainer');
    expect(all.total).toBe(await sessionCount());
    expect((await list('trainer', '?status=rejected')).items.map((s) => s.id)).toEqual([sessions.a1today]);
    expect((await list('trainer', `?userId=${ids.a3}&from=${chinaDay(0)}&to=${chinaDay(0)}`)).items.map((s) => s.kind).sort()).toEqual(['evening_meeting', 'morning_meeting']);
  });
});

describe('monthly study totals', () => {
  /** Reads `secs` seconds of a module in heartbeats of 60 s, at the clock's time. */
  async function read(who: Who, moduleId: string, secs: number, opts: { reachedEnd?: boolean } = {}) {
    const c = randomUUID();
    await beat(who, moduleId, { clientId: c, seq: 1, seconds: 0 });
    let seq = 2;
    for (let left = secs; left > 0; left -= 60) {
      seconds(Math.min(60, left));
      await beat(who, moduleId, { clientId: c, seq: seq++, seconds: Math.min(60, left), reachedEnd: opts.reachedEnd && left <= 60 });
    }
  }

  it('adds up reading minutes, completed modules and confirmed and pending session minutes by kind, for one month', async () => {
    // September: a confirmed session and a logged one, not part of October.
    const inSeptember = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions/attendance', headers: as('trainer'), payload: { kind: 'mass_training', day: '2026-09-28', minutes: 90, userIds: [ids.m1] } });
    expect(inSeptember.statusCode, inSeptember.body).toBe(201);
    await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: as('m1'), payload: { kind: 'self_study', day: '2026-09-30', minutes: 33 } });

    // October: confirmed meetings and training, a logged self-study, a rejected one.
    for (const [kind, minutes] of [['morning_meeting', 30], ['morning_meeting', 15], ['mass_training', 120]] as const) {
      // Two morning meetings on one day, on purpose: the second is confirmed past the duplicate warning.
      const r = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions/attendance', headers: as('trainer'), payload: { kind, day: '2026-10-09', minutes, userIds: [ids.m1], confirmDuplicate: true } });
      expect(r.statusCode, r.body).toBe(201);
    }
    const logged = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: as('m1'), payload: { kind: 'self_study', day: '2026-10-10', minutes: 45 } });
    const toReject = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: as('m1'), payload: { kind: 'other', day: '2026-10-11', minutes: 500 } });
    expect((await ctx.app.inject({ method: 'POST', url: `/api/study-sessions/${toReject.json().id}/review`, headers: as('trainer'), payload: { status: 'rejected' } })).statusCode).toBe(200);
    expect(logged.statusCode).toBe(201);

    // Reading: 5 minutes of one module, and the short module read to the end late on 31 October, China time.
    ctx.clock.set('2026-10-20T03:00:00Z');
    await read('m1', mods.other, 300);
    ctx.clock.set('2026-10-31T15:45:00Z'); // 23:45 in China, still October
    await read('m1', mods.short, 240, { reachedEnd: true });
    const [p] = await q(`select completed_at from study_progress where user_id = ? and module_id = ?`, [ids.m1, mods.short]);
    expect(p.completed_at).toBeNull(); // the module was revised above to take 120 minutes
    ctx.clock.set('2026-10-31T15:55:00Z');
    // m1 completes the long module right before midnight China time.
    await q(`update module_revision set minutes = 4 where id = (select published_revision_id from course_module where id = ?)`, [mods.long]);
    await read('m1', mods.long, 120, { reachedEnd: true });
    expect((await reader('m1', mods.long)).progress.completedAt).toBe('2026-10-31T15:57:00.000Z');

    // November (from 16:00 UTC on 31 October): reading, a completion and sessions that belong to the next month.
    ctx.clock.set('2026-10-31T16:30:00Z');
    await read('m1', mods.short, 180);
    await q(`update module_revision set minutes = 4 where id = (select published_revision_id from course_module where id = ?)`, [mods.short]);
    seconds(30);
    await beat('m1', mods.short, { clientId: randomUUID(), seq: 1, seconds: 30, reachedEnd: true });
    expect((await reader('m1', mods.short)).progress.completedAt).not.toBeNull();
    await ctx.app.inject({ method: 'POST', url: '/api/study-sessions/attendance', headers: as('trainer'), payload: { kind: 'morning_meeting', day: '2026-11-01', minutes: 60, userIds: [ids.m1] } });

    const totals = await monthlyStudyTotals(ctx.orm.em.fork(), '2026-10', [ids.m1, ids.b1, ids.a2]);
    expect(totals.get(ids.m1)).toEqual({
      userId: ids.m1, month: '2026-10',
      readingMinutes: 5 + 4 + 2, // 300 s + 240 s + 120 s
      completedModules: 1,
      confirmedMinutes: 30 + 15 + 120,
      pendingMinutes: 45,
      byKind: { self_study: 0, morning_meeting: 45, evening_meeting: 0, mass_training: 120, other: 0 },
    });
    const november = await monthlyStudyTotals(ctx.orm.em.fork(), '2026-11', [ids.m1]);
    expect(november.get(ids.m1)).toMatchObject({ readingMinutes: 4, completedModules: 1, confirmedMinutes: 60, pendingMinutes: 0, byKind: { morning_meeting: 60 } });
    const september = await monthlyStudyTotals(ctx.orm.em.fork(), '2026-09', [ids.m1]);
    expect(september.get(ids.m1)).toMatchObject({ readingMinutes: 0, completedModules: 0, confirmedMinutes: 90, pendingMinutes: 33, byKind: { mass_training: 90 } });
    // Somebody with nothing that month has zeros, not a missing entry.
    expect(totals.get(ids.a2)).toMatchObject({ readingMinutes: 0, completedModules: 0, confirmedMinutes: 0, pendingMinutes: 0 });
    // b1 was at the morning meeting on 15 October and logged 25 minutes that nobody confirmed.
    expect(totals.get(ids.b1)).toMatchObject({ confirmedMinutes: 30, pendingMinutes: 25, byKind: { morning_meeting: 30, self_study: 0 } });
    await expect(monthlyStudyTotals(ctx.orm.em.fork(), '2026-13', [ids.m1])).rejects.toBeInstanceOf(AppError);
  });

  it('are offered to managers for their own staff only', async () => {
    const res = await ctx.app.inject({ url: '/api/study/monthly?month=2026-10', headers: as('manager') });
    expect(res.statusCode, res.body).toBe(200);
    const people = res.json().items.map((i: { userId: string }) => i.userId);
    expect(people).toContain(ids.m1);
    expect(people).not.toContain(ids.b1);
    expect(res.json().items.find((i: { userId: string }) => i.userId === ids.m1)).toMatchObject({ displayName: names.m1, confirmedMinutes: 165 });
    expectProblem(await ctx.app.inject({ url: '/api/study/monthly?month=2026-10', headers: as('a1') }), 403);
  });

  it('page through everybody, with the total, instead of stopping at a silent cap', async () => {
    const first = await ctx.app.inject({ url: '/api/study/monthly?month=2026-10&limit=200', headers: as('trainer') });
    expect(first.statusCode, first.body).toBe(200);
    const everyone = (first.json().items as { userId: string }[]).map((i) => i.userId);
    const total = first.json().total as number;
    expect(total).toBe(everyone.length);
    expect(total).toBeGreaterThan(7);
    // Pages of 3 cover everyone once, in the same order.
    const paged: string[] = [];
    for (let offset = 0; offset < total; offset += 3) {
      const res = await ctx.app.inject({ url: `/api/study/monthly?month=2026-10&limit=3&offset=${offset}`, headers: as('trainer') });
      expect(res.json().total).toBe(total);
      expect(res.json().items.length).toBe(Math.min(3, total - offset));
      paged.push(...(res.json().items as { userId: string }[]).map((i) => i.userId));
    }
    expect(paged).toEqual(everyone);
    // Without a limit a page holds 50; limits outside 1 to 200 and negative offsets are refused, naming the field.
    const plain = await ctx.app.inject({ url: '/api/study/monthly?month=2026-10', headers: as('trainer') });
    expect(plain.json().items.length).toBe(Math.min(50, total));
    for (const [qs, field] of [['limit=0', 'limit'], ['limit=201', 'limit'], ['offset=-1', 'offset']] as const) {
      const bad = expectProblem(await ctx.app.inject({ url: `/api/study/monthly?month=2026-10&${qs}`, headers: as('trainer') }), 400);
      expect(bad.errors.map((e: FieldError) => e.path)).toContain(`querystring.${field}`);
    }
  });
});
