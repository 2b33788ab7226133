import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/src/lib/clock.js';
import { query, sql } from '../../api/src/lib/sql.js';
import { buildApp } from '../../api/src/app.js';
import { createOrm, type Orm } from '../../api/src/db/orm.js';
import { normaliseQuestion } from '../../api/src/modules/questions/question-model.js';
import { insertQuestions } from '../../api/src/modules/questions/question-store.js';
import { closeDueTimedContests } from '../../api/src/modules/contests/contest-runs.js';
import { answerPoints, percentileOf, rankStandings, teamMeans } from '../../api/src/modules/contests/contest-scoring.js';
import { createTestContext, testConfig, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';

let ctx: TestContext;
const clock = new ManualClock('2026-12-03T08:00:00Z');
const em = () => ctx.orm.em.fork();
type Who = { id: string; token: string; name: string };
const f = {
  questions: [] as string[], trainer: '' , manager: '', outsider: '', staff: [] as Who[], far: '' as string, tf: '', fill: '',
  units: { countyA: '', countyB: '', areaA: '', areaB: '' },
};

const Q = (key: string, correct: number) => ({
  type: 'single_choice', key, language: 'zh', stem: `题目 ${key}`, points: 1, difficulty: 2,
  options: [{ text: '甲', correct: correct === 0 }, { text: '乙', correct: correct === 1 }, { text: '丙', correct: correct === 2 }],
  explanation: `解析 ${key}`, tags: ['竞赛'],
});

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const tree = await makeOrgTree(ctx.orm);
  f.units = { countyA: tree.countyA.id, countyB: tree.countyB.id, areaA: tree.areaA.id, areaB: tree.areaB.id };
  const sign = (u: { id: string; role: string; orgUnitId: string }) => ctx.app.signAccessToken({
    id: u.id, role: u.role as never, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });
  const trainer = await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id });
  f.trainer = sign(trainer);
  f.manager = sign(await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyA.id }));
  f.outsider = sign(await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyB.id }));
  for (const [i, unit] of [tree.areaA, tree.areaA, tree.areaB, tree.areaB].entries()) {
    const name = ['甲一', '甲二', '乙一', '乙二'][i]!;
    const u = await makeUser(ctx.orm, { orgUnitId: unit.id, displayName: name });
    f.staff.push({ id: u.id, token: sign(u), name });
  }
  f.far = sign(await makeUser(ctx.orm, { orgUnitId: tree.areaB.id, displayName: '远方' }));
  const ids = await em().transactional((tx) => insertQuestions(tx, [Q('c1', 0), Q('c2', 1), Q('c3', 2),
    { type: 'true_false', key: 'c-tf', language: 'zh', stem: '对吗？', answer: true, points: 1, difficulty: 2 },
    { type: 'fill_blank', key: 'c-fill', language: 'zh', stem: '上限是{{1}}。', blanks: [{ answers: ['总量'] }], points: 1, difficulty: 2 },
    { type: 'essay', key: 'c-essay', language: 'zh', stem: '论述', rubric: '要点', points: 1, difficulty: 2 }]
    .map((q) => ({ question: normaliseQuestion(q), status: 'active' as const, source: 'browser' as const, createdBy: trainer.id }))));
  f.questions = ids.slice(0, 3) as string[];
  f.tf = ids[3]!;
  f.fill = ids[4]!;
  (f as unknown as { essay: string }).essay = ids[5]!;
}, 60000);

afterAll(async () => { await ctx?.close(); });

const call = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });

