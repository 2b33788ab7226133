import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/src/lib/clock.js';
import { exec, query, queryOne, sql } from '../../api/src/lib/sql.js';
import { recomputeAttempts } from '../../api/src/modules/exams/attempt-score.js';
import { regradeChangesFor } from '../../api/src/modules/exams/grading.service.js';
import { normaliseQuestion } from '../../api/src/modules/questions/question-model.js';
import { insertQuestions, loadQuestion, saveQuestion } from '../../api/src/modules/questions/question-store.js';
import { seededRandom } from '../../api/src/lib/seeded-random.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';

let ctx: TestContext;
const clock = new ManualClock('2026-12-03T08:00:00Z');
const em = () => ctx.orm.em.fork();
const tokens: Record<'trainer' | 'admin' | 'manager' | 'staff', string> = { trainer: '', admin: '', manager: '', staff: '' };

/** The fixture: an exam with a fixed essay (slot 0) and a fixed single choice (slot 1), two finished attempts, one in progress. */
const f = {
  examId: '', essayId: '', choiceId: '', otherQuestionId: '', choiceV1: '', essayV1: '',
  /** Finished attempts: `right` chose the keyed option, `wrong` the other one. */
  right: { attemptId: '', name: '' }, wrong: { attemptId: '', name: '' }, open: { attemptId: '' },
};

const ESSAY = { type: 'essay', key: 'g-essay', language: 'zh', stem: '谈谈**自报需求**的意义。', points: 10, difficulty: 3,
  rubric: '意义（5分）；做法（5分）。', modelAnswer: '按订单组织货源。' };
const CHOICE = (correct: number) => ({
  type: 'single_choice', key: 'g-choice', language: 'zh', stem: '总量浮动有没有下限？', points: 2, difficulty: 2,
  options: [{ text: '没有下限', correct: correct === 0 }, { text: '有下限', correct: correct === 1 }],
});

