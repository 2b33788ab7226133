import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../api/src/lib/clock.js';
import { ARTIFACTS, DEMO_PASSWORD, signIn, useProduct } from '../helpers/browser.js';

/**
 * One progress measure shown the same way everywhere, and home pages with real content: the learner's home lists
 * each module once and says what is left exactly as the reader and the catalogue do; the trainer's home links to
 * authoring, the bank and its import with their counts; a department head's home sums up the assignments of their
 * people, overdue ones marked. At 360 px in Chinese and 1280 px in English.
 */
const clock = new ManualClock(new Date());
const product = useProduct({ clock });

const STARTED = 'phone-and-message-etiquette'; // assigned, read to the end, minutes not met
const OVERDUE = 'floating-total-management'; // assigned by the head to 王芳 (10002), due before today

const sizes = [
  { name: 'zh-360', width: 360, height: 740, locale: 'zh-CN', lang: 'zh' },
  { name: 'en-1280', width: 1280, height: 800, locale: 'en-US', lang: 'en' },
] as const;
type Size = (typeof sizes)[number];

const chinaDay = (days: number) => new Date(clock.now().getTime() + 8 * 3600_000 + days * 86400_000).toISOString().slice(0, 10);

async function token(username: string) {
  const res = await product.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD, mode: 'token' } });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().accessToken as string}` };
}

async function api(headers: Record<string, string>, url: string, method: 'GET' | 'POST' = 'GET', payload?: unknown, lang = 'zh') {
  const res = await product.server.app.inject({ method, url, headers: { ...headers, 'accept-language': lang }, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

let titles: Record<string, Record<'zh' | 'en', string>>;

beforeAll(async () => {
  const trainer = await token('trainer');
  const manager = await token('manager');
  const started = await api(trainer, `/api/modules/${STARTED}`);
  const overdue = await api(trainer, `/api/modules/${OVERDUE}`);
  titles = {
    [STARTED]: { zh: started.title, en: (await api(trainer, `/api/modules/${STARTED}`, 'GET', undefined, 'en')).title },
    [OVERDUE]: { zh: overdue.title, en: (await api(trainer, `/api/modules/${OVERDUE}`, 'GET', undefined, 'en')).title },
  };
  await api(trainer, '/api/assignments', 'POST', { targetType: 'module', targetId: started.id, positions: ['account_manager'], dueOn: chinaDay(3) });
  const wang = (await api(manager, '/api/users?q=10002')).items[0];
  await api(manager, '/api/assignments', 'POST', { targetType: 'module', targetId: overdue.id, userIds: [wang.id], dueOn: chinaDay(1) });
  // Two days on: the head's assignment is overdue, the trainer's is due tomorrow.
  clock.advance(2 * 86400_000);

  // 10001 reads the assigned module to the end, every section, for about a minute: far from the 10 minutes needed.
  const learner = await token('10001');
  const sections = (started.toc as { id: string; depth: number }[]).filter((t) => t.depth === 2).map((t) => t.id);
  clock.advance(90_000);
  const p = await api(learner, `/api/modules/${started.id}/progress`, 'POST', { clientId: randomUUID(), seq: 1, seconds: 90, sectionsRead: sections, reachedEnd: true });
  expect(p.completedAt).toBeNull();
  expect(p.completion).toMatchObject({ complete: false, reachedEnd: true, remaining: { sections: 0, end: false } });
  expect(p.completion.percent).toBeLessThan(100);
  expect(p.completion.remaining.minutes).toBeGreaterThan(0);
});

/** A page in a fresh context, in the size's language, recording uncaught exceptions. */
async function openPage(browser: Browser, size: Size) {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: size.locale });
  context.setDefaultTimeout(15_000);
  await context.addInitScript((lang) => { if (!localStorage.getItem('lang')) localStorage.setItem('lang', lang); }, size.lang);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Links, buttons and summaries inside `selector` whose hit box is under 44 x 44 px. */
const smallIn = (page: Page, selector: string) => page.locator(selector).evaluateAll((roots) => roots.flatMap((root) =>
  [...root.querySelectorAll('a[href], button, summary')].flatMap((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.width < 43.5 || r.height < 43.5) ? [`${(el.textContent ?? '').trim().slice(0, 30)} ${Math.round(r.width)}x${Math.round(r.height)}`] : [];
  })));

/** The line and the bar of the Progress component inside `scope`. */
async function progressOf(page: Page, scope: ReturnType<Page['locator']>) {
  const box = scope.getByTestId('progress');
  return {
    line: (await box.getByTestId('progress-line').textContent())?.trim(),
    percent: await box.getByRole('progressbar').getAttribute('aria-valuenow'),
  };
}

describe('one progress measure, and home pages with real content', () => {
  for (const size of sizes) {
    const zh = size.lang === 'zh';

    it(`the learner's home lists each module once and says what is left as the reader and catalogue do (${size.name})`, async () => {
      const { context, page, errors } = await openPage(product.browser, size);
      await signIn(page, product.server.baseUrl, '10001');
      const mine = page.getByTestId('my-learning');
      await mine.getByTestId('learning-item').first().waitFor();
      const title = titles[STARTED][size.lang];
      // Each module once: no title twice among the items of all groups.
      const shown = (await mine.getByTestId('learning-item').locator('> a').allTextContents()).map((s) => s.trim());
      expect(shown.length).toBeGreaterThan(0);
      expect(new Set(shown).size).toBe(shown.length);
      expect(shown.filter((s) => s === title)).toHaveLength(1);
      // The started module is due tomorrow: under "due soon", with its date.
      const item = mine.getByTestId('learning-item').filter({ has: page.getByRole('link', { name: title, exact: true }) });
      await expect.poll(() => item.locator('xpath=ancestor::ul/preceding-sibling::h3[1]').textContent()).toBe(zh ? '即将到期' : 'Due soon');
      expect(await item.textContent()).toContain(chinaDay(1));
      const onHome = await progressOf(page, item);
      // Every section read but the minutes not met: not complete, not full, and minutes are what is left.
      expect(Number(onHome.percent)).toBeLessThan(100);
      expect(Number(onHome.percent)).toBeGreaterThanOrEqual(50);
      expect(onHome.line).toMatch(zh ? /^还需学习 \d+ 分钟$/ : /^\d+ more minutes? to go$/);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      if (size.width === 360) expect(await smallIn(page, '[data-testid=my-learning]')).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `progress-home-learner-${size.name}.png`), fullPage: true });

      // The reader says the same.
      await item.getByRole('link', { name: title, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      const status = page.getByTestId('study-status');
      expect(await progressOf(page, status)).toEqual(onHome);
      expect(await status.textContent()).not.toMatch(zh ? /已完成/ : /Module completed/);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `progress-reader-${size.name}.png`) });

      // And the catalogue.
      await page.goto(product.server.baseUrl + '/learn?q=' + encodeURIComponent(title));
      const card = page.getByTestId('module-card').filter({ has: page.getByRole('link', { name: title, exact: true }) });
      await card.waitFor();
      expect(await progressOf(page, card)).toEqual(onHome);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `progress-catalogue-${size.name}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`the trainer's home links to authoring, the bank and its import, with their counts (${size.name})`, async () => {
      const { context, page, errors } = await openPage(product.browser, size);
      await signIn(page, product.server.baseUrl, 'trainer');
      const modules = page.getByTestId('trainer-modules');
      const bank = page.getByTestId('trainer-bank');
      const facets = await api(await token('trainer'), '/api/questions/facets');
      await expect.poll(() => bank.textContent()).toContain(String(facets.counts.active));
      await expect.poll(() => modules.textContent()).toMatch(/\d/);
      for (const [scope, href] of [[modules, '/author'], [modules, '/author/new'], [bank, '/bank'], [bank, '/bank/import']] as const) {
        expect(await scope.locator(`a[href="${href}"]`).count(), href).toBe(1);
      }
      const summary = page.getByTestId('assignment-summary');
      expect(await summary.locator('a[href="/assignments"]').count()).toBe(1);
      const main = await page.locator('body').innerText();
      expect(main).not.toContain('上线后');
      expect(main).not.toMatch(/Once (course modules|exams)/);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `progress-home-trainer-${size.name}.png`), fullPage: true });
      // The links lead where they say.
      await modules.locator('a[href="/author"]').click();
      await page.waitForURL('**/author');
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`the head's home sums up their people's assignments, overdue marked, with links to assignments and attendance (${size.name})`, async () => {
      const { context, page, errors } = await openPage(product.browser, size);
      await signIn(page, product.server.baseUrl, 'manager');
      const expected = await api(await token('manager'), '/api/assignments/summary');
      expect(expected.modulesOverdue).toBeGreaterThanOrEqual(1);
      const summary = page.getByTestId('assignment-summary');
      const overdue = summary.getByTestId('summary-overdue');
      await overdue.waitFor();
      expect(await overdue.textContent()).toBe(zh
        ? `${expected.peopleOverdue} 人有逾期未完成的学习，共 ${expected.modulesOverdue} 项。`
        : `Overdue and not done: ${expected.modulesOverdue} (people: ${expected.peopleOverdue}).`);
      // Overdue is marked in red, as on the learner's own home.
      expect(await overdue.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(160, 27, 27)');
      expect(await summary.textContent()).toContain(zh ? `布置给 ${expected.people} 人` : `People assigned: ${expected.people}.`);
      expect(await summary.locator('a[href="/assignments"]').count()).toBe(1);
      expect(await summary.locator('a[href="/study/review"]').count()).toBe(1);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      if (size.width === 360) expect(await smallIn(page, '[data-testid=assignment-summary]')).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `progress-home-manager-${size.name}.png`), fullPage: true });
      await summary.locator('a[href="/study/review"]').click();
      await page.waitForURL('**/study/review');
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
