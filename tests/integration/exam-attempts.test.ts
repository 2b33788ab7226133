import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, onPostgres, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';
import { ManualClock } from '../../api/src/lib/clock.js';
import { query, queryOne, sql } from '../../api/src/lib/sql.js';
import { createOrm } from '../../api/src/db/orm.js';
import { finaliseOverdue } from '../../api/src/modules/exams/attempt-grading.js';

// 10:00 in China on 3 December 2026.
const NOW = '2026-12-03T02:00:00Z';
let ctx: TestContext;
type Who = 'trainer' | 'manager' | 'managerB' | 'a1' | 'a2' | 'b1';
const tokens = {} as Record<Who, string>;
const ids = {} as Record<Who, string>;
const TAG = `attempts-${Date.now().toString(36)}`;
const qs: { id: string; key: string }[] = [];
let essayId = '';
let areaId = '';

const as = (who: Who, lang = 'en') => ({ ...bearer(tokens[who]), 'accept-language': lang });
const call = (who: Who, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object, lang = 'en') =>
  ctx.app.inject({ method, url, headers: as(who, lang), ...(payload ? { payload } : {}) });
const errors = (res: LightMyRequestResponse) => (res.json().errors ?? []) as { path: string; code: string; message: string }[];
const em = () => ctx.orm.em.fork();

/** Keys that would give an answer away; none may reach a learner before the review allows it. */
const KEY_FIELDS = ['correct', 'weight', 'feedback', 'feedbackHtml', 'explanation', 'explanationHtml', 'rubric', 'rubricHtml', 'modelAnswer',
  'modelAnswerHtml', 'answers', 'pairs', 'score', 'fraction', 'passed', 'key'];
function keysIn(v: unknown, path = '$', out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x, i) => keysIn(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      // `$.answers` of an attempt are the learner's own saved responses.
      if (KEY_FIELDS.includes(k) && !(path === '$' && k === 'answers')) out.push(`${path}.${k}`);
      keysIn(x, `${path}.${k}`, out);
    }
  }
  return out;
}

async function makeExam(over: Record<string, unknown> = {}) {
  const body = {
    titleZh: '十二月月考', titleEn: 'December exam', kind: 'monthly', period: '2026-12',
    opensAt: '2026-12-03T01:00:00Z', closesAt: '2026-12-05T15:00:00Z', timeLimitMinutes: 30, passMark: 2,
    userIds: [ids.a1, ids.a2], reviewWhen: 'immediately', reviewAnswers: true, reviewFeedback: true, graceSeconds: 60, attemptsAllowed: 2,
    items: [{ kind: 'fixed', questionId: qs[0].id }, { kind: 'fixed', questionId: essayId }, { kind: 'random', tag: TAG, drawCount: 2 }],
    ...over,
  };
  const created = await call('trainer', 'POST', '/api/exams', body);
  expect(created.statusCode, created.body).toBe(201);
  const published = await call('trainer', 'POST', `/api/exams/${created.json().id}/publish`);
  expect(published.statusCode, published.body).toBe(200);
  return created.json().id as string;
}

/** The right response to a slot, from the question bank's own record of which option is right. */
async function rightResponse(attemptId: string, slot: number) {
  const row = await queryOne<{ content: { type: string; options?: { correct: boolean }[] } }>(em(), sql`
    select v.content from attempt_question s join question_version v on v.id = s.question_version_id where s.attempt_id = ${attemptId} and s.slot = ${slot}`);
  const c = row!.content;
  if (c.type === 'essay') return { text: '提升单箱均价要从结构入手。' };
  return { choice: c.options!.findIndex((o) => o.correct) };
}