async function makeFixture() {
  const tree = await makeOrgTree(ctx.orm);
  const trainer = await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id });
  const admin = await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id });
  const manager = await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyA.id });
  const learners = [
    await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, displayName: '张答对' }),
    await makeUser(ctx.orm, { orgUnitId: tree.areaA.id, displayName: '李答错' }),
    await makeUser(ctx.orm, { orgUnitId: tree.areaB.id, displayName: '王未交' }),
  ];
  const sign = (u: { id: string; role: string; orgUnitId: string }) => ctx.app.signAccessToken({
    id: u.id, role: u.role as never, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });
  tokens.trainer = sign(trainer);
  tokens.admin = sign(admin);
  tokens.manager = sign(manager);
  tokens.staff = sign(learners[0]);
  const fork = em();
  const [essayId, choiceId, otherId] = await fork.transactional((tx) => insertQuestions(tx, [ESSAY, CHOICE(0), { ...CHOICE(0), key: 'g-other' }]
    .map((q) => ({ question: normaliseQuestion(q), status: 'active' as const, source: 'browser' as const, createdBy: trainer.id }))));
  f.essayId = essayId!;
  f.choiceId = choiceId!;
  f.otherQuestionId = otherId!;
  const versions = new Map((await query<{ question_id: string; id: string }>(em(), sql`
    select question_id, id from question_version where question_id = any(${[f.essayId, f.choiceId]}::uuid[])`)).map((r) => [r.question_id, r.id]));
  f.essayV1 = versions.get(f.essayId)!;
  f.choiceV1 = versions.get(f.choiceId)!;
  f.examId = randomUUID();
  const items = [randomUUID(), randomUUID()];
  await exec(em(), sql`
    insert into exam (id, title_zh, title_en, kind, period, status, opens_at, closes_at, pass_mark, org_unit_ids, created_by, published_at)
    values (${f.examId}, '十二月月考', 'December exam', 'monthly', '2026-12', 'published', '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', 6,
            ${[tree.company.id]}::uuid[], ${trainer.id}, '2026-11-30T00:00:00Z')`);
  await exec(em(), sql`
    insert into exam_item (id, exam_id, position, kind, question_id, question_version_id) values
      (${items[0]}, ${f.examId}, 0, 'fixed', ${f.essayId}, ${f.essayV1}),
      (${items[1]}, ${f.examId}, 1, 'fixed', ${f.choiceId}, ${f.choiceV1})`);
  const attempts = [
    { learner: learners[0], status: 'submitted', essay: '自报需求让货源跟着订单走。', choice: 0 },
    { learner: learners[1], status: 'finalised', essay: '不知道。', choice: 1 },
    { learner: learners[2], status: 'in_progress', essay: '还在写', choice: 0 },
  ];
  const ids: string[] = [];
  for (const a of attempts) {
    const id = randomUUID();
    ids.push(id);
    const finished = a.status !== 'in_progress';
    await exec(em(), sql`
      insert into exam_attempt (id, exam_id, user_id, number, status, started_at, deadline_at, submitted_at, finished_by)
      values (${id}, ${f.examId}, ${a.learner.id}, 1, ${a.status}, '2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z',
              ${finished ? '2026-12-01T02:40:00Z' : null}, ${finished ? (a.status === 'submitted' ? 'learner' : 'deadline') : null})`);
    const choiceScore = a.choice === 0 ? 2 : 0;
    await exec(em(), sql`
      insert into attempt_question (attempt_id, slot, exam_item_id, question_version_id, points, option_order, score, fraction, correct, needs_grading) values
        (${id}, 0, ${items[0]}, ${f.essayV1}, 10, null, ${finished ? 0 : null}, null, null, ${finished}),
        (${id}, 1, ${items[1]}, ${f.choiceV1}, 2, '{1,0}', ${finished ? choiceScore : null}, ${finished ? choiceScore / 2 : null},
         ${finished ? a.choice === 0 : null}, false)`);
    await exec(em(), sql`
      insert into attempt_answer (attempt_id, slot, response, seq) values
        (${id}, 0, ${JSON.stringify({ text: a.essay })}::jsonb, 1), (${id}, 1, ${JSON.stringify({ choice: a.choice })}::jsonb, 1)`);
  }
  await recomputeAttempts(em(), ids);
  f.right = { attemptId: ids[0], name: learners[0].displayName };
  f.wrong = { attemptId: ids[1], name: learners[1].displayName };
  f.open = { attemptId: ids[2] };
}

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  await makeFixture();
}, 120_000);
afterAll(async () => ctx?.close());