async function newContest(body: Record<string, unknown> = {}, token = f.trainer) {
  const res = await call(token, 'POST', '/api/contests', {
    kind: 'live', titleZh: '政策知识竞赛', period: '2026-12', questionIds: f.questions, answerSeconds: 10, ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; joinCode: string; questionCount: number };
}

const join = (who: Who, code: string) => call(who.token, 'POST', '/api/contests/join', { code });
const answer = (who: Who, id: string, position: number, choice: number) =>
  call(who.token, 'POST', `/api/contests/${id}/answers`, { position, response: { choice } });
const advance = (id: string, action: string, token = f.trainer) => call(token, 'POST', `/api/contests/${id}/advance`, { action });
const state = async (who: { token: string }, id: string) => (await call(who.token, 'GET', `/api/contests/${id}/state`)).json();

describe('scoring rules', () => {
  const rule = { basePoints: 1000, speedBonus: 500, streakBonus: 100, streakCap: 3 };
  it('correctness first; the speed bonus falls with time; the streak bonus grows to its cap; off means off', () => {
    expect(answerPoints(rule, 1, 0, 10000, 0)).toEqual({ points: 1500, streak: 1, correct: true });
    expect(answerPoints(rule, 1, 5000, 10000, 0).points).toBe(1250);
    expect(answerPoints(rule, 1, 10000, 10000, 0).points).toBe(1000);
    expect(answerPoints(rule, 1, 10000, 10000, 1).points).toBe(1100);
    expect(answerPoints(rule, 1, 10000, 10000, 9).points).toBe(1300);
    expect(answerPoints(rule, 0, 0, 10000, 4)).toEqual({ points: 0, streak: 0, correct: false });
    // A partly right answer earns its share and no bonus.
    expect(answerPoints(rule, 0.5, 0, 10000, 2)).toEqual({ points: 500, streak: 0, correct: false });
    expect(answerPoints({ ...rule, speedBonus: 0, streakBonus: 0 }, 1, 0, 10000, 5).points).toBe(1000);
  });
  it('ties rank 1, 2, 2, 4; the time tie-break splits equal points; percentiles and team means', () => {
    const rows = [{ id: 'a', points: 10, totalMs: 5 }, { id: 'b', points: 8, totalMs: 9 }, { id: 'c', points: 8, totalMs: 3 }, { id: 'd', points: 2, totalMs: 1 }];
    expect(rankStandings(rows, 'shared').map((r) => [r.row.id, r.rank])).toEqual([['a', 1], ['b', 2], ['c', 2], ['d', 4]]);
    expect(rankStandings(rows, 'time').map((r) => [r.row.id, r.rank])).toEqual([['a', 1], ['c', 2], ['b', 3], ['d', 4]]);
    expect(rankStandings([...rows, { id: 'e', points: 8, totalMs: 3 }], 'time').map((r) => r.rank)).toEqual([1, 2, 2, 4, 5]);
    expect(percentileOf(1, 5)).toBe(100);
    expect(percentileOf(5, 5)).toBe(0);
    expect(percentileOf(2, 5)).toBe(75);
    expect(percentileOf(1, 1)).toBe(100);
    // A team of one strong player is not beaten by a big team's sum; a member who never played does not count.
    expect(teamMeans([{ teamId: 'x', points: 900, played: true }, { teamId: 'y', points: 400, played: true }, { teamId: 'y', points: 500, played: true },
      { teamId: 'y', points: 0, played: false }, { teamId: null, points: 999, played: true }]))
      .toEqual([{ teamId: 'x', members: 1, points: 900 }, { teamId: 'y', members: 2, points: 450 }]);
  });
});

describe('defining', () => {
  it('refuses a question type a contest cannot ask, an unknown question and an empty contest, naming the field', async () => {
    const essay = (f as unknown as { essay: string }).essay;
    const res = await call(f.trainer, 'POST', '/api/contests', { kind: 'live', titleZh: '赛', period: '2026-12', questionIds: [f.questions[0], essay, randomUUID()] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
      ['questionIds.1', 'contest.question_type'], ['questionIds.2', 'contest.unknown_question']]);
    const empty = await call(f.trainer, 'POST', '/api/contests', { kind: 'live', titleZh: '赛', period: '2026-12' });
    expect(empty.statusCode).toBe(400);
    const coerced = await call(f.trainer, 'POST', '/api/contests', { kind: 'live', titleZh: '赛', period: '2026-12', questionIds: f.questions, answerSeconds: '10' });
    expect(coerced.statusCode).toBe(400);
    const short = await call(f.trainer, 'POST', '/api/contests', { kind: 'live', titleZh: '赛', period: '2026-12', questionIds: f.questions, answerSeconds: 3 });
    expect(short.statusCode).toBe(400);
  });
  it('staff cannot host; a manager from another county cannot see or run a contest made for this one', async () => {
    expect((await call(f.staff[0]!.token, 'POST', '/api/contests', { kind: 'live', titleZh: '赛', period: '2026-12', questionIds: f.questions })).statusCode).toBe(403);
    const c = await newContest({}, f.manager);
    expect((await call(f.outsider, 'GET', `/api/contests/${c.id}`)).statusCode).toBe(404);
    expect((await advance(c.id, 'next', f.outsider)).statusCode).toBe(404);
    expect((await call(f.manager, 'GET', `/api/contests/${c.id}`)).statusCode).toBe(200);
    // Made by county A's manager, it is open to county A's people only.
    expect((await join(f.staff[2]!, c.joinCode)).statusCode).toBe(404);
    expect((await join(f.staff[0]!, c.joinCode)).statusCode).toBe(200);
  });
});

describe('a live contest', () => {
  it('runs three questions to the final leaderboard: window, one answer each, keys only after closing, ranks and results', async () => {
    const c = await newContest({ speedBonus: 500, streakBonus: 100, tieBreak: 'shared' });
    const [a, b, cc, d] = f.staff as [Who, Who, Who, Who];
    for (const p of [a, b, cc]) expect((await join(p, c.joinCode)).statusCode).toBe(200);
    // Joining twice is harmless.
    expect((await join(a, c.joinCode)).statusCode).toBe(200);
    const lobby = await (await call(f.trainer, 'GET', `/api/contests/${c.id}/state`)).json();
    expect(lobby.phase).toBe('lobby');
    expect(lobby.joined).toBe(3);
    expect(lobby.playerNames).toEqual(['乙一', '甲一', '甲二'].sort());
    // Answering before the question opens is refused with the reason.
    const early = await answer(a, c.id, 0, 0);
    expect(early.statusCode).toBe(409);

    expect((await call(f.trainer, 'POST', `/api/contests/${c.id}/start`)).statusCode).toBe(200);
    let s = await state(a, c.id);
    expect(s.phase).toBe('question');
    expect(s.question.position).toBe(0);
    expect(JSON.stringify(s)).not.toMatch(/"correct":true|weight|解析/);
    expect(s.reveal).toBeNull();

    clock.advance(1000);
    expect((await answer(a, c.id, 0, 0)).json().recorded).toBe(true);
    // The first answer counts; a repeat (even a different one) changes nothing.
    const again = await answer(a, c.id, 0, 1);
    expect(again.statusCode).toBe(200);
    expect(again.json().recorded).toBe(false);
    clock.advance(4000);
    await answer(b, c.id, 0, 0);
    await answer(cc, c.id, 0, 2);
    // Someone who has not joined cannot answer.
    expect((await answer(d, c.id, 0, 0)).statusCode).toBe(403);
    // Nobody sees the distribution or key while it is open, not even the host.
    const hostOpen = await state({ token: f.trainer }, c.id);
    expect(hostOpen.reveal).toBeNull();
    expect(hostOpen.answeredCount).toBe(3);

    // The window closes by the server's clock: a late answer is refused, and the question settles by itself.
    clock.advance(5001);
    s = await state(a, c.id);
    expect(s.phase).toBe('reveal');
    expect(s.reveal.distribution.map((x: { count: number }) => x.count)).toEqual([2, 0, 1]);
    expect(s.reveal.explanationHtml).toContain('解析');
    expect(s.me).toMatchObject({ correct: true, points: 1450, score: 1450, streak: 1 });
    const late = await answer(d, c.id, 0, 0);
    expect(late.statusCode).toBe(403);
    await join(d, c.joinCode);
    const lateJoined = await answer(d, c.id, 0, 0);
    expect(lateJoined.statusCode).toBe(409);
    expect(lateJoined.json().errors[0].code).toBe('contest.window_closed');

    expect((await advance(c.id, 'next')).json().phase).toBe('board');
    s = await state(b, c.id);
    expect(s.leaderboard.lines.map((l: { name: string; rank: number }) => `${l.name}${l.rank}`).sort()).toEqual(['乙一3', '乙二3', '甲一1', '甲二2'].sort());

    // Question 2: b right at once; a wrong; c does not answer; the host pauses and resumes (the window keeps its length).
    expect((await advance(c.id, 'next')).json().phase).toBe('question');
    await answer(b, c.id, 1, 1);
    clock.advance(2000);
    await answer(a, c.id, 1, 0);
    const paused = (await advance(c.id, 'pause')).json();
    expect(paused.pausedRemainingMs).toBe(8000);
    clock.advance(60000);
    expect((await answer(d, c.id, 1, 1)).json().errors[0].code).toBe('contest.paused');
    expect((await advance(c.id, 'resume')).json().closesAt).toBe(new Date(clock.now().getTime() + 8000).toISOString());
    clock.advance(1000);
    await answer(d, c.id, 1, 1);
    // The host closes it early.
    expect((await advance(c.id, 'next')).json().phase).toBe('reveal');
    s = await state(b, c.id);
    // b: right at once with a streak of two: 1000 + 500 + 100, on top of 1250.
    expect(s.me).toMatchObject({ correct: true, points: 1600, score: 2850 });

    // Question 3 is skipped: nothing it would have given counts.
    await advance(c.id, 'next');
    await advance(c.id, 'next');
    await answer(a, c.id, 2, 2);
    expect((await advance(c.id, 'skip')).json().phase).toBe('finished');
    const final = await (await call(f.trainer, 'GET', `/api/contests/${c.id}/leaderboard`)).json();
    const points = Object.fromEntries(final.lines.map((l: { name: string; points: number }) => [l.name, l.points]));
    // a: q1 right after 1 s (1000 + 450); b: q1 right after 5 s (1000 + 250), q2 right at once with a streak (1000 + 500 + 100);
    // c: wrong; d: joined late, q2 right 3 s into the window (2 s before the pause, 1 s after it): 1000 + 350.
    expect(points['甲一']).toBe(1450);
    expect(points['甲二']).toBe(1250 + 1600);
    expect(points['乙一']).toBe(0);
    expect(points['乙二']).toBe(1000 + Math.round(500 * (1 - 3000 / 10000)));
    const results = await query<{ user_id: string; rank: number; players: number; percentile: string }>(em(), sql`
      select user_id, rank, players, percentile from contest_result where contest_id = ${c.id} order by rank`);
    expect(results.map((r) => [r.rank, r.players])).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(results[0]!.user_id).toBe(b.id);
    expect((await advance(c.id, 'next')).statusCode).toBe(409);
  });

  it('a player who reloads comes back to the current question with score and streak kept', async () => {
    const c = await newContest({ streakBonus: 100 });
    const a = f.staff[0]!;
    await join(a, c.joinCode);
    await call(f.trainer, 'POST', `/api/contests/${c.id}/start`);
    await answer(a, c.id, 0, 0);
    await advance(c.id, 'next');
    await advance(c.id, 'next');
    await advance(c.id, 'next');
    await answer(a, c.id, 1, 1);
    // A reload is a fresh state request: same question, their answer, their score and streak.
    const s = await state(a, c.id);
    expect(s.question.position).toBe(1);
    expect(s.me).toMatchObject({ answered: true, response: { choice: 1 }, streak: 1 });
    expect(s.me.score).toBeGreaterThan(0);
    await advance(c.id, 'next');
    expect((await state(a, c.id)).me).toMatchObject({ streak: 2, correct: true, points: 1100 });
  });
});

describe('events across processes', () => {
  let second: Awaited<ReturnType<typeof buildApp>>;
  let secondOrm: Orm | undefined;
  const bases = new Map<unknown, string>();
  beforeAll(async () => {
    secondOrm = ctx.url ? await createOrm({ url: ctx.url, poolMax: 4 }) : undefined;
    // On PGlite the second app shares the one embedded database, as a second process would share a server.
    second = await buildApp({ config: testConfig, orm: secondOrm ?? ctx.orm, clock });
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
    await secondOrm?.close();
  });

  async function listen(app: typeof second) {
    if (!bases.has(app)) bases.set(app, await app.listen({ port: 0, host: '127.0.0.1' }));
    return bases.get(app)!;
  }

  /** Reads a stream's events until `until` holds for one of them. */
  function follow(base: string, id: string, token: string) {
    const events: { phase: string; joined: number; answeredCount: number }[] = [];
    let waiters: (() => void)[] = [];
    const req = http.get(`${base}/api/contests/${id}/events`, { headers: bearer(token) }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) { events.push(JSON.parse(data.slice(6))); waiters.forEach((w) => w()); waiters = []; }
        }
      });
    });
    const until = (pred: (e: (typeof events)[number]) => boolean, ms = 5000) => new Promise<(typeof events)[number]>((resolve, reject) => {
      const check = () => { const e = events.find(pred); if (e) { clearTimeout(timer); resolve(e); } else waiters.push(check); };
      const timer = setTimeout(() => reject(new Error(`no such event; saw ${JSON.stringify(events.map((e) => [e.phase, e.joined]))}`)), ms);
      check();
    });
    return { until, close: () => req.destroy(), status: () => new Promise<number>((r) => req.on('response', (res) => r(res.statusCode ?? 0))) };
  }

  it('players connected to different processes see the same contest', async () => {
    const c = await newContest();
    const [a, b] = f.staff as [Who, Who];
    await join(a, c.joinCode);
    const baseOne = await listen(ctx.app);
    const baseTwo = await listen(second);
    const one = follow(baseOne, c.id, a.token);
    await one.until((e) => e.phase === 'lobby' && e.joined === 1);
    // b joins through the second process: the first process's stream hears of it.
    const joined = await second.inject({ method: 'POST', url: '/api/contests/join', headers: bearer(b.token), payload: { code: c.joinCode } });
    expect(joined.statusCode).toBe(200);
    await one.until((e) => e.joined === 2);
    const two = follow(baseTwo, c.id, b.token);
    // The host advances through the first; the stream on the second sees the question.
    await advance(c.id, 'next');
    await two.until((e) => e.phase === 'question');
    await second.inject({ method: 'POST', url: `/api/contests/${c.id}/answers`, headers: bearer(b.token), payload: { position: 0, response: { choice: 0 } } });
    // How many have answered reaches the host's screen (on the first process); players' screens wait for the question to change.
    const host = follow(baseOne, c.id, f.trainer);
    await host.until((e) => e.answeredCount === 1);
    host.close();
    await advance(c.id, 'next');
    await two.until((e) => e.phase === 'reveal');
    one.close();
    two.close();
  });

  it('the stream has the same guard as the state: no token 401, a stranger to the contest 404', async () => {
    const c = await newContest({}, f.manager);
    const base = await listen(ctx.app);
    const none = await fetch(`${base}/api/contests/${c.id}/events`);
    expect(none.status).toBe(401);
    const stranger = await fetch(`${base}/api/contests/${c.id}/events`, { headers: bearer(f.staff[2]!.token) });
    expect(stranger.status).toBe(404);
    const outsider = await fetch(`${base}/api/contests/${c.id}/events`, { headers: bearer(f.outsider) });
    expect(outsider.status).toBe(404);
  });
});