beforeAll(async () => {
  ctx = await createTestContext({ clock: new ManualClock(NOW) });
  const tree = await makeOrgTree(ctx.orm);
  areaId = tree.areaA.id;
  const specs: [Who, Parameters<typeof makeUser>[1]][] = [
    ['trainer', { role: 'trainer', orgUnitId: tree.company.id }],
    ['manager', { role: 'manager', orgUnitId: tree.countyA.id }],
    ['managerB', { role: 'manager', orgUnitId: tree.countyB.id }],
    ['a1', { orgUnitId: tree.areaA.id, position: 'account_manager' }],
    ['a2', { orgUnitId: tree.areaA.id, position: 'account_manager' }],
    ['b1', { orgUnitId: tree.areaB.id, position: 'account_manager' }],
  ];
  for (const [who, spec] of specs) {
    const u = await makeUser(ctx.orm, spec);
    ids[who] = u.id;
    tokens[who] = ctx.app.signAccessToken({ id: u.id, role: u.role, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });
  }
  for (let i = 0; i < 5; i++) {
    const res = await call('trainer', 'POST', '/api/questions', {
      type: 'single_choice', key: `${TAG}-${i}`, stem: `题干 ${i}`, points: 1, difficulty: 3, language: 'zh', tags: i ? [TAG] : [], status: 'active',
      explanation: `解析 ${i}`,
      options: [{ text: `甲${i}`, correct: i % 2 === 0, feedback: '反馈甲' }, { text: `乙${i}`, correct: i % 2 === 1, feedback: '反馈乙' }, { text: `丙${i}`, correct: false }],
    });
    expect(res.statusCode, res.body).toBe(201);
    qs.push({ id: res.json().id, key: `${TAG}-${i}` });
  }
  const essay = await call('trainer', 'POST', '/api/questions', {
    type: 'essay', key: `${TAG}-essay`, stem: '谈谈如何提升单箱均价。', points: 5, difficulty: 4, status: 'active', rubric: '分析（3分）；措施（2分）。',
  });
  expect(essay.statusCode, essay.body).toBe(201);
  essayId = essay.json().id;
});
afterAll(async () => { await ctx.close(); });