type Who = keyof typeof tokens;
const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, who: Who = 'trainer', lang = 'zh') =>
  ctx.app.inject({ method, url, headers: { ...bearer(tokens[who]), 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });
const grade = (attemptId: string, slot: number, body: unknown, who: Who = 'trainer', lang = 'zh') =>
  call('PUT', `/api/attempts/${attemptId}/questions/${slot}/grade`, body, who, lang);
const regrade = (body: unknown, who: Who = 'trainer') => call('POST', `/api/exams/${f.examId}/regrade`, body, who);

const slotOf = (attemptId: string, slot: number) => queryOne<{ score: number | null; points: number; needs_grading: boolean; graded_by: string | null;
  grader_comment: string; question_version_id: string; correct: boolean | null }>(em(), sql`
  select score::float as score, points::float as points, needs_grading, graded_by, grader_comment, question_version_id, correct
    from attempt_question where attempt_id = ${attemptId} and slot = ${slot}`);
const attemptOf = (id: string) => queryOne<{ score: number | null; needs_grading: boolean; passed: boolean | null }>(em(), sql`
  select score::float as score, needs_grading, passed from exam_attempt where id = ${id}`);

describe('grading queue', () => {
  it('lists only the slots a person grades, of finished attempts, question by question, anonymous by default', async () => {
    const res = await call('GET', `/api/exams/${f.examId}/grading`);
    expect(res.statusCode, res.body).toBe(200);
    const queue = res.json();
    expect(queue.exam.title).toBe('十二月月考');
    expect(queue.questions).toHaveLength(1);
    const [q] = queue.questions;
    expect(q).toMatchObject({ questionId: f.essayId, versionId: f.essayV1, versionNumber: 1, type: 'essay', total: 2, ungraded: 2 });
    expect(q.stemHtml).toContain('<strong>自报需求</strong>');
    expect(q.rubricHtml).toContain('意义（5分）');
    expect(q.modelAnswerHtml).toContain('按订单组织货源');
    expect(q.entries.map((e: { number: number }) => e.number)).toEqual([1, 2]);
    expect(q.entries.map((e: { attemptId: string }) => e.attemptId).sort()).toEqual([f.right.attemptId, f.wrong.attemptId].sort());
    expect(q.entries.every((e: { slot: number; learner: unknown; graded: boolean; points: number }) =>
      e.slot === 0 && e.learner === null && !e.graded && e.points === 10)).toBe(true);
    expect(q.entries.map((e: { responseText: string }) => e.responseText).sort()).toEqual(['不知道。', '自报需求让货源跟着订单走。'].sort());
    expect(res.body).not.toContain(f.right.name);
    expect(res.body).not.toContain(f.wrong.name);
    expect(res.body).not.toContain('还在写');

    const named = (await call('GET', `/api/exams/${f.examId}/grading?names=true`)).json();
    const names = named.questions[0].entries.map((e: { learner: { displayName: string } }) => e.learner.displayName).sort();
    expect(names).toEqual([f.right.name, f.wrong.name].sort());
    expect((await call('GET', `/api/exams/${f.examId}/grading?status=graded`)).json().questions[0].entries).toEqual([]);
    expect((await call('GET', `/api/exams/${f.examId}/grading?status=bogus`)).statusCode).toBe(400);
  });

  it('answers 404 for an exam that does not exist, and 403 to those who do not grade', async () => {
    expect((await call('GET', `/api/exams/${randomUUID()}/grading`)).statusCode).toBe(404);
    expect((await call('GET', `/api/exams/${f.examId}/grading`, undefined, 'admin')).statusCode).toBe(200);
    expect((await call('GET', `/api/exams/${f.examId}/grading`, undefined, 'manager')).statusCode).toBe(403);
    expect((await grade(f.right.attemptId, 0, { score: 1 }, 'staff')).statusCode).toBe(403);
  });
});

describe('grading an answer', () => {
  it('refuses a score outside 0..points, naming the field in zh and en, and changes nothing', async () => {
    const before = await slotOf(f.right.attemptId, 0);
    for (const score of [10.5, -1, 11, 1e308, 2.555]) {
      const res = await grade(f.right.attemptId, 0, { score, comment: '不该留下' });
      expect(res.statusCode, `${score}`).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].path).toBe('score');
    }
    expect((await grade(f.right.attemptId, 0, { score: 11 })).json().errors[0].message).toContain('0 到 10');
    expect((await grade(f.right.attemptId, 0, { score: 11 }, 'trainer', 'en')).json().errors[0].message).toBe('must be between 0 and 10');
    expect((await grade(f.right.attemptId, 0, { score: '5' })).statusCode).toBe(400);
    expect(await slotOf(f.right.attemptId, 0)).toEqual(before);
    expect((await attemptOf(f.right.attemptId))!.needs_grading).toBe(true);
  });

  it('grades only manual slots of finished attempts', async () => {
    const auto = await grade(f.right.attemptId, 1, { score: 1 });
    expect(auto.statusCode).toBe(409);
    expect(auto.json().errors[0]).toMatchObject({ path: 'slot', code: 'grading.not_manual' });
    const open = await grade(f.open.attemptId, 0, { score: 1 }, 'trainer', 'en');
    expect(open.statusCode).toBe(409);
    expect(open.json().errors[0]).toMatchObject({ path: 'attemptId', code: 'grading.attempt_not_finished' });
    expect(open.json().detail).toContain('not finished');
    expect((await grade(randomUUID(), 0, { score: 1 })).statusCode).toBe(404);
    expect((await grade(f.right.attemptId, 7, { score: 1 })).statusCode).toBe(404);
    expect((await slotOf(f.right.attemptId, 1))!.score).toBe(2);
    expect((await slotOf(f.open.attemptId, 0))!.score).toBeNull();
  });

  it("sets the slot's grade and the attempt's total and outcome; a later grade replaces an earlier one", async () => {
    const first = await grade(f.right.attemptId, 0, { score: 3, comment: '要点不全' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().entry).toMatchObject({ attemptId: f.right.attemptId, slot: 0, score: 3, points: 10, graded: true, comment: '要点不全' });
    expect(first.json().entry.gradedAt).toBe(clock.now().toISOString());
    // 3 + 2 points: graded, below the pass mark of 6.
    expect(first.json().attempt).toMatchObject({ score: 5, maxScore: 12, needsGrading: false, passed: false });
    expect(await attemptOf(f.right.attemptId)).toEqual({ score: 5, needs_grading: false, passed: false });

    clock.advance(60_000);
    const again = await grade(f.right.attemptId, 0, { score: 7.5 }, 'admin');
    expect(again.statusCode).toBe(200);
    expect(again.json().attempt).toMatchObject({ score: 9.5, passed: true });
    const slot = await slotOf(f.right.attemptId, 0);
    expect(slot).toMatchObject({ score: 7.5, needs_grading: false, grader_comment: '', correct: false });
    expect(await attemptOf(f.right.attemptId)).toEqual({ score: 9.5, needs_grading: false, passed: true });

    const full = await grade(f.wrong.attemptId, 0, { score: 10, comment: '满分' });
    expect(full.json().attempt).toMatchObject({ score: 10, passed: true });
    expect((await slotOf(f.wrong.attemptId, 0))!.correct).toBe(true);

    const queue = (await call('GET', `/api/exams/${f.examId}/grading?status=graded`)).json().questions[0];
    expect(queue).toMatchObject({ total: 2, ungraded: 0 });
    expect(queue.entries.map((e: { score: number }) => e.score).sort()).toEqual([10, 7.5]);
    expect((await call('GET', `/api/exams/${f.examId}/grading`)).json().questions[0].entries).toEqual([]);
  });
});

