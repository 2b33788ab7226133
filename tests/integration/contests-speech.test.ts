import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/src/lib/clock.js';
import { query, sql } from '../../api/src/lib/sql.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';

let ctx: TestContext;
const clock = new ManualClock('2026-12-04T08:00:00Z');
type Person = { id: string; role: string; orgUnitId: string };
const tok = new Map<string, string>();
const as = (u: Person) => bearer(tok.get(u.id)!);

let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let host: Person, other: Person, managerA: Person, managerB: Person, outsider: Person;
let judges: Person[] = [];
let staff: Person[] = [];
let contestId = '';
let speakerIds: string[] = [];
let critA = '', critB = '';

async function person(role: 'trainer' | 'manager' | 'staff' | 'admin', orgUnitId: string, displayName?: string) {
  const u = await makeUser(ctx.orm, { role, orgUnitId, displayName });
  tok.set(u.id, ctx.app.signAccessToken({ id: u.id, role: u.role as never, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false }));
  return u as Person;
}

const put = (judge: Person, speaker: number, a: number, b: number, comment = '') => ctx.app.inject({
  method: 'PUT', url: `/api/speech-contests/${contestId}/speakers/${speakerIds[speaker]}/score`, headers: as(judge),
  payload: { marks: [{ criterionId: critA, score: a }, { criterionId: critB, score: b }], comment },
});
const get = (u: Person, lang = 'zh') => ctx.app.inject({ method: 'GET', url: `/api/speech-contests/${contestId}`, headers: { ...as(u), 'accept-language': lang } });
const close = (u: Person, speaker: number) => ctx.app.inject({ method: 'POST', url: `/api/speech-contests/${contestId}/speakers/${speakerIds[speaker]}/close`, headers: as(u) });

const body = (speakers: string[], panel: string[]) => ({
  titleZh: '十二月演讲比赛', titleEn: 'December speech contest', period: '2026-12', scheduledAt: '2026-12-10T02:00:00Z',
  speakers: speakers.map((userId, i) => ({ userId, topicZh: `题目${i + 1}`, topicEn: `Topic ${i + 1}` })),
  judges: panel,
  criteria: [{ nameZh: '内容', nameEn: 'Content', weight: 2, maxScore: 10 }, { nameZh: '表达', nameEn: 'Delivery', weight: 1, maxScore: 20 }],
});

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  tree = await makeOrgTree(ctx.orm);
  host = await person('trainer', tree.company.id, '主持人');
  other = await person('trainer', tree.company.id, '旁观培训师');
  managerA = await person('manager', tree.countyA.id, '甲县经理');
  managerB = await person('manager', tree.countyB.id, '乙县经理');
  judges = [await person('trainer', tree.company.id, '评委一'), await person('trainer', tree.company.id, '评委二'),
    await person('trainer', tree.company.id, '评委三'), managerA, await person('trainer', tree.company.id, '评委五')];
  staff = [await person('staff', tree.areaA.id, '讲者甲'), await person('staff', tree.areaA.id, '讲者乙'), await person('staff', tree.areaB.id, '讲者丙')];
  outsider = await person('staff', tree.areaB.id, '旁人');
}, 120_000);
afterAll(async () => ctx?.close());