describe('taking an exam', () => {
  it('starts with a snapshot that carries no key, and resumes the same attempt however often it is started', async () => {
    const examId = await makeExam();
    const list = await call('a1', 'GET', '/api/me/exams');
    expect(list.statusCode, list.body).toBe(200);
    const mine = list.json().items.find((x: { id: string }) => x.id === examId);
    expect(mine).toMatchObject({ state: 'open', canStart: true, inProgress: null, questionCount: 4, attemptsAllowed: 2, attemptsUsed: 0, dueSoon: false });
    expect((await call('b1', 'GET', '/api/me/exams')).json().items.map((x: { id: string }) => x.id)).not.toContain(examId);

    const started = await call('a1', 'POST', `/api/exams/${examId}/attempts`);
    expect(started.statusCode, started.body).toBe(201);
    const a = started.json();
    expect(a.questions).toHaveLength(4);
    expect(a.deadlineAt).toBe(new Date(new Date(NOW).getTime() + 30 * 60_000).toISOString());
    expect(keysIn(a)).toEqual([]);
    // The snapshot is what the database holds: pinned versions, recorded as used.
    const used = await query<{ n: number }>(em(), sql`select count(*)::int as n from question_usage where used_by_type = 'exam_attempt' and used_by_id = ${a.id}`);
    expect(used[0].n).toBe(4);
    // Options come in the attempt's order, each still named by its place in the question.
    const choice = a.questions.find((x: { type: string }) => x.type === 'single_choice');
    expect(choice.options.map((o: { id: string }) => o.id).sort()).toEqual(['0', '1', '2']);

    const again = await Promise.all([1, 2, 3, 4, 5].map(() => call('a1', 'POST', `/api/exams/${examId}/attempts`)));
    for (const r of again) {
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ id: a.id, resumed: true });
    }
    const [{ n }] = await query<{ n: number }>(em(), sql`select count(*)::int as n from exam_attempt where exam_id = ${examId} and user_id = ${ids.a1}`);
    expect(n).toBe(1);
    // Another person's attempt, or a person outside the audience: 404, like one that does not exist.
    expect((await call('a2', 'GET', `/api/attempts/${a.id}`)).statusCode).toBe(404);
    expect((await call('b1', 'POST', `/api/exams/${examId}/attempts`)).statusCode).toBe(404);
    expect((await call('a2', 'PUT', `/api/attempts/${a.id}/answers`, { answers: [{ slot: 0, seq: 1, response: { choice: 0 } }] })).statusCode).toBe(404);
    expect((await call('a2', 'POST', `/api/attempts/${a.id}/submit`, {})).statusCode).toBe(404);
    expect((await call('a2', 'GET', `/api/attempts/${a.id}/review`)).statusCode).toBe(404);
  });

  it('keeps the newest answer per question whatever order saves arrive in, and refuses a bad batch whole', async () => {
    const examId = await makeExam();
    const a = (await call('a1', 'POST', `/api/exams/${examId}/attempts`)).json();
    const save = (answers: object[]) => call('a1', 'PUT', `/api/attempts/${a.id}/answers`, { answers });
    const r3 = await save([{ slot: 0, seq: 3, response: { choice: 2 }, flagged: true }, { slot: 1, seq: 1, response: { text: '草稿' } }]);
    expect(r3.statusCode, r3.body).toBe(200);
    expect(r3.json().acknowledged).toEqual([{ slot: 0, seq: 3 }, { slot: 1, seq: 1 }]);
    // An older save arriving late, and a replay of the same one: nothing changes, and the client is told seq 3 is kept.
    const old = await save([{ slot: 0, seq: 2, response: { choice: 1 } }]);
    expect(old.json().acknowledged).toEqual([{ slot: 0, seq: 3 }]);
    const replay = await save([{ slot: 0, seq: 3, response: { choice: 0 } }]);
    expect(replay.json().acknowledged).toEqual([{ slot: 0, seq: 3 }]);
    const kept = await query<{ slot: number; seq: number; response: { choice?: number }; flagged: boolean }>(em(), sql`
      select slot, seq, response, flagged from attempt_answer where attempt_id = ${a.id} order by slot`);
    expect(kept[0]).toMatchObject({ slot: 0, seq: 3, response: { choice: 2 }, flagged: true });

    const unknown = await save([{ slot: 1, seq: 9, response: { text: '新的' } }, { slot: 4, seq: 1, response: { choice: 0 } }]);
    expect(unknown.statusCode).toBe(400);
    expect(errors(unknown)[0]).toMatchObject({ path: 'answers.1.slot' });
    const twice = await save([{ slot: 1, seq: 9, response: { text: 'a' } }, { slot: 1, seq: 10, response: { text: 'b' } }]);
    expect(twice.statusCode).toBe(400);
    expect(errors(twice)[0].path).toBe('answers.1.slot');
    // Neither bad batch changed anything.
    const after = await queryOne<{ seq: number }>(em(), sql`select seq from attempt_answer where attempt_id = ${a.id} and slot = 1`);
    expect(after!.seq).toBe(1);
    // Bodies of the wrong shape: a clear 400, never a 5xx, never coerced.
    for (const body of [{}, { answers: [] }, { answers: [{ slot: '0', seq: 1, response: {} }] }, { answers: [{ slot: 0, seq: 0, response: {} }] },
      { answers: [{ slot: 0, seq: 1, response: 'x' }] }, { answers: [{ slot: -1, seq: 1, response: {} }] }, { answers: null }, { answers: [{ slot: 0, seq: 1.5, response: {} }] }]) {
      const r = await call('a1', 'PUT', `/api/attempts/${a.id}/answers`, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
    }
    const long = await save([{ slot: 1, seq: 20, response: { text: 'x'.repeat(50_000) } }]);
    expect(long.statusCode).toBe(400);
    expect(errors(long)[0].path).toBe('answers.0.response');
  });

  it('submits once, grades by the bank, shows the review the policy allows, and answers a repeated submit the same', async () => {
    const examId = await makeExam();
    const a = (await call('a1', 'POST', `/api/exams/${examId}/attempts`)).json();
    const answers = [];
    for (const q of a.questions) answers.push({ slot: q.slot, seq: 1, response: await rightResponse(a.id, q.slot) });
    const submitted = await call('a1', 'POST', `/api/attempts/${a.id}/submit`, { answers });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'submitted', finishedBy: 'learner', reviewAvailable: true });
    const again = await call('a1', 'POST', `/api/attempts/${a.id}/submit`, {});
    expect(again.json()).toEqual(submitted.json());

    const row = await queryOne<{ score: number; max_score: number; needs_grading: boolean; passed: boolean | null }>(em(), sql`
      select score::float as score, max_score::float as max_score, needs_grading, passed from exam_attempt where id = ${a.id}`);
    // Three choices right (3 points); the essay (5) waits for a grader.
    expect(row).toMatchObject({ score: 3, max_score: 8, needs_grading: true, passed: null });
    const review = await call('a1', 'GET', `/api/attempts/${a.id}/review`);
    expect(review.statusCode, review.body).toBe(200);
    const r = review.json();
    expect(r).toMatchObject({ available: true, score: 3, maxScore: 8, pendingGrading: true, passed: null });
    const essay = r.questions.find((x: { type: string }) => x.type === 'essay');
    expect(essay).toMatchObject({ pendingGrading: true, correct: null, answer: { text: '提升单箱均价要从结构入手。' } });
    expect(JSON.stringify(essay)).not.toContain('分析（3分）'); // the rubric is the grader's
    const choice = r.questions.find((x: { type: string }) => x.type === 'single_choice');
    expect(choice.correct).toBe(true);
    expect(choice.key.options.some((o: { correct: boolean }) => o.correct)).toBe(true);
    expect(choice.explanationHtml).toContain('解析');

    // The trainer grades the essay from the queue: the attempt is complete, its total and pass follow.
    const queue = await call('trainer', 'GET', `/api/exams/${examId}/grading`);
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.body).toContain(a.id);
    const graded = await call('trainer', 'PUT', `/api/attempts/${a.id}/questions/${essay.slot}/grade`, { score: 4, comment: '结构清楚' });
    expect(graded.statusCode, graded.body).toBe(200);
    const afterGrading = (await call('a1', 'GET', `/api/attempts/${a.id}/review`)).json();
    expect(afterGrading).toMatchObject({ score: 7, maxScore: 8, pendingGrading: false, passed: true });
    expect(afterGrading.questions.find((x: { type: string }) => x.type === 'essay')).toMatchObject({ score: 4, pendingGrading: false, graderComment: '结构清楚' });

    // Saving after submitting: refused with a reason, and kept for trainers as late.
    const late = await call('a1', 'PUT', `/api/attempts/${a.id}/answers`, { answers: [{ slot: 0, seq: 5, response: { choice: 1 } }] }, 'zh');
    expect(late.statusCode).toBe(409);
    expect(late.json().detail ?? late.json().title).toMatch(/已提交/);
    const log = await call('trainer', 'GET', `/api/attempts/${a.id}/integrity`);
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json().lateAnswers).toMatchObject([{ slot: 0, seq: 5, response: { choice: 1 } }]);
    expect(log.json().events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['started', 'submitted', 'late_save']));
    expect((await call('a1', 'GET', `/api/attempts/${a.id}/integrity`)).statusCode).toBe(403);
    expect((await call('managerB', 'GET', `/api/attempts/${a.id}/integrity`)).statusCode).toBe(404);
    expect((await call('manager', 'GET', `/api/attempts/${a.id}/integrity`)).statusCode).toBe(200);

    // Second attempt allowed, third not.
    const second = await call('a1', 'POST', `/api/exams/${examId}/attempts`);
    expect(second.statusCode).toBe(201);
    await call('a1', 'POST', `/api/attempts/${second.json().id}/submit`, {});
    const third = await call('a1', 'POST', `/api/exams/${examId}/attempts`);
    expect(third.statusCode).toBe(409);
    expect(errors(third)[0].code ?? errors(third)[0]).toBeTruthy();
    const listed = (await call('a1', 'GET', '/api/me/exams')).json().items.find((x: { id: string }) => x.id === examId);
    expect(listed).toMatchObject({ canStart: false, blockedReason: 'attempt.none_left', attemptsUsed: 2 });
  });

  it('hides the review until the exam closes when the policy says so', async () => {
    const examId = await makeExam({ reviewWhen: 'after_close', reviewAnswers: true });
    const a = (await call('a2', 'POST', `/api/exams/${examId}/attempts`)).json();
    await call('a2', 'PUT', `/api/attempts/${a.id}/answers`, { answers: [{ slot: 0, seq: 1, response: { choice: 0 } }] });
    const s = await call('a2', 'POST', `/api/attempts/${a.id}/submit`, {});
    expect(s.json()).toMatchObject({ reviewAvailable: false, reviewFrom: '2026-12-05T15:00:00.000Z' });
    const before = await call('a2', 'GET', `/api/attempts/${a.id}/review`);
    expect(before.json()).toMatchObject({ available: false, questions: [] });
    expect(keysIn(before.json())).toEqual([]);
    const got = await call('a2', 'GET', `/api/attempts/${a.id}`);
    expect(keysIn(got.json())).toEqual([]);
    const listed = (await call('a2', 'GET', '/api/me/exams')).json();
    expect(keysIn(listed.items.find((x: { id: string }) => x.id === examId))).toEqual([]);
    expect(listed.items.find((x: { id: string }) => x.id === examId).result).toBeNull();
  });

  it('accepts saves within the grace, then refuses and keeps them, and finalises the attempt once', async () => {
    const clock = ctx.clock;
    const examId = await makeExam({ timeLimitMinutes: 10, graceSeconds: 60 });
    const a = (await call('a2', 'POST', `/api/exams/${examId}/attempts`)).json();
    try {
      clock.advance(10 * 60_000 + 30_000); // past the deadline, within the grace
      const inGrace = await call('a2', 'PUT', `/api/attempts/${a.id}/answers`, { answers: [{ slot: 0, seq: 1, response: { choice: 0 } }] });
      expect(inGrace.statusCode, inGrace.body).toBe(200);
      clock.advance(60_000);
      const tooLate = await call('a2', 'PUT', `/api/attempts/${a.id}/answers`, { answers: [{ slot: 2, seq: 1, response: { choice: 1 } }] });
      expect(tooLate.statusCode).toBe(409);
      expect(tooLate.json().detail ?? '').toMatch(/time is up/i);
      const row = await queryOne<{ status: string; finished_by: string; submitted_at: Date; deadline_at: Date }>(em(), sql`
        select status, finished_by, submitted_at, deadline_at from exam_attempt where id = ${a.id}`);
      expect(row).toMatchObject({ status: 'finalised', finished_by: 'deadline' });
      expect(new Date(row!.submitted_at).getTime()).toBe(new Date(row!.deadline_at).getTime());
      // The saved answer counts, the late one does not.
      const graded = await query<{ slot: number; score: number | null }>(em(), sql`select slot, score::float as score from attempt_question where attempt_id = ${a.id} order by slot`);
      expect(graded.find((g) => g.slot === 2)!.score).toBe(0);
      // Finalising again finds nothing to do.
      expect(await finaliseOverdue(em(), clock.now(), { attemptIds: [a.id] })).toEqual([]);
      const events = await query<{ n: number }>(em(), sql`select count(*)::int as n from attempt_event where attempt_id = ${a.id} and kind = 'finalised'`);
      expect(events[0].n).toBe(1);
      // A submit after that answers the same finished attempt.
      const sub = await call('a2', 'POST', `/api/attempts/${a.id}/submit`, {});
      expect(sub.json()).toMatchObject({ status: 'finalised', finishedBy: 'deadline' });
    } finally {
      clock.set(NOW);
    }
  });

  it('records integrity events from the client and refuses unknown kinds', async () => {
    const examId = await makeExam();
    // Five starts at once (a double tap, a retry, two tabs): one attempt is made, every start answers it.
    const starts = await Promise.all([1, 2, 3, 4, 5].map(() => call('a2', 'POST', `/api/exams/${examId}/attempts`)));
    expect(starts.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(starts.map((r) => r.json().id)).size).toBe(1);
    const a = starts[0].json();
    ctx.clock.advance(1000);
    const ok = await call('a2', 'POST', `/api/attempts/${a.id}/events`, { events: [{ kind: 'hidden', at: NOW }, { kind: 'visible', at: NOW, detail: '12 s' }] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ recorded: 2 });
    const bad = await call('a2', 'POST', `/api/attempts/${a.id}/events`, { events: [{ kind: 'finalised', at: NOW }] });
    expect(bad.statusCode).toBe(400);
    const log = (await call('trainer', 'GET', `/api/attempts/${a.id}/integrity`)).json();
    expect(log.events.map((e: { kind: string }) => e.kind)).toEqual(['started', 'hidden', 'visible']);
    ctx.clock.set(NOW);
  });
});

