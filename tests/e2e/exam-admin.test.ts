import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ARTIFACTS, DEMO_PASSWORD, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

// A trainer defines an exam on the exam admin screens, at 360 px in Chinese and at 1280 px in English: a window that
// closes before it opens is said beside the closing time (by the server, mapped onto the field), a draw larger than
// its pool is said beside that line's draw count, the saved draw shows its pool size and points, publishing asks
// first, a per-person override needs its reason, and the calendar then lists the exam. The results of a past demo
// exam show a pass rate, a distribution and export links that download; its item analysis shows the test's
// reliability and each question's response frequencies, and flags questions enough people found too easy or too hard.
const RUNS = [
  {
    name: 'zh-phone', viewport: { width: 360, height: 740 }, locale: 'zh-CN',
    l: { closesBefore: '结束时间必须晚于开始时间', pool: '题库中可抽', poolTooSmall: '不够抽', created: '考试已创建', published: '考试已发布', scheduled: '未开始', passRate: '合格率', csv: '导出 CSV', log: '作答记录', started: '开始作答', serverTime: '服务器收到时间', alpha: '信度', flagged: '需复查 2 题', required: '请填写此项', tooEasy: '过易', tooHard: '过难', summary: '请更正' },
  },
  {
    name: 'en-desktop', viewport: { width: 1280, height: 900 }, locale: 'en-GB',
    l: { closesBefore: 'must be after the opening time', pool: 'questions in the pool', poolTooSmall: 'fewer than the', created: 'Exam created', published: 'Exam published', scheduled: 'Scheduled', passRate: 'Pass rate', csv: 'Export CSV', log: 'Attempt log', started: 'Started', serverTime: 'Server time', alpha: 'Reliability', flagged: '2 questions to look at again', required: 'Fill this in', tooEasy: 'Too easy', tooHard: 'Too hard', summary: 'Please correct' },
  },
] as const;

/**
 * A practice exam of four fixed single-choice questions taken by 32 staff through the attempt API, so that each
 * question has enough attempts to be judged: the first answered right by everyone (too easy), the second by nobody
 * (too hard), the last two right by the same stronger people (they discriminate). Made once for the file.
 */
let flaggedExam: Promise<string> | null = null;
function examWithFlags(): Promise<string> {
  flaggedExam ??= (async () => {
    const app = product.server.app;
    const tokenOf = async (username: string) => {
      const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
      expect(r.statusCode).toBe(200);
      return { authorization: `Bearer ${r.json().accessToken as string}` };
    };
    const trainer = await tokenOf('trainer');
    const list = await app.inject({ url: '/api/questions?type=single_choice&status=active&language=zh&limit=4', headers: trainer });
    const ids = (list.json().items as { id: string }[]).map((q) => q.id);
    expect(ids).toHaveLength(4);
    const correct: number[] = [];
    for (const id of ids) {
      const q = (await app.inject({ url: `/api/questions/${id}`, headers: trainer })).json().question as { options: { correct: boolean }[] };
      correct.push(q.options.findIndex((o) => o.correct));
    }
    const created = await app.inject({
      method: 'POST', url: '/api/exams', headers: trainer,
      payload: {
        titleZh: '试题分析演示练习', titleEn: 'Item analysis practice', kind: 'practice', period: new Date().toISOString().slice(0, 7),
        opensAt: new Date(Date.now() - 60_000).toISOString(), closesAt: new Date(Date.now() + 86_400_000).toISOString(),
        shuffleQuestions: false, shuffleOptions: false, positions: ['account_manager', 'marketing_manager'],
        items: ids.map((questionId) => ({ kind: 'fixed', questionId })),
      },
    });
    expect(created.statusCode).toBe(201);
    const examId = created.json().id as string;
    expect((await app.inject({ method: 'POST', url: `/api/exams/${examId}/publish`, headers: trainer })).statusCode).toBe(200);
    for (let i = 0; i < 32; i++) {
      const learner = await tokenOf(String(10001 + i));
      const start = await app.inject({ method: 'POST', url: `/api/exams/${examId}/attempts`, headers: learner });
      expect([200, 201]).toContain(start.statusCode);
      const attempt = start.json() as { id: string; questions: { slot: number }[] };
      const right = [true, false, i < 20, i < 22];
      const answers = attempt.questions.map((q) => ({ slot: q.slot, seq: 1, response: { choice: right[q.slot] ? correct[q.slot] : (correct[q.slot] + 1) % 2 } }));
      const submit = await app.inject({ method: 'POST', url: `/api/attempts/${attempt.id}/submit`, headers: learner, payload: { answers } });
      expect(submit.statusCode).toBe(200);
    }
    return examId;
  })();
  return flaggedExam;
}

