import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../api/src/access/actor.js';
import { exec, query, queryOne, sql } from '../../api/src/lib/sql.js';
import { prepareDatabase } from '../../api/src/startup.js';
import { seedContestHistory } from '../../api/src/seed/contest-history.js';
import { contestRecords, writeKnowledgeResults } from '../../api/src/modules/contests/contest-results.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';

interface Workbook { worksheets: { rowCount: number; getRow(n: number): { getCell(n: number): { value: unknown } } }[]; xlsx: { load(b: ArrayBuffer): Promise<unknown> } }
const ExcelJS = createRequire(new URL('../../api/package.json', import.meta.url))('exceljs') as { Workbook: new () => Workbook };

let ctx: TestContext;
const em = () => ctx.orm.em.fork();
type U = { id: string; role: Actor['role']; orgUnitId: string; username: string };
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let trainer: U;
let managerA: U;
let managerB: U;
let staffA: U[];
let staffB: U[];

const actor = (u: U): Actor => ({ id: u.id, role: u.role, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });

interface PlayerSpec { user: U; score: number; ms?: number; answered?: number; team?: string | null }

async function makeContest(opts: {
  players: PlayerSpec[]; tieBreak?: 'time' | 'shared'; mode?: 'individual' | 'team'; period?: string; kind?: 'live' | 'timed';
  scopePath?: string | null; title?: string;
}): Promise<string> {
  const id = randomUUID();
  await exec(em(), sql`
    insert into contest (id, kind, title_zh, title_en, period, status, mode, tie_break, scope_path, created_by, finished_at)
    values (${id}, ${opts.kind ?? 'live'}, ${opts.title ?? '知识竞赛'}, 'Quiz', ${opts.period ?? '2026-11'}, 'finished', ${opts.mode ?? 'individual'},
            ${opts.tieBreak ?? 'shared'}, ${opts.scopePath ?? null}, ${trainer.id}, now())`);
  for (const p of opts.players) {
    await exec(em(), sql`
      insert into contest_player (contest_id, user_id, team_unit_id, score, answered_count, correct_count, total_ms)
      values (${id}, ${p.user.id}, ${p.team === undefined ? p.user.orgUnitId : p.team}, ${p.score}, ${p.answered ?? 3}, 1, ${p.ms ?? 1000})`);
  }
  return id;
}

const resultsOf = (contestId: string) => query<{ user_id: string; points: number; rank: number; players: number; percentile: number; team_unit_id: string | null; period: string; kind: string }>(em(), sql`
  select user_id, points::float8 as points, rank, players, percentile::float8 as percentile, team_unit_id, period, kind
    from contest_result where contest_id = ${contestId} order by rank, user_id`);

beforeAll(async () => {
  ctx = await createTestContext();
  tree = await makeOrgTree(ctx.orm);
  const mk = async (role: Actor['role'], orgUnitId: string): Promise<U> => {
    const u = await makeUser(ctx.orm, { role, orgUnitId });
    return { id: u.id, role, orgUnitId, username: u.username };
  };
  trainer = await mk('trainer', tree.company.id);
  managerA = await mk('manager', tree.countyA.id);
  managerB = await mk('manager', tree.countyB.id);
  staffA = [];
  staffB = [];
  for (let i = 0; i < 3; i++) staffA.push(await mk('staff', tree.areaA.id));
  for (let i = 0; i < 3; i++) staffB.push(await mk('staff', tree.areaB.id));
}, 120_000);
afterAll(async () => ctx?.close());