describe('regrading', () => {
  let v2 = '';

  it('checks the version and the question before it changes anything', async () => {
    const other = await queryOne<{ id: string }>(em(), sql`select current_version_id as id from question where id = ${f.otherQuestionId}`);
    const wrongVersion = await regrade({ questionId: f.choiceId, toVersionId: other!.id, reason: '修正答案' });
    expect(wrongVersion.statusCode).toBe(409);
    expect(wrongVersion.json().errors[0]).toMatchObject({ path: 'toVersionId', code: 'grading.version_not_of_question' });
    const notInExam = await regrade({ questionId: f.otherQuestionId, reason: '修正答案' });
    expect(notInExam.statusCode).toBe(409);
    expect(notInExam.json().errors[0]).toMatchObject({ path: 'questionId', code: 'grading.question_not_in_exam' });
    expect((await regrade({ questionId: randomUUID(), reason: '修正答案' })).statusCode).toBe(404);
    const blank = await regrade({ questionId: f.choiceId, reason: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors[0].path).toBe('reason');
    expect((await regrade({ questionId: f.choiceId })).json().errors[0].path).toBe('reason');
    expect((await call('POST', `/api/exams/${randomUUID()}/regrade`, { questionId: f.choiceId, reason: 'x' })).statusCode).toBe(404);
    expect((await regrade({ questionId: f.choiceId, reason: 'x' }, 'manager')).statusCode).toBe(403);
    expect((await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from exam_regrade`))!.n).toBe(0);
    expect((await slotOf(f.right.attemptId, 1))!.question_version_id).toBe(f.choiceV1);
  });

  it('moves the slots to a version with a corrected key, scores them again and records old, new and the reason', async () => {
    const stored = (await loadQuestion(em(), f.choiceId))!;
    await em().transactional((tx) => saveQuestion(tx, stored, normaliseQuestion(CHOICE(1)), { actorId: null }));
    v2 = (await queryOne<{ id: string }>(em(), sql`select current_version_id as id from question where id = ${f.choiceId}`))!.id;
    expect(v2).not.toBe(f.choiceV1);

    clock.advance(3600_000);
    const res = await regrade({ questionId: f.choiceId, reason: '原答案有误，应为“有下限”' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ questionId: f.choiceId, fromVersion: 1, toVersion: 2, attemptsRegraded: 2, attemptsChanged: 2,
      reason: '原答案有误，应为“有下限”', regradedAt: clock.now().toISOString() });

    expect(await slotOf(f.right.attemptId, 1)).toMatchObject({ score: 0, correct: false, question_version_id: v2 });
    expect(await slotOf(f.wrong.attemptId, 1)).toMatchObject({ score: 2, correct: true, question_version_id: v2 });
    // The essay grades stay; the totals follow the slots: 7.5 + 0 and 10 + 2.
    expect(await attemptOf(f.right.attemptId)).toEqual({ score: 7.5, needs_grading: false, passed: true });
    expect(await attemptOf(f.wrong.attemptId)).toEqual({ score: 12, needs_grading: false, passed: true });
    // The attempt in progress keeps its version; the exam's line takes the new one for attempts started from now on.
    expect((await slotOf(f.open.attemptId, 1))!.question_version_id).toBe(f.choiceV1);
    expect((await queryOne<{ v: string }>(em(), sql`select question_version_id as v from exam_item where exam_id = ${f.examId} and position = 1`))!.v).toBe(v2);

    const changes = await query<{ attempt_id: string; old_score: number; new_score: number }>(em(), sql`
      select attempt_id, old_score::float as old_score, new_score::float as new_score from exam_regrade_attempt`);
    expect(changes.sort((a, b) => a.old_score - b.old_score)).toEqual([
      { attempt_id: f.wrong.attemptId, old_score: 0, new_score: 2 }, { attempt_id: f.right.attemptId, old_score: 2, new_score: 0 }]);
    const mine = await regradeChangesFor(em(), f.wrong.attemptId);
    expect(mine).toEqual([expect.objectContaining({ questionId: f.choiceId, slots: [1], oldScore: 0, newScore: 2, fromVersion: 1, toVersion: 2,
      reason: '原答案有误，应为“有下限”', regradedAt: clock.now().toISOString() })]);
    expect(await regradeChangesFor(em(), f.open.attemptId)).toEqual([]);

    const list = await call('GET', `/api/exams/${f.examId}/regrades`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ questionKey: 'g-choice', fromVersion: 1, toVersion: 2, attemptsChanged: 2,
      reason: '原答案有误，应为“有下限”' })]);
    expect(list.json().items[0].regradedBy.displayName).toBeTruthy();
  });

  it('changes nothing when the same regrade runs again', async () => {
    const scoresBefore = await query(em(), sql`select attempt_id, slot, score, fraction, correct, needs_grading, question_version_id
      from attempt_question order by attempt_id, slot`);
    const totalsBefore = await query(em(), sql`select id, score, passed from exam_attempt order by id`);
    clock.advance(60_000);
    const res = await regrade({ questionId: f.choiceId, toVersionId: v2, reason: '再次确认' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ fromVersion: 2, toVersion: 2, attemptsRegraded: 2, attemptsChanged: 0 });
    expect(await query(em(), sql`select attempt_id, slot, score, fraction, correct, needs_grading, question_version_id
      from attempt_question order by attempt_id, slot`)).toEqual(scoresBefore);
    expect(await query(em(), sql`select id, score, passed from exam_attempt order by id`)).toEqual(totalsBefore);
    expect((await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from exam_regrade_attempt`))!.n).toBe(2);
    const items = (await call('GET', `/api/exams/${f.examId}/regrades`)).json().items;
    expect(items.map((i: { attemptsChanged: number }) => i.attemptsChanged)).toEqual([0, 2]);
    expect((await regradeChangesFor(em(), f.wrong.attemptId))).toHaveLength(1);
  });

  it("keeps a person's grade on a manual question, scaled when the new version is worth more", async () => {
    const stored = (await loadQuestion(em(), f.essayId))!;
    await em().transactional((tx) => saveQuestion(tx, stored, normaliseQuestion({ ...ESSAY, points: 20 }), { actorId: null }));
    const res = await regrade({ questionId: f.essayId, reason: '分值调整为20分' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ attemptsRegraded: 2, attemptsChanged: 2 });
    // The exam's line set no points of its own, so the slot takes the version's 20: 7.5 of 10 becomes 15 of 20.
    expect(await slotOf(f.right.attemptId, 0)).toMatchObject({ score: 15, points: 20, needs_grading: false });
    expect(await slotOf(f.wrong.attemptId, 0)).toMatchObject({ score: 20, points: 20, correct: true });
    expect(await attemptOf(f.right.attemptId)).toMatchObject({ score: 15 });
  });
});

