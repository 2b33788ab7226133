import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { exec, query, queryOne, sql } from '../../api/src/lib/sql.js';
import { recomputeAttempts } from '../../api/src/modules/exams/attempt-score.js';
import { normaliseQuestion } from '../../api/src/modules/questions/question-model.js';
import { insertQuestions } from '../../api/src/modules/questions/question-store.js';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

// A trainer grades essays on the grading screen: picks the question, reads one anonymous answer at a time with the
// rubric, is told beside the score field when the score is out of range, saves and goes on to the next answer.
const RUNS = [
  { name: 'zh-phone', viewport: { width: 360, height: 740 }, locale: 'zh-CN', l: { saveNext: '保存并看下一份', previous: '← 上一份', range: '0 到 10', saved: '已保存答卷', rubric: '评分标准', names: '显示考生姓名', required: '请填写此项', regraded: '已重新评分', regrades: '重新评分记录' } },
  { name: 'en-desktop', viewport: { width: 1280, height: 900 }, locale: 'en-GB', l: { saveNext: 'Save and go to the next', previous: '← Previous', range: 'between 0 and 10', saved: 'saved', rubric: 'Rubric', names: "Show learners' names", required: 'Fill this in', regraded: 'Regraded', regrades: 'Regrades' } },
] as const;

/** An exam with one essay and two finished attempts (demo people 10001 and 10002) waiting for a grader. */
async function essayExam(tag: string) {
  const em = product.server.orm.em.fork();
  const trainer = (await queryOne<{ id: string; org: string }>(em, sql`select id, org_unit_id as org from app_user where username = 'trainer'`))!;
  const [questionId] = await em.fork().transactional((tx) => insertQuestions(tx, [{
    question: normaliseQuestion({ type: 'essay', key: `e2e-essay-${tag}`, language: 'zh', stem: '谈谈**自报需求**对按订单组织货源的意义。', points: 10,
      difficulty: 3, rubric: '说清意义（5分）；举出做法（5分）。', modelAnswer: '客户如实报需求，货源跟着订单走。' }),
    status: 'active', source: 'browser', createdBy: trainer.id }]));
  const versionId = (await queryOne<{ id: string }>(em, sql`select current_version_id as id from question where id = ${questionId}`))!.id;
  const examId = randomUUID();
  await exec(em, sql`
    insert into exam (id, title_zh, title_en, kind, period, status, opens_at, closes_at, org_unit_ids, created_by, published_at)
    values (${examId}, ${`论述测验${tag}`}, ${`Essay quiz ${tag}`}, 'practice', '2026-11', 'published', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z',
            ${[trainer.org]}::uuid[], ${trainer.id}, '2026-10-31T00:00:00Z')`);
  const people = await query<{ id: string; display_name: string }>(em, sql`select id, display_name from app_user where username in ('10001', '10002') order by username`);
  const answers = ['自报需求让我们知道客户真正要什么，\n再按订单组织货源，减少积压。', '不清楚。'];
  const ids: string[] = [];
  for (const [i, p] of people.entries()) {
    const id = randomUUID();
    ids.push(id);
    await exec(em, sql`
      insert into exam_attempt (id, exam_id, user_id, number, status, started_at, deadline_at, submitted_at, finished_by)
      values (${id}, ${examId}, ${p.id}, 1, 'submitted', '2026-11-01T02:00:00Z', '2026-11-01T03:00:00Z', '2026-11-01T02:30:00Z', 'learner')`);
    await exec(em, sql`insert into attempt_question (attempt_id, slot, question_version_id, points, score, needs_grading)
      values (${id}, 0, ${versionId}, 10, 0, true)`);
    await exec(em, sql`insert into attempt_answer (attempt_id, slot, response, seq) values (${id}, 0, ${JSON.stringify({ text: answers[i] })}::jsonb, 1)`);
  }
  await recomputeAttempts(em, ids);
  return { examId, attempts: ids, names: people.map((p) => p.display_name) };
}