describe('writeKnowledgeResults', () => {
  it("ranks 1, 2, 2, 4 under 'shared', with percentiles over those who played; non-players get no row", async () => {
    const [a1, a2, a3] = staffA;
    const [b1, b2] = staffB;
    const id = await makeContest({
      tieBreak: 'shared',
      players: [
        { user: a1!, score: 300, ms: 9000 }, { user: a2!, score: 200, ms: 8000 }, { user: b1!, score: 200, ms: 1000 },
        { user: a3!, score: 100 }, { user: b2!, score: 0, answered: 0 },
      ],
    });
    expect(await writeKnowledgeResults(em(), id)).toBe(4);
    const rows = await resultsOf(id);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 2, 4]);
    expect(rows.map((r) => r.points)).toEqual([300, 200, 200, 100]);
    expect(rows.every((r) => r.players === 4 && r.period === '2026-11' && r.kind === 'live')).toBe(true);
    expect(rows.map((r) => r.percentile)).toEqual([100, 66.67, 66.67, 0]);
    expect(rows.find((r) => r.user_id === b2!.id)).toBeUndefined();
    expect(rows.find((r) => r.user_id === a1!.id)!.team_unit_id).toBe(tree.areaA.id);
  });

  it("splits equal points by less total answer time under 'time'; equal time still shares", async () => {
    const [a1, a2, a3] = staffA;
    const [b1] = staffB;
    const id = await makeContest({
      tieBreak: 'time', kind: 'timed',
      players: [{ user: a1!, score: 200, ms: 5000 }, { user: a2!, score: 200, ms: 3000 }, { user: a3!, score: 100, ms: 4000 }, { user: b1!, score: 100, ms: 4000 }],
    });
    await writeKnowledgeResults(em(), id);
    const rows = await resultsOf(id);
    expect(rows.map((r) => [r.user_id, r.rank])).toEqual([[a2!.id, 1], [a1!.id, 2], ...[[a3!.id, 3], [b1!.id, 3]].sort((x, y) => (x[0]! < y[0]! ? -1 : 1))]);
    expect(rows[0]!.kind).toBe('timed');
  });

  it('replaces the rows when run again: the same rows, or the new standings', async () => {
    const [a1, a2] = staffA;
    const id = await makeContest({ players: [{ user: a1!, score: 10, team: null }, { user: a2!, score: 20 }] });
    await writeKnowledgeResults(em(), id);
    const first = await resultsOf(id);
    await writeKnowledgeResults(em(), id);
    expect(await resultsOf(id)).toEqual(first);
    await exec(em(), sql`update contest_player set score = 30 where contest_id = ${id} and user_id = ${a1!.id}`);
    await exec(em(), sql`update contest_player set answered_count = 0 where contest_id = ${id} and user_id = ${a2!.id}`);
    await writeKnowledgeResults(em(), id);
    const again = await resultsOf(id);
    expect(again.map((r) => [r.user_id, r.points, r.rank, r.players, r.percentile, r.team_unit_id])).toEqual([[a1!.id, 30, 1, 1, 100, null]]);
  });

  it('refuses an unknown contest', async () => {
    await expect(writeKnowledgeResults(em(), randomUUID())).rejects.toMatchObject({ status: 404 });
  });
});

describe('contestRecords', () => {
  let inRange: string;
  let outOfRange: string;
  beforeAll(async () => {
    inRange = await makeContest({ period: '2026-06', title: '六月竞赛', players: [...staffA, ...staffB].map((u, i) => ({ user: u, score: 100 + i })) });
    outOfRange = await makeContest({ period: '2025-06', players: [...staffA, ...staffB].map((u) => ({ user: u, score: 5 })) });
    await writeKnowledgeResults(em(), inRange);
    await writeKnowledgeResults(em(), outOfRange);
  });
  const range = { from: '2026-01', to: '2026-07' };

  it('gives a trainer every person of each contest in the periods asked for', async () => {
    const recs = (await contestRecords(em(), actor(trainer), range)).filter((r) => r.contestId === inRange);
    expect(recs).toHaveLength(6);
    expect(recs.every((r) => r.players === 6 && r.period === '2026-06' && r.kind === 'live' && r.title === '六月竞赛')).toBe(true);
    const top = recs.find((r) => r.userId === staffB[2]!.id)!;
    expect(top).toMatchObject({ points: 105, rank: 1, percentile: 100, teamUnitId: tree.areaB.id });
    expect((await contestRecords(em(), actor(trainer), range)).some((r) => r.contestId === outOfRange)).toBe(false);
    expect((await contestRecords(em(), actor(trainer), { from: '2025-01', to: '2025-12' })).some((r) => r.contestId === outOfRange)).toBe(true);
  });

  it("limits a manager to their subtree and staff to themselves (ranks stay the contest's)", async () => {
    const a = (await contestRecords(em(), actor(managerA), range)).filter((r) => r.contestId === inRange);
    expect(a.map((r) => r.userId).sort()).toEqual(staffA.map((u) => u.id).sort());
    expect(a.every((r) => r.players === 6)).toBe(true);
    const b = (await contestRecords(em(), actor(managerB), range)).filter((r) => r.contestId === inRange);
    expect(b.map((r) => r.userId).sort()).toEqual(staffB.map((u) => u.id).sort());
    const self = await contestRecords(em(), actor(staffB[0]!), range);
    expect(self.length).toBeGreaterThan(0);
    expect(self.every((r) => r.userId === staffB[0]!.id)).toBe(true);
    expect(await contestRecords(em(), { ...actor(staffB[0]!), role: 'guest' as Actor['role'] }, range)).toEqual([]);
  });
});