describe('regrading many attempts', () => {
  it('regrades every finished attempt of a large exam, across batches, in one transaction', async () => {
    // 1,201 attempts of one person (more than two batches of 500; the last still in progress), all answered with option 0, which version 1 keyed and version 2 does not.
    const examId = randomUUID();
    const n = 1201;
    await exec(em(), sql`
      insert into exam (id, title_zh, kind, period, status, opens_at, closes_at, created_by)
      select ${examId}, '大考', 'practice', '2026-12', 'published', '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', created_by from exam where id = ${f.examId}`);
    await exec(em(), sql`
      insert into exam_attempt (id, exam_id, user_id, number, status, started_at, deadline_at, submitted_at, finished_by, score, max_score)
      select gen_random_uuid(), ${examId}, a.user_id, g, case when g = ${n} then 'in_progress' else 'submitted' end,
             '2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z', '2026-12-01T02:30:00Z', 'learner', 2, 2
        from exam_attempt a, generate_series(1, ${n}) g where a.id = ${f.right.attemptId}`);
    await exec(em(), sql`
      insert into attempt_question (attempt_id, slot, question_version_id, points, score, fraction, correct)
      select id, 0, ${f.choiceV1}, 2, 2, 1, true from exam_attempt where exam_id = ${examId}`);
    await exec(em(), sql`
      insert into attempt_answer (attempt_id, slot, response, seq) select id, 0, '{"choice":0}'::jsonb, 1 from exam_attempt where exam_id = ${examId}`);
    const res = await call('POST', `/api/exams/${examId}/regrade`, { questionId: f.choiceId, reason: '答案更正' });
    expect(res.statusCode, res.body).toBe(200);
    const finished = n - 1;
    expect(res.json()).toMatchObject({ fromVersion: 1, toVersion: 2, attemptsRegraded: finished, attemptsChanged: finished });
    const after = await query<{ status: string; version: string; score: number | null; total: number | null; n: number }>(em(), sql`
      select a.status, q.question_version_id as version, q.score::float as score, a.score::float as total, count(*)::int as n
        from exam_attempt a join attempt_question q on q.attempt_id = a.id where a.exam_id = ${examId}
       group by 1, 2, 3, 4 order by 1`);
    expect(after).toEqual([
      { status: 'in_progress', version: f.choiceV1, score: 2, total: 2, n: 1 },
      { status: 'submitted', version: expect.any(String), score: 0, total: 0, n: finished },
    ]);
    expect(after[1].version).not.toBe(f.choiceV1);
  });
});

