import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolesWith, type Permission } from '../../api/src/access/permissions.js';
import { ROLES, type Role } from '../../api/src/access/roles.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';
import { Track } from '../../api/src/modules/courses/course.entity.js';
import { Exam, ExamAttempt } from '../../api/src/modules/exams/exam.entity.js';

/**
 * Walks every operation of the OpenAPI document with every role, with no token, and with a token whose role nobody
 * knows, and checks the answer against the permission table; then checks per-object scope with objects that exist
 * but lie outside a manager's subtree. The expected permission of each operation is written here, independently of
 * the route declarations, so a route that changes its guard (or a new route nobody listed) fails this test.
 */
const EXPECTED: Record<string, Permission | 'public' | 'signed-in'> = {
  getHealth: 'public', login: 'public', refreshSession: 'public', logout: 'public',
  getSession: 'signed-in', getMe: 'signed-in', updateMe: 'signed-in', changePassword: 'signed-in',
  listUsers: 'people.read', getUser: 'people.read', updateUser: 'people.update',
  createUser: 'people.admin', resetUserPassword: 'people.admin', importUsers: 'people.admin', getRosterTemplate: 'people.admin',
  listOrgUnits: 'people.read', createOrgUnit: 'org_units.manage', updateOrgUnit: 'org_units.manage',
  listTracks: 'learning.study', listModules: 'learning.study', getModule: 'learning.study', getModuleAsset: 'learning.study',
  recordStudyProgress: 'learning.study', getMyLearning: 'learning.study',
  logStudySession: 'learning.study', listStudySessions: 'learning.study',
  createModule: 'modules.author', updateModule: 'modules.author', getModuleSource: 'modules.author', publishModule: 'modules.author',
  discardModuleDraft: 'modules.author', setModuleArchived: 'modules.author', listModuleRevisions: 'modules.author',
  compareModuleRevisions: 'modules.author', restoreModuleRevision: 'modules.author', resolveModuleConflict: 'modules.author',
  exportModule: 'modules.author', listModuleAssets: 'modules.author', uploadModuleAsset: 'modules.author', previewMarkdown: 'modules.author',
  recordAttendance: 'study.review', reviewStudySession: 'study.review', getMonthlyStudyTotals: 'study.review',
  correctStudySession: 'study.correct', withdrawStudySession: 'study.correct', getStudySessionHistory: 'study.correct',
  createAssignment: 'assignments.manage', listAssignments: 'assignments.manage', getAssignmentCompletion: 'assignments.manage',
  correctAssignment: 'assignments.correct', withdrawAssignment: 'assignments.correct', getAssignmentHistory: 'assignments.correct',
  getAssignmentSummary: 'assignments.manage',
  listQuestions: 'questions.manage', createQuestion: 'questions.manage', listQuestionFacets: 'questions.manage',
  listQuestionCategories: 'questions.manage', getQuestion: 'questions.manage', updateQuestion: 'questions.manage',
  previewQuestion: 'questions.manage', listQuestionVersions: 'questions.manage', compareQuestionVersions: 'questions.manage',
  getQuestionVersion: 'questions.manage', bulkUpdateQuestions: 'questions.manage', importQuestions: 'questions.manage',
  exportQuestions: 'questions.manage', getQuestionTemplate: 'questions.manage',
  createExam: 'exams.manage', updateExam: 'exams.manage', getExam: 'exams.manage', listExams: 'exams.manage', publishExam: 'exams.manage',
  archiveExam: 'exams.manage', getExamCalendar: 'exams.manage', createMakeUpExam: 'exams.manage', setExamOverride: 'exams.manage',
  getExamResults: 'exams.results', exportExamResults: 'exams.results', getItemAnalysis: 'exams.results',
  listMyExams: 'exams.take', startAttempt: 'exams.take', getAttempt: 'exams.take', saveAnswers: 'exams.take', submitAttempt: 'exams.take',
  getAttemptReview: 'exams.take', recordAttemptEvents: 'exams.take', getAttemptIntegrityLog: 'exams.results',
  createContest: 'contests.host', listContests: 'contests.host', getContest: 'contests.host', startContest: 'contests.host', advanceContest: 'contests.host',
  joinContest: 'contests.play', submitContestAnswer: 'contests.play', getContestState: 'contests.play', getContestLeaderboard: 'contests.play',
  startContestRun: 'contests.play', getContestRun: 'contests.play', answerContestRun: 'contests.play',
  getContestResults: 'contests.host', exportContestResults: 'contests.host',
  listGradingQueue: 'exams.grade', gradeAnswer: 'exams.grade', regradeExam: 'exams.grade', listRegrades: 'exams.grade',
  createSpeechContest: 'contests.host', listSpeechContests: 'contests.play', getSpeechContest: 'contests.play', submitJudgeScore: 'contests.play', closeSpeakerScoring: 'contests.host', publishSpeechResults: 'contests.host', getMySpeechResult: 'contests.play',
};