/** Waits for what a request changes on the page; two shared cores can make a save and a reload take seconds. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

const pad = (n: number) => String(n).padStart(2, '0');
/** A `datetime-local` value `days` from now at `hour`:00 local time. */
function localAt(days: number, hour: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

async function noSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

describe('exam admin', () => {
  for (const run of RUNS) {
    it(`a trainer creates, fixes and publishes an exam, gives one person extra time, and finds the exam on the calendar (${run.name})`, async () => {
      const { l } = run;
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      try {
        await signIn(page, product.server.baseUrl, 'trainer');
        await page.goto(product.server.baseUrl + '/exam-admin');
        await page.getByTestId('exam-list').waitFor();
        await noSidewaysScroll(page);
        const newButton = page.getByTestId('new-exam');
        expect((await newButton.boundingBox())!.height).toBeGreaterThanOrEqual(44);
        await newButton.click();
        await page.getByTestId('exam-editor').waitFor();

        const title = `月考 ${run.name} ${Date.now()}`;
        await page.fill('#exam-titleZh', title);
        await page.fill('#exam-opensAt', localAt(3, 9));
        await page.fill('#exam-closesAt', localAt(2, 18));
        await page.getByTestId('save-exam').click();

        // The server's problem lands beside the closing time, with the summary at the button; nothing was created.
        const closesError = page.locator('#exam-closesAt-error');
        await closesError.waitFor();
        expect(await closesError.innerText()).toContain(l.closesBefore);
        expect(await page.locator('#exam-closesAt').getAttribute('aria-invalid')).toBe('true');
        expect(await page.locator('#exam-summary').innerText()).toContain(l.summary);
        await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('exam-closesAt');
        expect(new URL(page.url()).pathname).toBe('/exam-admin/new');
        await page.screenshot({ path: join(ARTIFACTS, `exam-admin-window-error-${run.name}.png`) });

        await page.fill('#exam-closesAt', localAt(10, 18));
        await poll(() => closesError.count()).toBe(0);
        await page.getByTestId('save-exam').click();
        await page.waitForURL(/\/exam-admin\/[0-9a-f-]{36}\?created=1$/);
        expect(await page.getByText(l.created).count()).toBeGreaterThan(0);
        const examId = new URL(page.url()).pathname.split('/')[2];

        // A draw of more questions than its pool holds is said beside that line's count.
        await page.getByTestId('add-random').click();
        await page.locator('#exam-items_0').selectOption({ index: 1 });
        await page.fill('#exam-items_0_drawCount', '500');
        await page.fill('#exam-items_0_points', '10');
        await page.getByTestId('save-exam').click();
        const drawError = page.locator('#exam-items_0_drawCount-error');
        await drawError.waitFor();
        expect(await drawError.innerText()).toContain(l.poolTooSmall);

        await page.fill('#exam-items_0_drawCount', '3');
        await page.fill('#exam-passMark', '18');
        await page.getByTestId('save-exam').click();
        const facts = page.getByTestId('bp-facts').first();
        await poll(() => facts.innerText()).toContain(l.pool);
        expect(await page.getByTestId('max-points').innerText()).toContain('30');
        await noSidewaysScroll(page);

        await page.getByTestId('publish-exam').click();
        const sheet = page.getByTestId('confirm-sheet');
        await sheet.waitFor();
        await sheet.getByTestId('confirm').click();
        await poll(() => page.getByTestId('exam-state').innerText()).toBe(l.scheduled);
        expect(await page.getByText(l.published).count()).toBeGreaterThan(0);
        const saved = await (await page.request.get(`${product.server.baseUrl}/api/exams/${examId}`)).json();
        expect(saved.status).toBe('published');
        expect(saved.items).toHaveLength(1);
        expect(saved.items[0].drawCount).toBe(3);
        expect(saved.passMark).toBe(18);

        // One person gets ten more minutes: the reason is required, said beside its field; then the row is listed.
        await page.getByTestId('override-add').click();
        const ovSheet = page.getByTestId('override-sheet');
        await ovSheet.waitFor();
        await ovSheet.getByRole('searchbox').fill('10002');
        await ovSheet.getByRole('searchbox').press('Enter');
        await ovSheet.locator('input[type=radio]').first().check();
        await page.fill('#override-extraMinutes', '10');
        await ovSheet.getByTestId('override-save').click();
        const reasonError = page.locator('#override-reason-error');
        await reasonError.waitFor();
        expect(await reasonError.innerText()).toContain(l.required);
        await page.fill('#override-reason', 'medical appointment');
        await ovSheet.getByTestId('override-save').click();
        await poll(() => ovSheet.isVisible()).toBe(false);
        const ovRow = page.getByTestId('overrides').locator('tr[data-user="10002"]');
        await ovRow.waitFor();
        expect(await ovRow.innerText()).toContain('medical appointment');
        const afterOverride = await (await page.request.get(`${product.server.baseUrl}/api/exams/${examId}`)).json();
        expect(afterOverride.overrides).toMatchObject([{ username: '10002', extraMinutes: 10, reason: 'medical appointment' }]);

        // The department calendar lists it in its month.
        const [year] = saved.period.split('-');
        await page.goto(`${product.server.baseUrl}/exam-admin/calendar?year=${year}`);
        const entry = page.locator(`section[data-period="${saved.period}"] li[data-exam="${examId}"]`);
        await entry.waitFor();
        expect(await entry.innerText()).toContain(title);
        expect(await entry.innerText()).toContain(l.scheduled);
        await noSidewaysScroll(page);
        await entry.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(ARTIFACTS, `exam-admin-calendar-${run.name}.png`) });
      } finally {
        await context.close();
      }
    });
  }

  for (const run of RUNS) {
    it(`shows a past exam's results with exports, its item analysis with flags, and makes it up from the calendar in two taps (${run.name})`, async () => {
      const { l } = run;
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale, acceptDownloads: true });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      try {
        await signIn(page, product.server.baseUrl, 'trainer');
        // A past demo monthly exam that somebody missed.
        const closed = (await (await page.request.get(`${product.server.baseUrl}/api/exams?state=closed&kind=monthly&limit=20`)).json()).items as { id: string; title: string; period: string }[];
        expect(closed.length).toBeGreaterThan(0);
        let past: { id: string; title: string; period: string } | null = null;
        for (const e of closed) {
          const r = await (await page.request.get(`${product.server.baseUrl}/api/exams/${e.id}/results`)).json();
          if (r.people.some((p: { outcome: string }) => p.outcome === 'missed')) { past = e; break; }
        }
        expect(past).not.toBeNull();
        const exam = past!;

        await page.goto(`${product.server.baseUrl}/exam-admin/${exam.id}/results`);
        const passRate = page.getByTestId('pass-rate');
        await passRate.waitFor();
        expect(await passRate.innerText()).toMatch(/^\d+(\.\d)?%$/);
        expect(await page.getByTestId('results-figures').innerText()).toContain(l.passRate);
        expect(await page.getByTestId('distribution').locator('li').count()).toBe(10);
        expect(await page.getByTestId('results-people').locator('tbody tr').count()).toBeGreaterThan(10);
        // A trainer grades too: the exam's pill row leads to its grading screen.
        expect(await page.getByTestId('exam-tab-grading').getAttribute('href')).toBe(`/grading/${exam.id}`);
        await noSidewaysScroll(page);
        const csv = page.getByTestId('export-csv');
        expect(await csv.innerText()).toBe(l.csv);
        expect(await csv.getAttribute('href')).toBe(`/api/exams/${exam.id}/results/export?format=csv`);
        expect(await page.getByTestId('export-xlsx').getAttribute('href')).toBe(`/api/exams/${exam.id}/results/export?format=xlsx`);
        expect((await csv.boundingBox())!.height).toBeGreaterThanOrEqual(44);
        const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
        expect(download.suggestedFilename()).toMatch(/\.csv$/);
        if (run.name === 'zh-phone') {
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: join(process.cwd(), 'docs', 'ui', 'exam-results-zh-phone.png') });
        }
        await page.screenshot({ path: join(ARTIFACTS, `exam-admin-results-${run.name}.png`), fullPage: true });

        // Each person who took it opens their attempt's integrity log from their row: the events in time order, each
        // with the device's and the server's time, from the start to the submit.
        const logLink = page.getByTestId('results-people').getByTestId('attempt-log').first();
        const attemptHref = await logLink.getAttribute('href');
        expect(attemptHref).toMatch(new RegExp(`^/exam-admin/${exam.id}/attempts/[0-9a-f-]{36}$`));
        await logLink.click();
        const events = page.getByTestId('log-events');
        await events.waitFor();
        expect(await page.locator('h1').innerText()).toContain(l.log);
        expect(await events.locator('tbody tr').first().innerText()).toContain(l.started);
        expect(await events.locator('thead').innerText()).toContain(l.serverTime);
        const kinds = await events.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
        expect(kinds[0]).toBe('started');
        expect(kinds.some((k) => k === 'submitted' || k === 'finalised')).toBe(true);
        const log = await (await page.request.get(`${product.server.baseUrl}/api/attempts/${attemptHref!.split('/').pop()}/integrity`)).json();
        expect(kinds).toEqual(log.events.map((e: { kind: string }) => e.kind));
        await noSidewaysScroll(page);
        await page.screenshot({ path: join(ARTIFACTS, `exam-admin-attempt-log-${run.name}.png`), fullPage: true });
        // The log sits under the results: their pill stays marked.
        expect(await page.getByTestId('exam-tab-results').getAttribute('class')).toContain('active');

        await page.goto(`${product.server.baseUrl}/exam-admin/${exam.id}/analysis`);
        const alpha = page.getByTestId('alpha');
        await alpha.waitFor();
        expect(await alpha.innerText()).toMatch(/%$/);
        expect(await page.getByTestId('analysis-test').innerText()).toContain(l.alpha);
        const firstRow = page.getByTestId('analysis-questions').locator(':scope > tbody > tr').first();
        expect(await firstRow.innerText()).toMatch(/\d+(\.\d+)?%/);
        const details = firstRow.locator('details');
        await details.locator('summary').click();
        await poll(() => details.locator('.freq tbody tr').count()).toBeGreaterThan(0);
        await noSidewaysScroll(page);

        // An exam whose questions have enough attempts: the too easy and too hard ones are flagged and marked.
        const flaggedId = await examWithFlags();
        await page.goto(`${product.server.baseUrl}/exam-admin/${flaggedId}/analysis`);
        await page.getByTestId('flagged-count').waitFor();
        expect(await page.getByTestId('flagged-count').innerText()).toContain(l.flagged);
        const rows = page.getByTestId('analysis-questions').locator(':scope > tbody > tr');
        expect(await rows.count()).toBe(4);
        expect(await page.locator('tr.flagged').count()).toBe(2);
        expect(await page.locator('tr.flagged', { hasText: l.tooEasy }).count()).toBe(1);
        expect(await page.locator('tr.flagged', { hasText: l.tooHard }).count()).toBe(1);
        expect(await rows.filter({ hasText: l.tooEasy }).locator('td.hit').first().innerText()).toBe('100%');
        expect(await page.locator('tr.flagged').first().getByTestId('flag').count()).toBeGreaterThan(0);
        await noSidewaysScroll(page);
        await page.screenshot({ path: join(ARTIFACTS, `exam-admin-analysis-${run.name}.png`), fullPage: true });

        // Make-up for those who missed it: the button on the calendar, then Create in the prefilled sheet.
        await page.goto(`${product.server.baseUrl}/exam-admin/calendar?year=${exam.period.slice(0, 4)}`);
        const item = page.locator(`li[data-exam="${exam.id}"]`);
        await item.waitFor();
        await item.getByTestId('calendar-makeup').click();
        const sheet = page.getByTestId('makeup-sheet');
        await sheet.waitFor();
        expect(await page.locator('#makeup-opensAt').inputValue()).not.toBe('');
        expect(await page.locator('#makeup-closesAt').inputValue()).not.toBe('');
        await sheet.getByTestId('makeup-create').click();
        const made = page.getByTestId('makeup-made');
        await made.waitFor();
        await poll(() => sheet.isVisible()).toBe(false);
        const makeups = (await (await page.request.get(`${product.server.baseUrl}/api/exams?kind=makeup&state=draft`)).json()).items as { makeupOf: string }[];
        expect(makeups.some((m) => m.makeupOf === exam.id)).toBe(true);
        // The draft make-up opens from the notice, naming the people who missed the exam, with a way back to it.
        await made.getByRole('link').click();
        await page.getByTestId('exam-editor').waitFor();
        await page.locator(`a[href="/exam-admin/${exam.id}"]`).waitFor();
        const missedPeople = await (await page.request.get(`${product.server.baseUrl}/api/exams/${exam.id}/results`)).json();
        const missed = (missedPeople.people as { outcome: string; username: string }[]).filter((p) => p.outcome === 'missed');
        for (const p of missed) expect(await page.getByTestId('exam-editor').getByText(p.username).count()).toBeGreaterThan(0);
        await noSidewaysScroll(page);

        // A department head sees the results but does not grade: no grading pill.
        if (run.name === 'en-desktop') {
          const head = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
          try {
            const p2 = await head.newPage();
            await signIn(p2, product.server.baseUrl, 'manager');
            await p2.goto(`${product.server.baseUrl}/exam-admin/${exam.id}/results`);
            await p2.getByTestId('exam-tab-results').waitFor();
            expect(await p2.getByTestId('exam-tab-grading').count()).toBe(0);
          } finally {
            await head.close();
          }
        }
      } finally {
        await context.close();
      }
    });
  }
});