describe('nothing a learner receives gives an answer away before the review policy allows it', () => {
  const policies = [
    { reviewWhen: 'never', reviewScore: true, reviewCorrectness: true, reviewAnswers: true, reviewFeedback: true, expect: [] as string[] },
    { reviewWhen: 'after_close', reviewScore: true, reviewCorrectness: true, reviewAnswers: true, reviewFeedback: true, expect: [] as string[] },
    { reviewWhen: 'immediately', reviewScore: false, reviewCorrectness: false, reviewAnswers: false, reviewFeedback: false, expect: [] as string[] },
    { reviewWhen: 'immediately', reviewScore: true, reviewCorrectness: false, reviewAnswers: false, reviewFeedback: false, expect: ['score', 'passed'] },
    { reviewWhen: 'immediately', reviewScore: false, reviewCorrectness: true, reviewAnswers: false, reviewFeedback: false, expect: ['correct'] },
    { reviewWhen: 'immediately', reviewScore: false, reviewCorrectness: false, reviewAnswers: true, reviewFeedback: false, expect: ['key', 'correct', 'weight', 'modelAnswerHtml'] },
  ];
  for (const policy of policies) {
    it(`walks every learner response under ${JSON.stringify(policy)}`, async () => {
      const { expect: allowed, ...settings } = policy;
      const examId = await makeExam({ ...settings, userIds: [ids.a1] });
      const seen: { name: string; body: unknown }[] = [];
      const keep = (name: string, res: LightMyRequestResponse) => { expect(res.statusCode, `${name}: ${res.body}`).toBeLessThan(300); seen.push({ name, body: res.json() }); return res.json(); };
      // Of the learner's list, this exam's entry (the others follow their own policies).
      const listed = async (name: string) => {
        const res = await call('a1', 'GET', '/api/me/exams');
        expect(res.statusCode).toBe(200);
        seen.push({ name, body: res.json().items.find((x: { id: string }) => x.id === examId) });
      };
      await listed('listMyExams');
      const a = keep('startAttempt', await call('a1', 'POST', `/api/exams/${examId}/attempts`));
      keep('getAttempt', await call('a1', 'GET', `/api/attempts/${a.id}`));
      const answers = [];
      for (const q of a.questions) answers.push({ slot: q.slot, seq: 1, response: await rightResponse(a.id, q.slot) });
      keep('saveAnswers', await call('a1', 'PUT', `/api/attempts/${a.id}/answers`, { answers }));
      keep('recordAttemptEvents', await call('a1', 'POST', `/api/attempts/${a.id}/events`, { events: [{ kind: 'hidden', at: NOW }] }));
      keep('submitAttempt', await call('a1', 'POST', `/api/attempts/${a.id}/submit`, {}));
      keep('getAttempt after submit', await call('a1', 'GET', `/api/attempts/${a.id}`));
      await listed('listMyExams after submit');
      const review = keep('getAttemptReview', await call('a1', 'GET', `/api/attempts/${a.id}/review`));
      const leaks = seen.flatMap(({ name, body }) => keysIn(body).map((k) => `${name} ${k}`));
      const unexpected = leaks.filter((l) => !allowed.some((k) => l.endsWith(`.${k}`)));
      expect(unexpected).toEqual([]);
      // The texts of the explanation and the option feedback never appear unless feedback is shown.
      const text = JSON.stringify(seen.map((x) => x.body));
      expect(text).not.toContain('解析');
      expect(text).not.toContain('反馈甲');
      expect(text).not.toContain('分析（3分）');
      if (policy.reviewWhen === 'immediately' && policy.reviewAnswers) expect(review.questions.some((q: { key?: unknown }) => q.key)).toBe(true);
      if (policy.reviewWhen === 'immediately' && policy.reviewScore) expect(review.score).toBe(3);
    });
  }
});