interface Operation { operationId: string; method: string; path: string }

let ctx: TestContext;
let ops: Operation[];
const tokens = {} as Record<Role | 'unknown', string>;
const foreign = {} as { user: string; session: string; assignment: string; adminAssignment: string; unitB: string; draftModule: string; exam: string; attempt: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  const people = {
    admin: await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id }),
    trainer: await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id }),
    manager: await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyA.id }),
    staff: await makeUser(ctx.orm, { role: 'staff', orgUnitId: tree.areaA.id }),
  };
  const managerB = await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyB.id });
  const staffB = await makeUser(ctx.orm, { role: 'staff', orgUnitId: tree.areaB.id });
  const sign = (u: { id: string; orgUnitId: string }, role: string) => ctx.app.signAccessToken({
    id: u.id, role: role as Role, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false,
  });
  for (const role of ROLES) tokens[role] = sign(people[role], role);
  // A token signed with the right key for a role this build does not know (a stale or hand-made token).
  tokens.unknown = sign(await makeUser(ctx.orm, { role: 'staff', orgUnitId: tree.areaA.id }), 'auditor');

  // Objects that exist, in county B: outside the county-A manager's subtree.
  foreign.user = staffB.id;
  foreign.unitB = tree.countyB.id;
  const logged = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: bearer(sign(staffB, 'staff')),
    payload: { kind: 'self_study', day: new Date(ctx.clock.now().getTime() - 86400_000).toISOString().slice(0, 10), minutes: 30 } });
  expect(logged.statusCode).toBe(201);
  foreign.session = logged.json().id;
  const em = ctx.orm.em.fork();
  em.create(Track, { id: 'matrix-track', titleZh: '测试类别', titleEn: 'Test track' });
  await em.flush();
  const track = await ctx.app.inject({ url: '/api/tracks', headers: bearer(tokens.admin) });
  const assigned = await ctx.app.inject({ method: 'POST', url: '/api/assignments', headers: bearer(sign(managerB, 'manager')),
    payload: { targetType: 'track', targetId: track.json().items[0]?.id ?? 'none', positions: ['account_manager'] } });
  expect(assigned.statusCode, assigned.body).toBe(201);
  foreign.assignment = assigned.json().id;
  // An assignment an administrator made for one person in county B: nothing a county-A manager may see.
  const byAdmin = await ctx.app.inject({ method: 'POST', url: '/api/assignments', headers: bearer(tokens.admin),
    payload: { targetType: 'track', targetId: track.json().items[0]?.id ?? 'none', userIds: [staffB.id], note: '县 B 的专门安排' } });
  expect(byAdmin.statusCode, byAdmin.body).toBe(201);
  foreign.adminAssignment = byAdmin.json().id;

  // A module a trainer has drafted and never published: learners and managers must not learn that it exists.
  const draft = await ctx.app.inject({ method: 'POST', url: '/api/modules', headers: bearer(tokens.trainer), payload: {
    trackId: 'matrix-track', slug: 'matrix-draft', minutes: 5, positions: ['account_manager'],
    locales: { zh: { title: '草稿模块', summary: '', objectives: [], tags: [], body: '# 草稿\n' } },
  } });
  expect(draft.statusCode, draft.body).toBe(201);
  foreign.draftModule = draft.json().id;

  // A published exam a county-B manager made for county B.
  const examB = em.create(Exam, {
    id: randomUUID(), titleZh: '乙县月考', kind: 'monthly', period: '2026-11', status: 'published',
    opensAt: new Date('2026-11-20T00:00:00Z'), closesAt: new Date('2026-11-25T00:00:00Z'),
    positions: [], orgUnitIds: [tree.countyB.id], userIds: [], scopePath: tree.countyB.path, createdBy: managerB.id,
  });
  await em.flush();
  foreign.exam = examB.id;
  // County B's person's attempt at it: not the county-A staff member's, not in the county-A manager's subtree.
  const attemptB = em.create(ExamAttempt, { id: randomUUID(), examId: examB.id, userId: staffB.id, number: 1, deadlineAt: new Date('2026-11-21T00:00:00Z') });
  await em.flush();
  foreign.attempt = attemptB.id;

  const doc = ctx.app.swagger() as unknown as { paths: Record<string, Record<string, { operationId: string }>> };
  ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ operationId: op.operationId, method: method.toUpperCase(), path })));
});
afterAll(async () => { await ctx.close(); });