describe('a time-boxed contest', () => {
  it('gives each person one run with a server deadline per question; score then time decides; results when the period closes', async () => {
    const opensAt = clock.now();
    const closesAt = new Date(opensAt.getTime() + 3600_000);
    const res = await call(f.trainer, 'POST', '/api/contests', { kind: 'timed', titleZh: '周赛', period: '2026-12', answerSeconds: 10,
      opensAt: opensAt.toISOString(), closesAt: closesAt.toISOString(), draw: { tags: ['竞赛'], count: 3 }, speedBonus: 0 });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const [a, b] = f.staff as [Who, Who];
    const start = await call(a.token, 'POST', `/api/contests/${id}/run`);
    expect(start.statusCode, start.body).toBe(200);
    let run = start.json();
    expect(run.total).toBe(3);
    expect(run.deadlineAt).toBe(new Date(clock.now().getTime() + 10_000).toISOString());
    expect(JSON.stringify(run.question)).not.toMatch(/correct|weight|解析/);
    // Starting again resumes the same run: nothing is drawn again.
    expect((await call(a.token, 'POST', `/api/contests/${id}/run`)).json().question.stemHtml).toBe(run.question.stemHtml);

    const rightChoice = (html: string) => Number(/题目 c(\d)/.exec(html)![1]) - 1;
    const choose = async (who: Who, position: number, choice: number) =>
      call(who.token, 'POST', `/api/contests/${id}/run/answers`, { position, response: { choice } });
    const optionIndexOf = (q: { options: { id: string }[] }, original: number) => Number(q.options.find((o) => Number(o.id) === original)!.id);
    clock.advance(2000);
    run = (await choose(a, 0, optionIndexOf(run.question, rightChoice(run.question.stemHtml)))).json();
    expect(run.last).toEqual({ slot: 0, correct: true, points: 1000 });
    expect(run.question.position).toBe(1);
    // The second question runs out: it counts as wrong, the third is shown, and an answer to the second is refused.
    clock.advance(10_001);
    run = (await call(a.token, 'GET', `/api/contests/${id}/run`)).json();
    expect(run.question.position).toBe(2);
    expect(run.last).toEqual({ slot: 1, correct: false, points: 0 });
    const late = await choose(a, 1, 0);
    expect(late.statusCode).toBe(409);
    expect(late.json().errors[0].code).toBe('contest.window_closed');
    clock.advance(1000);
    run = (await choose(a, 2, optionIndexOf(run.question, rightChoice(run.question.stemHtml)))).json();
    expect(run.finished).toBe(true);
    expect(run.score).toBe(2000);
    expect(run.totalMs).toBe(2000 + 10_000 + 1000);

    // b answers everything right but more slowly: same points are split by time under the default rule.
    let rb = (await call(b.token, 'POST', `/api/contests/${id}/run`)).json();
    for (let i = 0; i < 3 && !rb.finished; i++) {
      clock.advance(5000);
      rb = (await choose(b, rb.question.position, optionIndexOf(rb.question, i === 1 ? (rightChoice(rb.question.stemHtml) + 1) % 3 : rightChoice(rb.question.stemHtml)))).json();
    }
    expect(rb.score).toBe(2000);
    const board = (await call(f.trainer, 'GET', `/api/contests/${id}/leaderboard`)).json();
    expect(board.lines.map((l: { userId: string; rank: number }) => [l.userId, l.rank])).toEqual([[a.id, 1], [b.id, 2]]);
    expect(board.lines[1].totalMs).toBe(15_000);

    clock.set(new Date(closesAt.getTime() + 1));
    expect(await closeDueTimedContests(em(), clock.now())).toBe(1);
    expect(await closeDueTimedContests(em(), clock.now())).toBe(0);
    const results = await query<{ user_id: string; rank: number }>(em(), sql`select user_id, rank from contest_result where contest_id = ${id} order by rank`);
    expect(results.map((r) => r.user_id)).toEqual([a.id, b.id]);
    expect((await call(f.staff[2]!.token, 'POST', `/api/contests/${id}/run`)).statusCode).toBe(409);
  });
});
