import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../api/src/lib/clock.js';
import { ARTIFACTS, DEMO_PASSWORD, signIn, useProduct } from '../helpers/browser.js';

// The server's time stands still unless a test moves it (the time-up test does, together with the browser's).
const clock = new ManualClock(new Date());
const product = useProduct({ clock });
const DOCS = join(process.cwd(), 'docs', 'ui');

/** Answers the question on screen with whatever its kind takes; returns what kind it was. */
async function answerCurrent(page: Page, n: number): Promise<string> {
  const q = page.getByTestId('question');
  const options = q.getByTestId('option');
  if (await options.count()) {
    await options.nth(n % (await options.count())).click();
    return 'option';
  }
  const blanks = q.locator('input.blank-input');
  if (await blanks.count()) {
    for (let i = 0; i < (await blanks.count()); i++) await blanks.nth(i).fill(`答案${n}-${i}`);
    return 'blanks';
  }
  if (await q.getByTestId('number-input').count()) {
    await q.getByTestId('number-input').fill(String(10 + n));
    return 'number';
  }
  const selects = q.locator('select');
  if (await selects.count()) {
    for (let i = 0; i < (await selects.count()); i++) await selects.nth(i).selectOption({ index: 1 + ((i + n) % ((await selects.nth(i).locator('option').count()) - 1)) });
    return 'matching';
  }
  if (await q.getByTestId('order-keep').count()) {
    await q.locator('.ordering button').nth(1).click();
    return 'ordering';
  }
  await q.getByTestId('text-answer').fill(`第 ${n} 题的回答`);
  return 'text';
}