describe.runIf(onPostgres())('finalising on PostgreSQL from several processes at once', () => {
  it('finalises each overdue attempt exactly once', async () => {
    const people: string[] = [];
    const tokenOf = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      const u = await makeUser(ctx.orm, { orgUnitId: areaId, position: 'account_manager' });
      people.push(u.id);
      tokenOf.set(u.id, ctx.app.signAccessToken({ id: u.id, role: u.role, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false }));
    }
    const examId = await makeExam({ userIds: people, timeLimitMinutes: 5, graceSeconds: 0 });
    const attemptIds: string[] = [];
    for (const id of people) {
      const r = await ctx.app.inject({ method: 'POST', url: `/api/exams/${examId}/attempts`, headers: bearer(tokenOf.get(id)!) });
      expect(r.statusCode, r.body).toBe(201);
      attemptIds.push(r.json().id);
      await ctx.app.inject({ method: 'PUT', url: `/api/attempts/${r.json().id}/answers`, headers: bearer(tokenOf.get(id)!), payload: { answers: [{ slot: 0, seq: 1, response: { choice: 0 } }] } });
    }
    const others = await Promise.all([1, 2, 3].map(() => createOrm({ url: ctx.url!, poolMax: 2 })));
    try {
      const later = new Date(ctx.clock.now().getTime() + 3600_000);
      const results = await Promise.all(others.flatMap((o) => [finaliseOverdue(o.em.fork(), later, { limit: 3 }), finaliseOverdue(o.em.fork(), later, { limit: 50 })]));
      const all = results.flat();
      expect(new Set(all).size).toBe(all.length);
      // Every attempt of this exam, each by one of the six runs (attempts other tests left in progress go too).
      expect(all.filter((id) => attemptIds.includes(id)).sort()).toEqual([...attemptIds].sort());
      const rows = await query<{ id: string; status: string; events: number; score: number | null }>(em(), sql`
        select a.id, a.status, a.score::float as score,
               (select count(*)::int from attempt_event e where e.attempt_id = a.id and e.kind = 'finalised') as events
          from exam_attempt a where a.exam_id = ${examId}`);
      expect(rows).toHaveLength(20);
      for (const r of rows) expect(r).toMatchObject({ status: 'finalised', events: 1 });
      expect(rows.every((r) => r.score !== null)).toBe(true);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });
});
