import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/src/lib/clock.js';
import { ARTIFACTS, DEMO_PASSWORD, signIn, useProduct } from '../helpers/browser.js';

const clock = new ManualClock(new Date());
const SLUG = 'phone-and-message-etiquette'; // 20 minutes estimated: 10 minutes of reading completes it

const product = useProduct({ clock });

beforeAll(async () => {
  // A trainer assigns the module to every account manager.
  const login = await product.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'trainer', password: DEMO_PASSWORD, mode: 'token' } });
  const token = login.json().accessToken;
  const mod = await product.server.app.inject({ url: `/api/modules/${SLUG}`, headers: { authorization: `Bearer ${token}` } });
  const res = await product.server.app.inject({
    method: 'POST', url: '/api/assignments', headers: { authorization: `Bearer ${token}` },
    payload: { targetType: 'module', targetId: mod.json().id, positions: ['account_manager'], dueOn: new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10) },
  });
  expect(res.statusCode).toBe(201);
});

describe('studying a module on a phone', () => {
  it('opens an assigned module in Chinese, reads to the end, and sees it completed with the time counted', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    // The browser's timers run on a fake clock that the test moves together with the server's clock.
    await page.clock.install({ time: clock.now() });
    await page.goto(product.server.baseUrl + '/login');
    await page.fill('#username', '10001');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    const mine = page.getByTestId('my-learning');
    await mine.getByText('即将到期').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'my-learning-zh-phone.png'), fullPage: true });
    await mine.getByRole('link', { name: '电话与信息服务礼仪' }).click();
    await page.getByRole('heading', { level: 1, name: '电话与信息服务礼仪' }).waitFor();
    expect(await page.locator('article.lesson h2').count()).toBeGreaterThan(3);
    await page.screenshot({ path: join(ARTIFACTS, 'reader-zh-phone.png') });
    // Nothing may stick out sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // Read for eleven minutes, a screen at a time, heartbeat by heartbeat.
    const sections = page.locator('article.lesson h2');
    const n = await sections.count();
    for (let i = 0; i < 44; i++) {
      if (i < n) await sections.nth(i).scrollIntoViewIfNeeded();
      clock.advance(15_000);
      const beat = page.waitForResponse((r) => r.url().endsWith('/progress') && r.request().method() === 'POST');
      await page.clock.runFor(15_000);
      expect((await beat).status()).toBe(200);
    }
    await page.getByTestId('end-of-module').scrollIntoViewIfNeeded();
    clock.advance(5_000);
    await page.clock.runFor(5_000);
    await page.getByTestId('completed').waitFor();
    const spent = await page.getByTestId('time-spent').textContent();
    expect(Number(/(\d+)/.exec(spent ?? '')?.[1])).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: join(ARTIFACTS, 'reader-completed-zh-phone.png') });

    // The catalogue and the home page agree.
    await page.goto(product.server.baseUrl + '/learn?q=' + encodeURIComponent('电话'));
    await page.getByTestId('module-card').filter({ hasText: '电话与信息服务礼仪' }).getByText('已完成').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'catalogue-zh-phone.png'), fullPage: true });
    await context.close();
  });

  it('shows the catalogue and a module in English at desktop width', async () => {
    const context = await product.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, '10002');
    await page.goto(product.server.baseUrl + '/learn');
    await page.getByRole('heading', { name: 'Supply policy and ordering' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'catalogue-en-desktop.png') });
    await page.goto(product.server.baseUrl + '/learn/floating-total-management');
    await page.getByRole('heading', { level: 2, name: 'Contents' }).or(page.getByText('Contents')).first().waitFor();
    expect(await page.locator('article.lesson').getAttribute('lang')).toBe('en');
    await page.screenshot({ path: join(ARTIFACTS, 'reader-en-desktop.png') });
    await context.close();
  });

  it('runs no script from a module full of XSS attempts', async () => {
    const login = await product.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'trainer', password: DEMO_PASSWORD, mode: 'token' } });
    const auth = { authorization: `Bearer ${login.json().accessToken}` };
    const body = [
      '# XSS', '', '## Vectors', '',
      '<script>window.__xss = 1</script>',
      '<img src=x onerror="window.__xss = 2">',
      '[click](javascript:window.__xss=3)',
      '<svg onload="window.__xss = 4"></svg>',
      '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=5"></style></mglyph></table></mtext></math>',
      '<iframe src="javascript:parent.__xss=6"></iframe>',
      '![x](javascript:window.__xss=7)',
      '<a href="jav&#x09;ascript:window.__xss=8">tab</a>',
      '<details open ontoggle="window.__xss=9">x</details>',
      '[ref][r]', '', '[r]: javascript:window.__xss=10',
    ].join('\n\n');
    const created = await product.server.app.inject({
      method: 'POST', url: '/api/modules', headers: auth,
      payload: { trackId: 'v3-system', slug: 'xss-check', minutes: 5, positions: ['account_manager'], locales: { zh: { title: '安全检查', summary: 's', objectives: ['o'], tags: [], body } } },
    });
    expect(created.statusCode).toBe(201);
    expect((await product.server.app.inject({ method: 'POST', url: `/api/modules/${created.json().id}/publish`, headers: auth })).statusCode).toBe(200);

    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await signIn(page, product.server.baseUrl, '10003');
    await page.goto(product.server.baseUrl + '/learn/xss-check');
    await page.getByRole('heading', { level: 2, name: 'Vectors' }).waitFor();
    // Click every link and open every details element the page shows.
    for (const link of await page.locator('article.lesson a').all()) await link.click({ noWaitAfter: true }).catch(() => undefined);
    await page.goto(product.server.baseUrl + '/learn/xss-check');
    await page.getByRole('heading', { level: 2, name: 'Vectors' }).waitFor();
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('article.lesson script, article.lesson svg, article.lesson iframe, article.lesson math, article.lesson [onerror], article.lesson [onload]').count()).toBe(0);
    await context.close();
  });
});