async function token(username: string) {
  const res = await product.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD, mode: 'token' } });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().accessToken as string}` };
}

async function call(headers: Record<string, string>, url: string, method: 'GET' | 'POST' = 'GET', payload?: unknown) {
  const res = await product.server.app.inject({ method, url, headers: { ...headers, 'accept-language': 'zh' }, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

const TYPES = ['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'short_answer', 'essay'];

const status = (page: Page) => page.getByTestId('save-status').getAttribute('data-status');

// Service workers are blocked: requests that fall through one escape page.route, which these tests use to make saves
// fail (the worker keeps no API write anyway, see docs/UI.md "Loading and offline").
describe('taking an exam on a phone (360 px, Chinese)', () => {
  it('keeps every answer through going offline and a reload, then submits and shows what the policy allows', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', serviceWorkers: 'block' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, product.server.baseUrl, '10001');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

    // The home page reminds the learner of the exam open now.
    const home = page.getByTestId('home-exams');
    await home.getByTestId('home-exam').first().waitFor();
    expect(await home.getByTestId('home-exams-count').textContent()).toMatch(/^\d+$/);

    // The list, reached through the bottom bar.
    await page.getByTestId('bottom-nav').locator('a[href="/exams"]').click();
    await page.waitForURL('**/exams');
    const card = page.getByTestId('exam-open').first();
    await card.waitFor();
    expect(await card.textContent()).toContain('截止');
    await card.getByTestId('exam-start').click();
    await page.waitForURL(/\/exams\/attempt\/[0-9a-f-]{36}$/);
    const attemptId = page.url().split('/').pop()!;
    await page.getByTestId('question').waitFor();
    expect(await page.getByTestId('timer').textContent()).toMatch(/剩余 \d+:\d\d/);

    // Tap targets: navigator cells and the options of a choice question are at least 44 x 44 px.
    const cells = page.getByTestId('nav-cell');
    const total = await cells.count();
    expect(total).toBeGreaterThanOrEqual(5);
    for (const box of await cells.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
      expect(box.width).toBeGreaterThanOrEqual(44);
      expect(box.height).toBeGreaterThanOrEqual(44);
    }
    let measuredOptions = false;
    for (let i = 0; i < total && !measuredOptions; i++) {
      const opts = page.getByTestId('question').getByTestId('option');
      if (await opts.count()) {
        for (const box of await opts.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
          expect(box.height).toBeGreaterThanOrEqual(44);
          expect(box.width).toBeGreaterThanOrEqual(44);
        }
        measuredOptions = true;
      }
      if (!measuredOptions) await cells.nth(i + 1).click();
    }
    expect(measuredOptions).toBe(true);
    await cells.nth(0).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    // Two answers online.
    const kinds: string[] = [];
    for (const n of [0, 1]) {
      kinds.push(await answerCurrent(page, n));
      await page.getByTestId('next').click();
    }
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('saved');
    expect(await page.getByTestId('save-status').textContent()).toBe('已保存');

    // Offline: two more, kept on the device. Chromium's offline emulation once let a retried save through, so the
    // saves are also made to fail outright, until the connection comes back below.
    await context.route('**/api/attempts/*/answers', (route) => route.abort('internetdisconnected'));
    await context.route('**/api/attempts/*/events', (route) => route.abort('internetdisconnected'));
    await context.setOffline(true);
    for (const n of [2, 3]) {
      kinds.push(await answerCurrent(page, n));
      await page.getByTestId('next').click();
    }
    // Flag question 4 for review.
    await cells.nth(3).click();
    await page.getByTestId('flag').click();
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('offline');
    expect(await page.getByTestId('save-status').textContent()).toContain('离线，答案已保存在本机');
    // Scrolled down to the navigator, the timer and the status stay in sight right under the sticky header.
    await page.getByTestId('navigator').scrollIntoViewIfNeeded();
    const [headerBottom, barTop] = await page.evaluate(() => [
      document.querySelector('.shell > header')!.getBoundingClientRect().bottom,
      document.querySelector('[data-testid=exam-bar]')!.getBoundingClientRect().top,
    ]);
    expect(barTop).toBeGreaterThanOrEqual(headerBottom - 1);
    expect(barTop).toBeLessThan(headerBottom + 20);
    mkdirSync(DOCS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(DOCS, 'exam-take-zh-phone.png') });
    const keptOffline = await page.evaluate((id) => JSON.parse(localStorage.getItem(`exam-outbox:${id}`) ?? '{}'), attemptId) as { pending: Record<string, { seq: number }> };
    expect(Object.keys(keptOffline.pending).sort()).toEqual(['2', '3']);

    // A reload while saves still cannot get through: the page opens with the answers kept locally.
    await context.setOffline(false);
    await page.reload();
    await page.getByTestId('question').waitFor();
    // The old page's last batch may still reach the server while it unloads, so "saved" is as right as "offline" here;
    // what matters is that nothing is missing (the cells below) and the next answer waits on the device.
    await expect.poll(() => status(page), { timeout: 10_000 }).toMatch(/^(offline|saved)$/);
    // It reopens where the learner was, with question 4 flagged and 3 and 4 answered.
    expect(await page.getByTestId('question').getAttribute('data-slot')).toBe('3');
    expect(await cells.nth(3).getAttribute('class')).toMatch(/flagged/);
    for (const i of [0, 1, 2, 3]) expect(await cells.nth(i).getAttribute('class'), `cell ${i + 1}`).toMatch(/answered/);
    // One more answer while saves still fail.
    await cells.nth(4).click();
    kinds.push(await answerCurrent(page, 4));
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('offline');

    // Back online: everything reaches the server at the newest sequence number.
    await context.unrouteAll();
    await context.setOffline(true);
    await context.setOffline(false);
    await expect.poll(() => status(page), { timeout: 20_000 }).toBe('saved');
    expect(await page.getByTestId('save-status').textContent()).toBe('已保存');
    const seqs = await page.evaluate((id) => (JSON.parse(localStorage.getItem(`exam-outbox:${id}`) ?? '{}') as { seqs: Record<string, number>; pending: object }), attemptId);
    expect(seqs.pending).toEqual({});
    const server = await (await page.request.get(`${product.server.baseUrl}/api/attempts/${attemptId}`)).json() as {
      answers: { slot: number; seq: number; flagged: boolean; response: Record<string, unknown> }[];
    };
    const bySlot = new Map(server.answers.map((a) => [a.slot, a]));
    for (const slot of [0, 1, 2, 3, 4]) {
      expect(bySlot.get(slot), `slot ${slot} (${kinds[slot]})`).toBeTruthy();
      expect(bySlot.get(slot)!.seq, `slot ${slot}`).toBe(seqs.seqs[String(slot)]);
    }
    expect(bySlot.get(3)!.flagged).toBe(true);

    // Submit: the sheet lists what is unanswered and flagged.
    await page.getByTestId('submit-early').click();
    const sheet = page.getByTestId('submit-sheet');
    await sheet.waitFor();
    expect(await sheet.getByTestId('unanswered-list').locator('button').count()).toBe(total - 5);
    expect(await sheet.getByTestId('flagged-list').locator('button').allTextContents()).toEqual(['4']);
    await sheet.getByTestId('confirm-submit').click();
    const finished = page.getByTestId('attempt-finished');
    await finished.waitFor();
    expect(await finished.textContent()).toContain('答卷已提交');
    // The demo exam shows results after it closes: the screen says when.
    expect(await finished.textContent()).toMatch(/成绩和答卷将于 .+ 公布/);
    expect(await page.evaluate((id) => localStorage.getItem(`exam-outbox:${id}`), attemptId)).toBeNull();
    await page.screenshot({ path: join(ARTIFACTS, 'exam-submitted-zh-phone.png') });

    // The list now says it is submitted, with no second start (one attempt allowed).
    await page.goto(product.server.baseUrl + '/exams');
    const after = page.getByTestId('exam-open').first();
    await after.waitFor();
    expect(await after.getByTestId('exam-start').count()).toBe(0);
    expect(await after.getByTestId('exam-blocked').textContent()).toContain('作答次数已用完');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an exam that shows everything at once: a busy start counted down, forward-only questions of every type, then score, marks, keys and explanations', async () => {
    // A trainer sets one question of each type, in order, for 10001 alone, reviewed at once with everything shown.
    const trainer = await token('trainer');
    const me = await call(await token('10001'), '/api/me');
    const items = [];
    for (const type of TYPES) {
      const found = await call(trainer, `/api/questions?type=${type}&status=active&language=zh&limit=1`);
      expect(found.items.length, type).toBe(1);
      items.push({ kind: 'fixed', questionId: found.items[0].id });
    }
    const now = clock.now().getTime();
    const exam = await call(trainer, '/api/exams', 'POST', {
      titleZh: '全题型练习（立即公布）', kind: 'practice', period: new Date(now).toISOString().slice(0, 7),
      opensAt: new Date(now - 60_000).toISOString(), closesAt: new Date(now + 86_400_000).toISOString(),
      timeLimitMinutes: 20, attemptsAllowed: 1, navigation: 'sequential', shuffleQuestions: false, shuffleOptions: true,
      reviewWhen: 'immediately', reviewScore: true, reviewCorrectness: true, reviewAnswers: true, reviewFeedback: true,
      userIds: [me.id], items,
    });
    await call(trainer, `/api/exams/${exam.id}/publish`, 'POST');

    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', serviceWorkers: 'block' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, product.server.baseUrl, '10001');

    // The first start is turned away as under load: the card counts down and tries again by itself.
    let starts = 0;
    await page.route(`**/api/exams/${exam.id}/attempts`, async (route) => {
      if (route.request().method() === 'POST' && starts++ === 0) {
        await route.fulfill({ status: 429, headers: { 'retry-after': '2', 'content-type': 'application/problem+json' },
          body: JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, code: 'throttled', detail: 'busy' }) });
      } else await route.continue();
    });
    await page.goto(product.server.baseUrl + '/exams');
    const card = page.getByTestId('exam-open').filter({ hasText: '全题型练习' });
    await card.getByTestId('exam-start').click();
    await expect.poll(() => card.getByTestId('start-wait').textContent()).toMatch(/\d 秒后自动重试/);
    await page.waitForURL(/\/exams\/attempt\/[0-9a-f-]{36}$/);
    expect(starts).toBe(2);
    const attemptId = page.url().split('/').pop()!;

    // Forward only: no previous button, the navigator is disabled.
    await page.getByTestId('question').waitFor();
    expect(await page.getByTestId('prev').count()).toBe(0);
    const cells = page.getByTestId('nav-cell');
    expect(await cells.count()).toBe(TYPES.length);
    for (const i of [0, 4, 8]) expect(await cells.nth(i).isDisabled()).toBe(true);
    for (let n = 0; n < TYPES.length; n++) {
      expect(await page.getByTestId('question').getAttribute('data-slot')).toBe(String(n));
      await answerCurrent(page, n);
      if (n < TYPES.length - 1) await page.getByTestId('next').click();
    }
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('saved');
    await page.getByTestId('submit').click();
    const sheet = page.getByTestId('submit-sheet');
    await sheet.waitFor();
    expect(await sheet.getByTestId('unanswered-list').count()).toBe(0);
    await sheet.getByTestId('confirm-submit').click();
    await page.getByTestId('attempt-finished').getByTestId('open-review').click();
    await page.waitForURL(`**/exams/attempt/${attemptId}/review`);

    // The review: the total, and each question with a mark, the learner's answer and the key.
    const total = page.getByTestId('review-total');
    await total.waitFor();
    expect(await total.textContent()).toMatch(/\d+(\.\d+)?\/\d+(\.\d+)? 分/);
    const qs = page.getByTestId('review-question');
    expect(await qs.count()).toBe(TYPES.length);
    for (let i = 0; i < TYPES.length; i++) {
      const q = qs.nth(i);
      expect(await q.getByTestId('review-mark').count(), TYPES[i]).toBe(1);
      if (i < 2) {
        expect(await q.locator('li.chosen').count(), TYPES[i]).toBeGreaterThan(0);
        expect(await q.locator('li.right').count(), TYPES[i]).toBeGreaterThan(0);
      } else {
        expect(await q.getByTestId('review-answer').textContent(), TYPES[i]).not.toContain('未作答');
        expect(await q.getByTestId('review-key').count(), TYPES[i]).toBe(1);
      }
    }
    // Short answer and essay wait for a grader.
    expect(await qs.nth(7).getByTestId('review-mark').getAttribute('data-mark')).toBe('pending');
    expect(await qs.nth(7).getByTestId('review-score').count()).toBe(0);
    expect(await qs.nth(0).getByTestId('review-explanation').count()).toBe(1);
    expect(await page.getByTestId('review-pending').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'exam-review-zh-phone.png'), fullPage: true });

    // Ordering went back as the items' own texts, which is what the scorer compares.
    const review = await (await page.request.get(`${product.server.baseUrl}/api/attempts/${attemptId}/review`)).json() as {
      questions: { type: string; answer: Record<string, unknown> | null; key?: Record<string, unknown> }[];
    };
    const ordering = review.questions.find((x) => x.type === 'ordering')!;
    expect([...(ordering.answer!.order as string[])].sort()).toEqual([...(ordering.key!.items as string[])].sort());
    expect(errors).toEqual([]);
    await context.close();
  });

  it('at time up sends what is left and shows the attempt the server submitted', async () => {
    const trainer = await token('trainer');
    const me = await call(await token('10001'), '/api/me');
    const found = await call(trainer, '/api/questions?type=true_false&status=active&language=zh&limit=2');
    const now = clock.now().getTime();
    const exam = await call(trainer, '/api/exams', 'POST', {
      titleZh: '一分钟测验', kind: 'practice', period: new Date(now).toISOString().slice(0, 7),
      opensAt: new Date(now - 60_000).toISOString(), closesAt: new Date(now + 86_400_000).toISOString(),
      timeLimitMinutes: 1, graceSeconds: 0, attemptsAllowed: 1, reviewWhen: 'immediately', reviewScore: true,
      userIds: [me.id], items: found.items.map((q: { id: string }) => ({ kind: 'fixed', questionId: q.id })),
    });
    await call(trainer, `/api/exams/${exam.id}/publish`, 'POST');

    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', serviceWorkers: 'block' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    // The browser's timers run on a fake clock that the test moves together with the server's.
    await page.clock.install({ time: clock.now() });
    await signIn(page, product.server.baseUrl, '10001');
    await page.goto(product.server.baseUrl + '/exams');
    await page.getByTestId('exam-open').filter({ hasText: '一分钟测验' }).getByTestId('exam-start').click();
    await page.waitForURL(/\/exams\/attempt\/[0-9a-f-]{36}$/);
    const attemptId = page.url().split('/').pop()!;
    await page.getByTestId('question').waitFor();
    expect(await page.getByTestId('timer').textContent()).toMatch(/剩余 (1:00|0:5\d)/);
    await answerCurrent(page, 0);
    const saved = page.waitForResponse((r) => r.url().endsWith('/answers') && r.request().method() === 'PUT');
    await page.clock.runFor(1000);
    expect((await saved).status()).toBe(200);
    await expect.poll(() => status(page)).toBe('saved');

    // A second answer, then the minute passes: the phone's timer runs out (its clock a little ahead of the server's),
    // the screen says time is up and sends what it still holds, which the server takes before its own deadline.
    await page.getByTestId('next').click();
    await answerCurrent(page, 1);
    clock.advance(59_000);
    await page.clock.runFor(61_000);
    await page.getByTestId('time-up').waitFor();
    await expect.poll(() => status(page)).toBe('saved');
    // Past the deadline on the server too: the screen shows the attempt it submitted.
    clock.advance(5_000);
    await page.clock.runFor(3_000);
    const finished = page.getByTestId('attempt-finished');
    await finished.waitFor();
    expect(await finished.textContent()).toContain('作答时间已到，答卷已自动提交');
    const review = await (await page.request.get(`${product.server.baseUrl}/api/attempts/${attemptId}/review`)).json() as {
      finishedBy: string; questions: { answer: Record<string, unknown> | null }[];
    };
    expect(review.finishedBy).toBe('deadline');
    expect(review.questions.map((q) => q.answer === null)).toEqual([false, false]);
    await context.close();
  });
});