describe('contest results over HTTP', () => {
  let teamContest: string;
  let countyAContest: string;
  const token = (u: U) => ctx.app.signAccessToken({ id: u.id, role: u.role, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });
  const get = (url: string, who: U, lang = 'zh') => ctx.app.inject({ url, headers: { ...bearer(token(who)), 'accept-language': lang } });
  beforeAll(async () => {
    const [a1, a2, a3] = staffA;
    const [b1, b2, b3] = staffB;
    // Team A: 300, 100 and one who never answered (mean 200 over those who played); team B: 150, 150, 150.
    teamContest = await makeContest({
      mode: 'team', tieBreak: 'shared', title: '团队赛',
      players: [{ user: a1!, score: 300 }, { user: a2!, score: 100 }, { user: a3!, score: 0, answered: 0 },
        { user: b1!, score: 150 }, { user: b2!, score: 150 }, { user: b3!, score: 150 }],
    });
    await writeKnowledgeResults(em(), teamContest);
    countyAContest = await makeContest({ scopePath: tree.countyA.path, players: [{ user: a1!, score: 10 }] });
    await writeKnowledgeResults(em(), countyAContest);
    await exec(em(), sql`update app_user set display_name = '=HYPERLINK("x")' where id = ${a2!.id}`);
  });

  it('gives a trainer each person with name, unit, points, rank, percentile and team, and the team means', async () => {
    const res = await get(`/api/contests/${teamContest}/results`, trainer);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.contest).toMatchObject({ id: teamContest, title: '团队赛', mode: 'team', period: '2026-11' });
    expect(r.players).toBe(5);
    expect(r.people.map((p: { rank: number }) => p.rank)).toEqual([1, 2, 2, 2, 5]);
    const top = r.people[0];
    expect(top).toMatchObject({ userId: staffA[0]!.id, username: staffA[0]!.username, unitId: tree.areaA.id, unitName: '甲县城区', points: 300,
      percentile: 100, teamUnitId: tree.areaA.id, teamName: '甲县城区' });
    expect(r.people.some((p: { userId: string }) => p.userId === staffA[2]!.id)).toBe(false);
    expect(r.teams).toEqual([
      { teamUnitId: tree.areaA.id, teamName: '甲县城区', members: 2, points: 200, rank: 1 },
      { teamUnitId: tree.areaB.id, teamName: '乙县城区', members: 3, points: 150, rank: 2 },
    ]);
    const individual = (await get(`/api/contests/${countyAContest}/results`, trainer)).json();
    expect(individual.teams).toEqual([]);
  });

  it("shows a manager only their own people, and a contest of another county not at all; staff cannot host", async () => {
    const b = await get(`/api/contests/${teamContest}/results`, managerB);
    expect(b.statusCode).toBe(200);
    expect(b.json().people.map((p: { userId: string }) => p.userId).sort()).toEqual(staffB.map((u) => u.id).sort());
    expect(b.json().players).toBe(5);
    const a = await get(`/api/contests/${countyAContest}/results`, managerA);
    expect(a.statusCode).toBe(200);
    expect(a.json().people).toHaveLength(1);
    for (const url of [`/api/contests/${countyAContest}/results`, `/api/contests/${countyAContest}/results/export?format=csv`]) {
      const res = await get(url, managerB);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await get(`/api/contests/${randomUUID()}/results`, trainer)).statusCode).toBe(404);
    expect((await get(`/api/contests/${teamContest}/results`, staffA[0]!)).statusCode).toBe(403);
  });

  it('exports the results as CSV and XLSX, headers in the language asked for, cells guarded', async () => {
    const csv = await get(`/api/contests/${teamContest}/results/export?format=csv`, trainer);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('.csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('工号,姓名,部门,得分,名次,参赛人数,百分位,代表队');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe(`${staffA[0]!.username},${lines[1]!.split(',')[1]},甲县城区,300,1,5,100,甲县城区`);
    expect(csv.body).toContain(`'=HYPERLINK`);
    const byManager = await get(`/api/contests/${teamContest}/results/export`, managerB);
    expect(byManager.body.replace(/^\uFEFF/, '').trim().split('\r\n')).toHaveLength(4);
    const xlsx = await get(`/api/contests/${teamContest}/results/export?format=xlsx`, trainer, 'en');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((i) => ws.getRow(1).getCell(i).value)).toEqual(['Username', 'Name', 'Unit', 'Points', 'Rank', 'Players', 'Percentile', 'Team']);
    expect(ws.rowCount).toBe(6);
    expect([4, 5, 6, 7].map((i) => ws.getRow(2).getCell(i).value)).toEqual([300, 1, 5, 100]);
    expect((await get(`/api/contests/${teamContest}/results/export?format=pdf`, trainer)).statusCode).toBe(400);
  });
});

