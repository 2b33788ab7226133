import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

const sizes = [
  { name: 'zh-360', width: 360, height: 740, locale: 'zh-CN', lang: 'zh' },
  { name: 'en-1280', width: 1280, height: 800, locale: 'en-US', lang: 'en' },
] as const;
type Size = (typeof sizes)[number];

/** A page in a fresh context that records console errors, uncaught exceptions and failed API answers. */
async function openPage(browser: Browser, size: Size) {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: size.locale });
  context.setDefaultTimeout(15_000);
  // The product's language follows the browser until someone chooses; pin it for the run.
  await context.addInitScript((lang) => { if (!localStorage.getItem('lang')) localStorage.setItem('lang', lang); }, size.lang);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  return { context, page, problems };
}

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
/** Whether the brand in the header shows whole: nothing of it is clipped. */
const brandWhole = (page: Page) => page.locator('header .brand').evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && getComputedStyle(el).textOverflow !== 'ellipsis');

describe('signed out', () => {
  for (const size of sizes) {
    it(`the login page loads with no console error and no failed request, the brand whole (${size.name})`, async () => {
      const { context, page, problems } = await openPage(product.browser, size);
      await page.goto(product.server.baseUrl + '/');
      await page.waitForURL('**/login');
      await page.locator('#username').waitFor();
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
      expect(await brandWhole(page)).toBe(true);
      expect(await noOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `polish-login-${size.name}.png`) });

      // Signing out leaves nothing behind that would make the next load probe for a session.
      await signIn(page, product.server.baseUrl, '10001');
      expect((await context.cookies()).some((c) => c.name === 'signed_in')).toBe(true);
      await page.getByRole('button', { name: size.lang === 'zh' ? '退出登录' : 'Log out' }).click();
      await page.waitForURL('**/login');
      expect((await context.cookies()).some((c) => c.name === 'signed_in')).toBe(false);
      problems.length = 0;
      await page.reload();
      await page.locator('#username').waitFor();
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});

describe('an unknown address', () => {
  for (const size of sizes) {
    it(`shows a page-not-found page in the person's language with a way home (${size.name})`, async () => {
      const { context, page, problems } = await openPage(product.browser, size);
      await signIn(page, product.server.baseUrl, '10001');
      await page.goto(product.server.baseUrl + '/no/such/place');
      const box = page.getByTestId('error-page');
      await box.waitFor();
      const heading = size.lang === 'zh' ? '找不到这个页面' : 'Page not found';
      expect(await box.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      expect(await box.textContent()).toContain('/no/such/place');
      expect(await box.textContent()).not.toContain('Not Found');
      expect(await page.title()).toContain(heading);
      expect(await brandWhole(page)).toBe(true);
      expect(await noOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `polish-404-${size.name}.png`) });
      await page.getByTestId('error-home').click();
      await page.getByTestId('greeting').waitFor();
      // The address itself answers 404, as it should; nothing else fails or logs an error.
      expect(problems.filter((p) => p !== '404 /no/such/place' && !p.includes('status of 404'))).toEqual([]);
      await context.close();
    });
  }
});