/** A path with every parameter filled by a value that names nothing: a random uuid, or a plausible other value. */
function concrete(path: string): string {
  // The comparisons need their two version numbers to get as far as looking the object up.
  const query = path.endsWith('/compare') ? '?from=1&to=2' : '';
  return path.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'number' ? '1' : name === 'filename' ? 'missing.png' : name === 'format' ? 'csv' : randomUUID()) + query;
}

async function call(op: Operation, token: string | null, url = concrete(op.path)) {
  const body = ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined;
  return ctx.app.inject({ method: op.method as 'GET', url, headers: token ? bearer(token) : {}, ...(body ? { payload: body } : {}) });
}

describe('access matrix', () => {
  it('lists every operation of the OpenAPI document, and nothing else', () => {
    expect(ops.map((o) => o.operationId).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('answers every operation for every role as the permission table says', async () => {
    const failures: string[] = [];
    for (const op of ops) {
      const rule = EXPECTED[op.operationId];
      for (const who of [...ROLES, 'unknown', 'anonymous'] as const) {
        const res = await call(op, who === 'anonymous' ? null : tokens[who]);
        const s = res.statusCode;
        let ok: boolean;
        if (s >= 500) ok = false;
        else if (rule === 'public') ok = s !== 403;
        else if (who === 'anonymous') ok = s === 401;
        else if (rule === 'signed-in') ok = s !== 401 && s !== 403;
        else if (who !== 'unknown' && rolesWith(rule).includes(who)) ok = s !== 401 && s !== 403;
        else ok = s === 403 && res.headers['content-type']?.toString().startsWith('application/problem+json') === true;
        if (!ok) failures.push(`${op.operationId} as ${who}: ${s}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 404 for an id that names nothing, to everyone allowed to ask', async () => {
    const failures: string[] = [];
    for (const op of ops.filter((o) => o.method === 'GET' && /\{\w*Id\}/.test(o.path))) {
      const rule = EXPECTED[op.operationId];
      const allowed = rule === 'public' || rule === 'signed-in' ? ROLES : rolesWith(rule);
      for (const role of allowed) {
        const res = await call(op, tokens[role]);
        if (res.statusCode !== 404) failures.push(`${op.operationId} as ${role}: ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 404 to graders for a grade or a regrade of something that does not exist', async () => {
    for (const role of ['admin', 'trainer'] as const) {
      const graded = await ctx.app.inject({ method: 'PUT', url: `/api/attempts/${randomUUID()}/questions/0/grade`, headers: bearer(tokens[role]),
        payload: { score: 1 } });
      expect(graded.statusCode, `gradeAnswer as ${role}`).toBe(404);
      const regraded = await ctx.app.inject({ method: 'POST', url: `/api/exams/${randomUUID()}/regrade`, headers: bearer(tokens[role]),
        payload: { questionId: randomUUID(), reason: '答案有误' } });
      expect(regraded.statusCode, `regradeExam as ${role}`).toBe(404);
    }
  });

  it('hides objects outside a manager\'s subtree as if they did not exist, and shows them to whole-organisation roles', async () => {
    const cases: { url: string; method?: 'GET' | 'PATCH' | 'POST' | 'PUT'; payload?: object }[] = [
      { url: `/api/users/${foreign.user}` },
      { url: `/api/users/${foreign.user}`, method: 'PATCH', payload: { displayName: '改名' } },
      { url: `/api/users?orgUnitId=${foreign.unitB}` },
      { url: `/api/study-sessions/${foreign.session}/review`, method: 'POST', payload: { status: 'confirmed' } },
      { url: `/api/assignments/${foreign.assignment}/completion` },
      { url: `/api/assignments/${foreign.adminAssignment}/completion` },
      { url: `/api/study-sessions/${foreign.session}`, method: 'PATCH', payload: { reason: '更正', minutes: 10 } },
      { url: `/api/study-sessions/${foreign.session}/withdraw`, method: 'POST', payload: { reason: '录错了' } },
      { url: `/api/study-sessions/${foreign.session}/history` },
      { url: `/api/assignments/${foreign.assignment}`, method: 'PATCH', payload: { reason: '更正', note: '改' } },
      { url: `/api/assignments/${foreign.assignment}/withdraw`, method: 'POST', payload: { reason: '布置错了' } },
      { url: `/api/assignments/${foreign.assignment}/history` },
      { url: `/api/assignments/${foreign.adminAssignment}`, method: 'PATCH', payload: { reason: '更正', note: '改' } },
      { url: `/api/assignments/${foreign.adminAssignment}/withdraw`, method: 'POST', payload: { reason: '布置错了' } },
      { url: `/api/exams/${foreign.exam}` },
      { url: `/api/exams/${foreign.exam}`, method: 'PATCH', payload: { titleEn: 'taken over' } },
      { url: `/api/exams/${foreign.exam}/publish`, method: 'POST', payload: {} },
      { url: `/api/exams/${foreign.exam}/archive`, method: 'POST', payload: {} },
      { url: `/api/exams/${foreign.exam}/make-up`, method: 'POST', payload: { opensAt: '2026-12-20T00:00:00Z', closesAt: '2026-12-21T00:00:00Z' } },
      { url: `/api/exams/${foreign.exam}/overrides/${foreign.user}`, method: 'PUT', payload: { extraMinutes: 5, reason: '照顾' } },
      { url: `/api/exams/${foreign.exam}/results` },
      { url: `/api/exams/${foreign.exam}/results/export` },
      { url: `/api/exams/${foreign.exam}/item-analysis` },
      { url: `/api/attempts/${foreign.attempt}/integrity` },
    ];
    for (const c of cases) {
      const asManager = await ctx.app.inject({ method: c.method ?? 'GET', url: c.url, headers: bearer(tokens.manager), ...(c.payload ? { payload: c.payload } : {}) });
      expect(asManager.statusCode, `${c.method ?? 'GET'} ${c.url} as manager`).toBe(404);
    }
    for (const role of ['admin', 'trainer'] as const) {
      const res = await ctx.app.inject({ url: `/api/users/${foreign.user}`, headers: bearer(tokens[role]) });
      expect(res.statusCode, `as ${role}`).toBe(200);
      for (const url of [`/api/study-sessions/${foreign.session}/history`, `/api/assignments/${foreign.assignment}/history`,
        `/api/exams/${foreign.exam}/results`, `/api/exams/${foreign.exam}/item-analysis`, `/api/exams/${foreign.exam}/grading`,
        `/api/exams/${foreign.exam}/regrades`]) {
        expect((await ctx.app.inject({ url, headers: bearer(tokens[role]) })).statusCode, `${url} as ${role}`).toBe(200);
      }
    }
    // Nothing above changed the foreign records: the manager's attempts left no trace.
    const history = await ctx.app.inject({ url: `/api/study-sessions/${foreign.session}/history`, headers: bearer(tokens.admin) });
    expect(history.json().items).toEqual([]);
    const stillThere = await ctx.app.inject({ url: `/api/assignments/${foreign.assignment}/completion`, headers: bearer(tokens.admin) });
    expect(stillThere.statusCode).toBe(200);
    // Lists leave out what lies outside the subtree, even when someone above made it.
    const listed = await ctx.app.inject({ url: '/api/assignments', headers: bearer(tokens.manager) });
    expect(listed.statusCode).toBe(200);
    const ids = (listed.json().items as { id: string }[]).map((a) => a.id);
    expect(ids).not.toContain(foreign.adminAssignment);
    expect(listed.body).not.toContain(foreign.user);
    const all = await ctx.app.inject({ url: '/api/assignments', headers: bearer(tokens.admin) });
    expect((all.json().items as { id: string }[]).map((a) => a.id)).toContain(foreign.adminAssignment);
    expect((await ctx.app.inject({ url: `/api/assignments/${foreign.adminAssignment}/completion`, headers: bearer(tokens.admin) })).statusCode).toBe(200);
    // The summary on a head's home counts only their subtree: county B's assigned people are not in county A's.
    const mine = await ctx.app.inject({ url: '/api/assignments/summary', headers: bearer(tokens.manager) });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toMatchObject({ people: 0, modules: 0 });
    expect((await ctx.app.inject({ url: '/api/assignments/summary', headers: bearer(tokens.admin) })).statusCode).toBe(200);
  });

  it('lets staff see only their own records, and a role nobody knows see nothing', async () => {
    const own = await ctx.app.inject({ url: '/api/study-sessions', headers: bearer(tokens.staff) });
    expect(own.statusCode).toBe(200);
    expect(own.json().items.every((s: { userId: string }) => s.userId !== foreign.user)).toBe(true);
    // Someone else's attempt, and an exam whose audience does not reach them: 404, like ones that do not exist.
    for (const [method, url, payload] of [['GET', `/api/attempts/${foreign.attempt}`], ['GET', `/api/attempts/${foreign.attempt}/review`],
      ['PUT', `/api/attempts/${foreign.attempt}/answers`, { answers: [{ slot: 0, seq: 1, response: {} }] }],
      ['POST', `/api/attempts/${foreign.attempt}/submit`, {}], ['POST', `/api/attempts/${foreign.attempt}/events`, { events: [{ kind: 'hidden', at: '2026-11-20T01:00:00Z' }] }],
      ['POST', `/api/exams/${foreign.exam}/attempts`]] as const) {
      const res = await ctx.app.inject({ method, url, headers: bearer(tokens.staff), ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const me = await ctx.app.inject({ url: '/api/me', headers: bearer(tokens.unknown) });
    expect(me.statusCode).toBe(200);
    expect(me.json().permissions).toEqual([]);
    const staffMe = await ctx.app.inject({ url: '/api/me', headers: bearer(tokens.staff) });
    expect(staffMe.json().permissions).toEqual(['learning.study', 'exams.take', 'contests.play']);
  });

  it('answers 404 for a draft module named in a study session, exactly as for a module that does not exist', async () => {
    const day = new Date(ctx.clock.now().getTime() - 86400_000).toISOString().slice(0, 10);
    for (const moduleId of [foreign.draftModule, randomUUID()]) {
      const logged = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions', headers: bearer(tokens.staff),
        payload: { kind: 'self_study', day, minutes: 20, moduleId } });
      expect(logged.statusCode, logged.body).toBe(404);
      expect(logged.body).not.toContain('matrix-draft');
      const attended = await ctx.app.inject({ method: 'POST', url: '/api/study-sessions/attendance', headers: bearer(tokens.manager),
        payload: { kind: 'morning_meeting', day, minutes: 20, moduleId, userIds: [foreign.user] } });
      expect(attended.statusCode, attended.body).toBe(404);
      const beat = await ctx.app.inject({ method: 'POST', url: `/api/modules/${moduleId}/progress`, headers: bearer(tokens.staff),
        payload: { clientId: 'c', seq: 1, seconds: 10 } });
      expect(beat.statusCode, beat.body).toBe(404);
    }
    const sessions = await ctx.app.inject({ url: '/api/study-sessions?limit=200', headers: bearer(tokens.staff) });
    expect(sessions.body).not.toContain('matrix-draft');
  });
});