describe('demo contest history', () => {
  let demo: TestContext;
  const dem = () => demo.orm.em.fork();
  const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, trace: () => {}, fatal: () => {}, child: () => quiet, level: 'silent', silent: () => {} } as never;
  beforeAll(async () => {
    demo = await createTestContext();
    await prepareDatabase(demo.orm, { seedDemo: true, demoPassword: 'Demo-Harbor-2026', dataDir: mkdtempSync(join(tmpdir(), 'contest-history-')), contentDir: 'content' }, quiet);
  }, 180_000);
  afterAll(async () => demo?.close());

  it('holds a finished live contest for each of the last twelve months, speech contests, and one scheduled next', async () => {
    const contests = await query<{ id: string; kind: string; status: string; period: string; join_code: string | null; scheduled_at: Date; questions: number }>(dem(), sql`
      select c.id, c.kind, c.status, c.period, c.join_code, c.scheduled_at,
             (select count(*)::int from contest_question q where q.contest_id = c.id) as questions
        from contest c order by c.scheduled_at`);
    const live = contests.filter((c) => c.kind === 'live' && c.status === 'finished');
    expect(live).toHaveLength(12);
    expect(new Set(live.map((c) => c.period)).size).toBe(12);
    expect(live.every((c) => c.questions > 0 && new Date(c.scheduled_at).getTime() < Date.now())).toBe(true);
    const speech = contests.filter((c) => c.kind === 'speech');
    expect(speech.length).toBeGreaterThanOrEqual(3);
    expect(speech.every((c) => c.status === 'published')).toBe(true);
    const scheduled = contests.filter((c) => c.status === 'scheduled');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.kind).toBe('live');
    expect(scheduled[0]!.join_code).toMatch(/^[A-Z0-9]{6}$/);
    expect(scheduled[0]!.questions).toBeGreaterThan(0);
    expect(new Date(scheduled[0]!.scheduled_at).getTime()).toBeGreaterThan(Date.now());
  });

  it('gives every staff member results across the twelve months, consistent with their answers', async () => {
    const staff = await query<{ id: string; periods: number }>(dem(), sql`
      select u.id, count(distinct r.period)::int as periods from app_user u left join contest_result r on r.user_id = u.id
       where u.role = 'staff' and not u.disabled group by u.id`);
    expect(staff.length).toBeGreaterThan(10);
    expect(staff.every((s) => s.periods >= 6)).toBe(true);
    const periods = await queryOne<{ n: number }>(dem(), sql`select count(distinct period)::int as n from contest_result`);
    expect(periods!.n).toBe(12);
    // A player's standing is what their answers add up to; their result is their standing; non-players have none.
    const off = await query<{ user_id: string }>(dem(), sql`
      select p.user_id from contest_player p left join lateral (
               select coalesce(sum(a.points), 0)::int as points, count(*)::int as answered, coalesce(sum(a.elapsed_ms), 0)::bigint as ms,
                      count(*) filter (where a.correct)::int as correct
                 from contest_answer a where a.contest_id = p.contest_id and a.user_id = p.user_id) a on true
        left join contest_result r on r.contest_id = p.contest_id and r.user_id = p.user_id
       where a.points <> p.score or a.answered <> p.answered_count or a.ms <> p.total_ms or a.correct <> p.correct_count
          or (p.answered_count > 0) <> (r.user_id is not null) or (r.user_id is not null and r.points <> p.score)`);
    expect(off).toEqual([]);
    const ranks = await query<{ contest_id: string; top: number; players: number; n: number }>(dem(), sql`
      select contest_id, min(rank)::int as top, max(players)::int as players, count(*)::int as n from contest_result group by contest_id`);
    expect(ranks.every((r) => r.top === 1 && r.players === r.n)).toBe(true);
  });

  it('scores each speaker by every judge on every criterion, with a final score and a result', async () => {
    const rows = await query<{ contest_id: string; speakers: number; judges: number; criteria: number; scores: number; results: number; unscored: number }>(dem(), sql`
      select c.id as contest_id,
             (select count(*)::int from speech_speaker s where s.contest_id = c.id) as speakers,
             (select count(*)::int from speech_judge j where j.contest_id = c.id) as judges,
             (select count(*)::int from speech_criterion k where k.contest_id = c.id) as criteria,
             (select count(*)::int from speech_score x join speech_speaker s on s.id = x.speaker_id where s.contest_id = c.id) as scores,
             (select count(*)::int from contest_result r where r.contest_id = c.id) as results,
             (select count(*)::int from speech_speaker s where s.contest_id = c.id and (s.final_score is null or s.rank is null or s.scoring_closed_at is null)) as unscored
        from contest c where c.kind = 'speech'`);
    for (const r of rows) {
      expect(r.speakers).toBeGreaterThanOrEqual(5);
      expect(r.judges).toBeGreaterThanOrEqual(3);
      expect(r.scores).toBe(r.speakers * r.judges * r.criteria);
      expect(r.results).toBe(r.speakers);
      expect(r.unscored).toBe(0);
    }
    const self = await queryOne<{ n: number }>(dem(), sql`
      select count(*)::int as n from speech_score x join speech_speaker s on s.id = x.speaker_id where x.judge_id = s.user_id`);
    expect(self!.n).toBe(0);
  });

  it("is read back through contestRecords within the actor's scope, and is not seeded twice", async () => {
    const manager = await queryOne<{ id: string; org_unit_id: string; path: string }>(dem(), sql`
      select u.id, u.org_unit_id, o.path from app_user u join org_unit o on o.id = u.org_unit_id where u.username = 'manager'`);
    const recs = await contestRecords(dem(), { id: manager!.id, role: 'manager', orgUnitId: manager!.org_unit_id, sessionId: randomUUID(), mustChangePassword: false },
      { from: '1900-01', to: '2999-12' });
    expect(recs.length).toBeGreaterThan(0);
    const outside = await queryOne<{ n: number }>(dem(), sql`
      select count(*)::int as n from app_user u join org_unit o on o.id = u.org_unit_id
       where u.id = any(${[...new Set(recs.map((r) => r.userId))]}::uuid[]) and not o.path like ${manager!.path} || '%'`);
    expect(outside!.n).toBe(0);
    expect(new Set(recs.map((r) => r.kind))).toEqual(new Set(['live', 'speech']));
    const before = await queryOne<{ n: number }>(dem(), sql`select count(*)::int as n from contest`);
    expect(await seedContestHistory(dem(), new Date())).toBeNull();
    expect((await queryOne<{ n: number }>(dem(), sql`select count(*)::int as n from contest`))!.n).toBe(before!.n);
  });
});