describe('speech contests', () => {
  it('staff cannot create one; bad input names the field; managers only reach their subtree', async () => {
    const ok = body([staff[0]!.id], [judges[0]!.id]);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/speech-contests', headers: as(staff[0]!), payload: ok })).statusCode).toBe(403);

    const bad = await ctx.app.inject({ method: 'POST', url: '/api/speech-contests', headers: { ...as(host), 'accept-language': 'en' },
      payload: body([staff[0]!.id, staff[0]!.id], [staff[1]!.id, randomUUID()]) });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const reasons = bad.json().errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`);
    expect(reasons).toEqual(expect.arrayContaining(['speakers.1.userId:speech.speaker_twice', 'judges.0:speech.judge_role', 'judges.1:speech.unknown_person']));

    const zeroWeight = await ctx.app.inject({ method: 'POST', url: '/api/speech-contests', headers: as(host),
      payload: { ...ok, criteria: [{ nameZh: '内容', weight: 0, maxScore: 10 }] } });
    expect(zeroWeight.statusCode).toBe(400);

    // A county-A manager cannot put a county-B person on stage.
    const outOfTree = await ctx.app.inject({ method: 'POST', url: '/api/speech-contests', headers: as(managerA),
      payload: body([staff[2]!.id], [managerA.id]) });
    expect(outOfTree.statusCode).toBe(400);
    expect(outOfTree.json().errors[0]).toMatchObject({ path: 'speakers.0.userId', code: 'speech.unknown_person' });
    const inTree = await ctx.app.inject({ method: 'POST', url: '/api/speech-contests', headers: as(managerA), payload: body([staff[0]!.id], [managerA.id]) });
    expect(inTree.statusCode).toBe(201);
    // ... and the county-B manager cannot see it.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/speech-contests/${inTree.json().id}`, headers: as(managerB) })).statusCode).toBe(404);
  });

  it('a host sets one up with five judges, one of them also speaking', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/speech-contests', headers: as(host),
      payload: body([staff[0]!.id, staff[1]!.id, staff[2]!.id, judges[1]!.id], judges.map((j) => j.id)) });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    contestId = c.id;
    speakerIds = c.speakers.map((s: { id: string }) => s.id);
    [critA, critB] = c.criteria.map((x: { id: string }) => x.id);
    expect(c).toMatchObject({ status: 'scheduled', trimMinJudges: 5, host: true, judge: false, period: '2026-12' });
    expect(c.speakers.map((s: { topic: string }) => s.topic)).toEqual(['题目1', '题目2', '题目3', '题目4']);
    // Someone neither hosting, judging nor speaking, and a manager of another county, get 404.
    expect((await get(outsider)).statusCode).toBe(404);
    expect((await get(managerB)).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/speech-contests/${randomUUID()}`, headers: as(host) })).statusCode).toBe(404);
    // The county-A manager is on the panel, so sees it.
    expect((await get(managerA)).json()).toMatchObject({ judge: true, host: false });
  });

  it('only judges score, never themselves, within each criterion\'s maximum', async () => {
    const notJudge = await put(other, 0, 5, 5);
    expect(notJudge.statusCode).toBe(409);
    expect(notJudge.json().errors[0].code).toBe('speech.not_judge');
    expect((await put(staff[1]!, 0, 5, 5)).statusCode).toBe(409);
    expect((await put(outsider, 0, 5, 5)).statusCode).toBe(404);
    const self = await put(judges[1]!, 3, 5, 5);
    expect(self.statusCode).toBe(409);
    expect(self.json().errors[0].code).toBe('speech.self_scoring');
    const above = await put(judges[0]!, 0, 11, 5);
    expect(above.statusCode).toBe(400);
    expect(above.json().errors[0]).toMatchObject({ path: 'marks.0.score', code: 'speech.above_max' });
    const missing = await ctx.app.inject({ method: 'PUT', url: `/api/speech-contests/${contestId}/speakers/${speakerIds[0]}/score`, headers: as(judges[0]!),
      payload: { marks: [{ criterionId: critA, score: 3 }] } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].code).toBe('speech.criterion_missing');
    const wrongSpeaker = await ctx.app.inject({ method: 'PUT', url: `/api/speech-contests/${contestId}/speakers/${randomUUID()}/score`, headers: as(judges[0]!),
      payload: { marks: [{ criterionId: critA, score: 3 }, { criterionId: critB, score: 3 }] } });
    expect(wrongSpeaker.statusCode).toBe(404);
  });

  it('a judge sees only their own marks until the speaker\'s scoring closes', async () => {
    // Speaker 1, five judges: totals 100, 70, 60, 41.667, 90 (Σ(w × mark / max) / Σw × 100, weights 2 and 1, maxima 10 and 20).
    expect((await put(judges[0]!, 0, 3, 3, 'first try')).statusCode).toBe(200);
    const upsert = await put(judges[0]!, 0, 10, 20, '很好');
    expect(upsert.statusCode).toBe(200);
    expect(upsert.json().speakers[0].mine).toMatchObject({ total: 100, comment: '很好' });
    for (const [j, a, b] of [[1, 8, 10], [2, 6, 12], [3, 5, 5], [4, 9, 18]] as const) expect((await put(judges[j]!, 0, a, b)).statusCode).toBe(200);

    const before = (await get(judges[2]!)).json().speakers[0];
    expect(before).toMatchObject({ closed: false, judgesScored: 5, marks: [], finalScore: null, canScore: true });
    expect(before.mine.total).toBe(60);
    expect((await get(host)).json().speakers[0].marks).toEqual([]);

    // A manager on the panel does not host a contest made above their unit.
    expect((await close(managerA, 0)).statusCode).toBe(404);
    expect((await close(staff[0]!, 0)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'POST', url: `/api/speech-contests/${contestId}/publish`, headers: as(host) })).statusCode).toBe(409);

    const closed = await close(host, 0);
    expect(closed.statusCode).toBe(200);
    expect(closed.json().status).toBe('running');
    expect((await close(host, 0)).statusCode).toBe(409);
    const after = (await get(judges[2]!)).json().speakers[0];
    expect(after.closed).toBe(true);
    expect(after.marks.map((m: { total: number }) => m.total).sort((a: number, b: number) => a - b)).toEqual([41.667, 60, 70, 90, 100]);
    // Five judges scored (≥ trimMinJudges 5): drop 100 and 41.667 → (70 + 60 + 90) / 3 = 73.333.
    expect(after).toMatchObject({ finalScore: 73.333, trimmed: true, canScore: false });

    const late = await put(judges[0]!, 0, 1, 1);
    expect(late.statusCode).toBe(409);
    expect(late.json().errors[0].code).toBe('speech.scoring_closed');
  });

  it('fewer judges than the trim minimum: a plain mean; publishing ranks ties 1, 2, 2, 4', async () => {
    // Speakers 2 and 3, four judges each: 70, 70, 100, 33.333 → (70 + 70 + 100 + 33.333) / 4 = 68.333, no trim.
    for (const sp of [1, 2]) {
      for (const [j, a, b] of [[0, 8, 10], [2, 8, 10], [3, 10, 20], [4, 4, 4]] as const) expect((await put(judges[j]!, sp, a, b)).statusCode).toBe(200);
    }
    // Speaker 4 (judge two): the other four give 50 each.
    for (const j of [0, 2, 3, 4]) expect((await put(judges[j]!, 3, 5, 10, j === 0 ? 'Clear structure' : '')).statusCode).toBe(200);
    for (const sp of [1, 2, 3]) expect((await close(host, sp)).statusCode).toBe(200);
    const view = (await get(host)).json();
    expect(view.speakers.map((s: { finalScore: number }) => s.finalScore)).toEqual([73.333, 68.333, 68.333, 50]);
    expect(view.speakers[1].trimmed).toBe(false);

    const early = await ctx.app.inject({ method: 'GET', url: `/api/speech-contests/${contestId}/my-result`, headers: as(staff[0]!) });
    expect(early.statusCode).toBe(409);

    const pub = await ctx.app.inject({ method: 'POST', url: `/api/speech-contests/${contestId}/publish`, headers: as(host) });
    expect(pub.statusCode).toBe(200);
    expect(pub.json().status).toBe('published');
    expect(pub.json().speakers.map((s: { rank: number }) => s.rank)).toEqual([1, 2, 2, 4]);
    expect((await ctx.app.inject({ method: 'POST', url: `/api/speech-contests/${contestId}/publish`, headers: as(host) })).statusCode).toBe(409);
    expect((await put(judges[0]!, 1, 1, 1)).statusCode).toBe(409);

    const rows = await query<{ user_id: string; period: string; kind: string; points: string; rank: number; players: number; percentile: string }>(
      ctx.orm.em.fork(), sql`select user_id, period, kind, points::text, rank, players, percentile::text from contest_result where contest_id = ${contestId}`);
    const byUser = new Map(rows.map((r) => [r.user_id, r]));
    expect(rows).toHaveLength(4);
    expect(byUser.get(staff[0]!.id)).toMatchObject({ period: '2026-12', kind: 'speech', rank: 1, players: 4 });
    expect(Number(byUser.get(staff[0]!.id)!.points)).toBe(73.333);
    expect(Number(byUser.get(staff[0]!.id)!.percentile)).toBe(100);
    expect([byUser.get(staff[1]!.id)!.rank, byUser.get(staff[2]!.id)!.rank, byUser.get(judges[1]!.id)!.rank]).toEqual([2, 2, 4]);
    expect(Number(byUser.get(staff[1]!.id)!.percentile)).toBe(66.67);
    expect(Number(byUser.get(judges[1]!.id)!.percentile)).toBe(0);
  });

  it('each speaker sees their own per-criterion feedback after publishing, in their language', async () => {
    const mine = await ctx.app.inject({ method: 'GET', url: `/api/speech-contests/${contestId}/my-result`, headers: { ...as(judges[1]!), 'accept-language': 'en' } });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ title: 'December speech contest', topic: 'Topic 4', finalScore: 50, rank: 4, players: 4, judgesScored: 4,
      trimmed: false, comments: ['Clear structure'] });
    expect(mine.json().criteria).toEqual([
      expect.objectContaining({ name: 'Content', meanScore: 5, maxScore: 10 }), expect.objectContaining({ name: 'Delivery', meanScore: 10, maxScore: 20 })]);
    const first = (await ctx.app.inject({ method: 'GET', url: `/api/speech-contests/${contestId}/my-result`, headers: as(staff[0]!) })).json();
    // Content marks 10, 8, 6, 5, 9 → 7.6; delivery 20, 10, 12, 5, 18 → 13.
    expect(first.criteria.map((c: { meanScore: number }) => c.meanScore)).toEqual([7.6, 13]);
    expect(first.comments).toEqual(['很好']);
    // Someone who did not speak has no result here.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/speech-contests/${contestId}/my-result`, headers: as(host) })).statusCode).toBe(404);
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/speech-contests', headers: as(staff[0]!) })).json();
    expect(list.items).toHaveLength(2);
    expect(list.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: contestId, speaker: true, host: false, judge: false, status: 'published' })]));
  });
});