describe('hostile bodies', () => {
  it('never answers a grading or regrade request with a 5xx', async () => {
    const rnd = seededRandom('exam-grading-fuzz');
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const values: unknown[] = [null, true, 0, -0.001, 1e308, -1e308, 2147483648, 0.005, 'x', '\u0000', 'a\ud800', '', ' ', [], {}, [1], { a: 1 },
      'x'.repeat(6000), randomUUID(), f.choiceId, f.essayId, f.choiceV1, 5, 10, '5'];
    const failures: string[] = [];
    for (let i = 0; i < 120; i++) {
      const body: Record<string, unknown> = {};
      for (const key of ['score', 'comment', 'questionId', 'toVersionId', 'reason', 'extra']) if (rnd() < 0.6) body[key] = pick(values);
      const whole = rnd() < 0.1 ? pick([null, [], 'text', 42]) : body;
      const res = i % 2
        ? await grade(pick([f.right.attemptId, f.open.attemptId, randomUUID()]), pick([0, 1, 9]), whole)
        : await call('POST', `/api/exams/${pick([f.examId, randomUUID()])}/regrade`, whole);
      if (res.statusCode >= 500) failures.push(`${JSON.stringify(whole).slice(0, 200)}: ${res.statusCode} ${res.body}`);
    }
    expect(failures).toEqual([]);
  });
});
