import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

const stems = (page: import('playwright-core').Page) =>
  page.getByTestId('bank-table').locator('tbody tr td:nth-child(2)').allTextContents();

describe('web contract: page data by address, guarded pages', () => {
  it('keeps the bank filters and page number in the address across reload and back', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, product.server.baseUrl, 'trainer');

    await page.goto(product.server.baseUrl + '/bank?status=active');
    await page.getByTestId('bank-table').locator('tbody tr').first().waitFor();
    const firstPage = await stems(page);
    expect(firstPage.length).toBe(50);

    // Next page: the address says page 2, and a reload shows the same rows.
    await page.getByRole('button', { name: '下一页' }).click();
    await page.waitForURL(/[?&]page=2(&|$)/);
    expect(new URL(page.url()).searchParams.get('status')).toBe('active');
    await page.waitForFunction((first) => document.querySelector('[data-testid=bank-table] tbody tr td:nth-child(2)')?.textContent !== first, firstPage[0]);
    const secondPage = await stems(page);
    expect(secondPage).not.toEqual(firstPage);
    await page.reload();
    await page.getByTestId('bank-table').locator('tbody tr').first().waitFor();
    expect(await stems(page)).toEqual(secondPage);
    expect(await page.getByTestId('filter-status').inputValue()).toBe('active');
    await page.screenshot({ path: join(ARTIFACTS, 'bank-page2-zh-phone.png'), fullPage: false });

    // Open a question and come back: the same filtered page.
    await page.getByTestId('bank-table').locator('tbody tr td:nth-child(2) a').first().click();
    await page.waitForURL(/\/bank\/[0-9a-f-]{36}/);
    await page.getByTestId('question-preview').waitFor();
    await page.goBack();
    await page.waitForURL(/\/bank\?status=active&page=2$/);
    await page.getByTestId('bank-table').locator('tbody tr').first().waitFor();
    expect(await stems(page)).toEqual(secondPage);

    // A new filter starts again at page 1.
    await page.getByTestId('filter-type').selectOption('single_choice');
    await page.waitForURL((u) => u.searchParams.get('type') === 'single_choice' && !u.searchParams.has('page'));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps the catalogue search in the address, and the last search typed wins', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, '10001');
    await page.goto(product.server.baseUrl + '/learn');
    await page.getByTestId('module-card').first().waitFor();
    const all = await page.getByTestId('module-card').count();
    // The first search's answer is held back until the second has been shown: it must not replace it.
    let hold: (() => void) | undefined;
    await page.route('**/api/modules?*q=*', async (route) => {
      if (new URL(route.request().url()).searchParams.get('q') === '礼仪') {
        await new Promise<void>((resolve) => (hold = resolve));
      }
      await route.continue();
    });
    const search = page.getByRole('searchbox');
    await search.fill('礼仪');
    await search.press('Enter');
    await search.fill('总量');
    await search.press('Enter');
    await page.waitForURL(/q=%E6%80%BB%E9%87%8F/);
    await page.getByTestId('module-card').first().waitFor();
    const shown = await page.getByTestId('module-card').allTextContents();
    expect(shown.length).toBeLessThan(all);
    // Now let the older answer arrive, wait until the browser has it, and give the page a frame to (not) show it.
    expect(hold).toBeDefined();
    const isOld = (r: import('playwright-core').Request) => new URL(r.url()).searchParams.get('q') === '礼仪';
    const settled = Promise.race([page.waitForEvent('requestfinished', isOld), page.waitForEvent('requestfailed', isOld)]);
    hold?.();
    await settled;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await page.getByTestId('module-card').allTextContents()).toEqual(shown);
    expect(new URL(page.url()).searchParams.get('q')).toBe('总量');
    await page.reload();
    await page.getByTestId('module-card').first().waitFor();
    expect(await page.getByTestId('module-card').allTextContents()).toEqual(shown);
    expect(await search.inputValue()).toBe('总量');
    await page.screenshot({ path: join(ARTIFACTS, 'learn-search-zh-phone.png'), fullPage: false });
    await context.close();
  });

  it('sends staff away from pages their permissions do not open, saying why', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, '10001');
    for (const path of ['/admin/users', '/study/review', '/author']) {
      await page.goto(product.server.baseUrl + path);
      await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('denied') === path);
      await page.getByTestId('not-allowed').waitFor();
      await page.getByTestId('greeting').waitFor();
    }
    expect(await page.getByTestId('not-allowed').textContent()).toContain('只有培训师和系统管理员');
    await page.screenshot({ path: join(ARTIFACTS, 'denied-zh-phone.png'), fullPage: false });
    // Signed out, every page goes to the login page.
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL('**/login');
    await page.goto(product.server.baseUrl + '/learn');
    await page.waitForURL('**/login');
    await context.close();
  });
});