/** Visible controls in the page's main part whose hit box is under 44 x 44 px (links inside question text exempt). */
const smallTargets = (page: Page) => page.evaluate(() => [...document.querySelectorAll('.shell main :is(a[href], button, input, select, textarea, summary)')]
  .filter((el) => el.getBoundingClientRect().width > 0 && !el.closest('.stem, .feedback'))
  .map((el) => {
    const target = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.closest('label') ?? el : el;
    const r = target.getBoundingClientRect();
    return { what: `${target.tagName} ${(target.textContent ?? '').trim().slice(0, 20)}`, w: Math.round(r.width), h: Math.round(r.height) };
  })
  .filter((x) => x.w < 43.5 || x.h < 43.5));
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('grading screen', () => {
  for (const run of RUNS) {
    it(`grades essays answer by answer, anonymously, with the rubric beside (${run.name})`, async () => {
      const { l } = run;
      const fx = await essayExam(run.name);
      const em = () => product.server.orm.em.fork();
      const slot = (attemptId: string) => queryOne<{ score: number; needs_grading: boolean; grader_comment: string }>(em(), sql`
        select score::float as score, needs_grading, grader_comment from attempt_question where attempt_id = ${attemptId} and slot = 0`);
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      try {
        await signIn(page, product.server.baseUrl, 'trainer');
        await page.goto(`${product.server.baseUrl}/grading/${fx.examId}`);
        const questions = page.getByTestId('grading-questions');
        await questions.waitFor();
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        expect(await smallTargets(page)).toEqual([]);
        await questions.getByRole('link').first().click();

        const response = page.getByTestId('grading-response');
        await response.waitFor();
        await page.getByText(l.rubric, { exact: true }).waitFor();
        const body = await page.locator('.shell main').innerText();
        for (const name of fx.names) expect(body).not.toContain(name);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        expect(await smallTargets(page)).toEqual([]);
        const first = await response.innerText();
        const firstIndex = first.startsWith('自报') ? 0 : 1;
        const firstAttempt = fx.attempts[firstIndex];

        await page.locator('#grade-score').fill('11');
        await page.getByRole('button', { name: l.saveNext }).click();
        const error = page.locator('#grade-score-error');
        await error.waitFor();
        expect(await error.innerText()).toContain(l.range);
        expect(await page.locator('#grade-score').getAttribute('aria-invalid')).toBe('true');
        expect(await slot(firstAttempt)).toMatchObject({ score: 0, needs_grading: true });
        await page.screenshot({ path: join(ARTIFACTS, `grading-error-${run.name}.png`), fullPage: true });

        await page.locator('#grade-score').fill('7.5');
        await page.locator('#grade-comment').fill('要点齐全');
        await page.getByRole('button', { name: l.saveNext }).click();
        await page.getByRole('status').filter({ hasText: l.saved }).waitFor();
        await expect.poll(() => response.innerText()).not.toBe(first);
        expect(await slot(firstAttempt)).toEqual({ score: 7.5, needs_grading: false, grader_comment: '要点齐全' });
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('grade-score');
        expect(await page.locator('#grade-score').inputValue()).toBe('');
        await page.screenshot({ path: join(ARTIFACTS, `grading-next-${run.name}.png`), fullPage: true });

        await page.getByRole('button', { name: l.previous }).click();
        await expect.poll(() => response.innerText()).toBe(first);
        expect(await page.locator('#grade-score').inputValue()).toBe('7.5');
        expect(await page.locator('#grade-comment').inputValue()).toBe('要点齐全');

        // Names only when asked for, on the same answer.
        await page.getByLabel(l.names).check();
        await expect.poll(() => page.locator('.shell main').innerText()).toContain(fx.names[firstIndex]);
        expect(await response.innerText()).toBe(first);
        expect(await page.locator('.shell main').innerText()).not.toContain(fx.names[1 - firstIndex]);
      } finally {
        await context.close();
      }
    });
  }

  for (const run of RUNS) {
    it(`regrades a question of the exam with a reason and lists the regrade (${run.name})`, async () => {
      const { l } = run;
      const fx = await essayExam(`rg-${run.name}`);
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      try {
        await signIn(page, product.server.baseUrl, 'trainer');
        // From the exam's pill row in the exam admin screens.
        await page.goto(`${product.server.baseUrl}/exam-admin/${fx.examId}/results`);
        await page.getByTestId('exam-tab-regrade').click();
        const form = page.getByTestId('regrade-form');
        await form.waitFor();
        expect(page.url()).toBe(`${product.server.baseUrl}/grading/${fx.examId}/regrade`);
        // Nothing chosen, no reason: each field says so, nothing is sent.
        await page.getByTestId('regrade-run').click();
        await page.locator('#regrade-reason-error').waitFor();
        expect(await page.locator('#regrade-reason-error').innerText()).toContain(l.required);
        expect(await page.locator('#regrade-questionId-error').innerText()).toContain(l.required);
        expect(await page.locator('#regrade-toVersionId-error').count()).toBe(0);
        expect(await page.locator('#regrade-reason').getAttribute('aria-invalid')).toBe('true');
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(ARTIFACTS, `regrade-errors-${run.name}.png`), fullPage: true });

        await page.locator('#regrade-questionId').selectOption({ index: 1 });
        expect(await page.locator('#regrade-toVersionId').inputValue()).not.toBe('');
        await page.locator('#regrade-reason').fill('评分标准有误 / rubric was wrong');
        await page.getByTestId('regrade-run').click();
        await page.getByTestId('regrade-done').waitFor();
        expect(await page.getByTestId('regrade-done').innerText()).toContain(l.regraded);
        const list = page.getByTestId('regrades');
        await expect.poll(() => list.locator(':scope > li').count()).toBe(1);
        expect(await list.innerText()).toContain('rubric was wrong');
        const api = await (await page.request.get(`${product.server.baseUrl}/api/exams/${fx.examId}/regrades`)).json();
        expect(api.items).toHaveLength(1);
        expect(api.items[0].reason).toBe('评分标准有误 / rubric was wrong');
        expect(await page.getByText(l.regrades, { exact: true }).count()).toBe(1);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(ARTIFACTS, `regrade-${run.name}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
