import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

// A trainer defines an exam on the exam admin screens, at 360 px in Chinese and at 1280 px in English: a window that
// closes before it opens is said beside the closing time (by the server, mapped onto the field), a draw larger than
// its pool is said beside that line's draw count, the saved draw shows its pool size and points, publishing asks
// first, and the calendar then lists the exam. The results of a past demo exam show a pass rate, a distribution and
// export links that download; its item analysis shows the test's reliability and each question's response frequencies.
const RUNS = [
  {
    name: 'zh-phone', viewport: { width: 360, height: 740 }, locale: 'zh-CN',
    l: { closesBefore: '结束时间必须晚于开始时间', pool: '题库中可抽', poolTooSmall: '不够抽', created: '考试已创建', published: '考试已发布', scheduled: '未开始', passRate: '合格率', csv: '导出 CSV', alpha: '信度', summary: '请更正' },
  },
  {
    name: 'en-desktop', viewport: { width: 1280, height: 900 }, locale: 'en-GB',
    l: { closesBefore: 'must be after the opening time', pool: 'questions in the pool', poolTooSmall: 'fewer than the', created: 'Exam created', published: 'Exam published', scheduled: 'Scheduled', passRate: 'Pass rate', csv: 'Export CSV', alpha: 'Reliability', summary: 'Please correct' },
  },
] as const;

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
    it(`a trainer creates, fixes and publishes an exam, and finds it on the calendar (${run.name})`, async () => {
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
        await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('exam-closesAt');
        expect(new URL(page.url()).pathname).toBe('/exam-admin/new');
        await page.screenshot({ path: join(ARTIFACTS, `exam-admin-window-error-${run.name}.png`) });

        await page.fill('#exam-closesAt', localAt(10, 18));
        await expect.poll(() => closesError.count()).toBe(0);
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
        await expect.poll(() => facts.innerText()).toContain(l.pool);
        expect(await page.getByTestId('max-points').innerText()).toContain('30');
        await noSidewaysScroll(page);

        await page.getByTestId('publish-exam').click();
        const sheet = page.getByTestId('confirm-sheet');
        await sheet.waitFor();
        await sheet.getByTestId('confirm').click();
        await expect.poll(() => page.getByTestId('exam-state').innerText()).toBe(l.scheduled);
        expect(await page.getByText(l.published).count()).toBeGreaterThan(0);
        const saved = await (await page.request.get(`${product.server.baseUrl}/api/exams/${examId}`)).json();
        expect(saved.status).toBe('published');
        expect(saved.items).toHaveLength(1);
        expect(saved.items[0].drawCount).toBe(3);
        expect(saved.passMark).toBe(18);

        // The department calendar lists it in its month.
        const [year] = saved.period.split('-');
        await page.goto(`${product.server.baseUrl}/exam-admin/calendar?year=${year}`);
        const entry = page.locator(`section[data-period="${saved.period}"] li[data-exam="${examId}"]`);
        await entry.waitFor();
        expect(await entry.innerText()).toContain(title);
        expect(await entry.innerText()).toContain(l.scheduled);
        await noSidewaysScroll(page);
      } finally {
        await context.close();
      }
    });
  }

  for (const run of RUNS) {
    it(`shows a past exam's results with exports, its item analysis, and makes it up from the calendar in two taps (${run.name})`, async () => {
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

        await page.goto(`${product.server.baseUrl}/exam-admin/${exam.id}/analysis`);
        const alpha = page.getByTestId('alpha');
        await alpha.waitFor();
        expect(await alpha.innerText()).toMatch(/%$/);
        expect(await page.getByTestId('analysis-test').innerText()).toContain(l.alpha);
        const firstRow = page.getByTestId('analysis-questions').locator('tbody > tr').first();
        expect(await firstRow.innerText()).toMatch(/\d+(\.\d+)?%/);
        const details = firstRow.locator('details');
        await details.locator('summary').click();
        await expect.poll(() => details.locator('.freq tbody tr').count()).toBeGreaterThan(0);
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
        await expect.poll(() => sheet.isVisible()).toBe(false);
        const makeups = (await (await page.request.get(`${product.server.baseUrl}/api/exams?kind=makeup&state=draft`)).json()).items as { makeupOf: string }[];
        expect(makeups.some((m) => m.makeupOf === exam.id)).toBe(true);
      } finally {
        await context.close();
      }
    });
  }
});
