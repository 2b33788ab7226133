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
    const spent = await page.getByTestId('study-status').getByTestId('progress-line').textContent();
    expect(spent).toContain('已完成');
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
    // Every vector, if it ran, would write window.__xss (or its parent's) with its own number.
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
      '<details ontoggle="window.__xss=16"><summary>more</summary>only when opened</details>',
      '[ref][r]', '', '[r]: javascript:window.__xss=10',
      '<javascript:window.__xss=11>',
      '[entity](javascript&#58;window.__xss=12)',
      '[mixed case](JaVaScRiPt:window.__xss=13)',
      '[vb](vbscript:window.__xss=14)',
      // A top-level data: document is blocked by Chromium, so this one would not run even if it got through; it
      // must still not be in the page.
      '[data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3M9MTU8L3NjcmlwdD4=)',
      // A harmless link, so there is always something to click.
      '[back to the vectors](#vectors)',
    ].join('\n\n');
    const created = await product.server.app.inject({
      method: 'POST', url: '/api/modules', headers: auth,
      payload: { trackId: 'v3-system', slug: 'xss-check', minutes: 5, positions: ['account_manager'], locales: { zh: { title: '安全检查', summary: 's', objectives: ['o'], tags: [], body } } },
    });
    expect(created.statusCode).toBe(201);
    expect((await product.server.app.inject({ method: 'POST', url: `/api/modules/${created.json().id}/publish`, headers: auth })).statusCode).toBe(200);

    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(10_000);
    // Any write of __xss in any frame of any page is reported to the test at once, so a script that runs and is then
    // navigated away (or reloaded away) is still seen; `dialogs` catches alert/confirm/prompt.
    const ran: string[] = [];
    await context.exposeBinding('__xssRan', ({ frame }, value: unknown) => { ran.push(`${String(value)} in ${frame.url()}`); });
    await context.addInitScript(() => {
      const w = window as unknown as { __xssRan(value: unknown): Promise<void>; __xssValue?: unknown };
      Object.defineProperty(window, '__xss', {
        get: () => w.__xssValue,
        set: (value: unknown) => { w.__xssValue = value; void w.__xssRan(value); },
      });
    });
    const dialogs: string[] = [];
    context.on('page', (p) => p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); }));
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, '10003');
    const lessonPath = '/learn/xss-check';
    const onLesson = () => new URL(page.url()).pathname === lessonPath;
    const openLesson = async () => {
      await page.goto(product.server.baseUrl + lessonPath);
      await page.getByRole('heading', { level: 2, name: 'Vectors' }).waitFor();
    };
    // Lets queued work run (javascript: navigations and toggle events are tasks, not part of the click itself).
    const settle = () => page.evaluate(() => new Promise<void>((resolve) => setTimeout(() => setTimeout(resolve, 0), 0)));
    await openLesson();

    // What the sanitiser let through: no element that runs or embeds, no event handler, and no URL anywhere whose
    // scheme runs code, as the browser reads it (it drops tabs and newlines, ignores case and decodes entities).
    const found = await page.locator('article.lesson').evaluate((article) => {
      const dangerous = /^(javascript|data|vbscript):/i;
      // Control characters and spaces are what a browser drops from a URL before it reads the scheme.
      // eslint-disable-next-line no-control-regex
      const schemeOf = (value: string) => value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
      const out = { elements: [] as string[], handlers: [] as string[], urls: [] as string[] };
      for (const el of Array.from(article.querySelectorAll('*'))) {
        const tag = el.tagName.toLowerCase();
        if (['script', 'iframe', 'frame', 'object', 'embed', 'svg', 'math', 'style', 'link', 'meta', 'base', 'form'].includes(tag)) out.elements.push(tag);
        for (const attr of Array.from(el.attributes)) {
          if (attr.name.toLowerCase().startsWith('on')) out.handlers.push(`${tag}[${attr.name}]`);
          if (dangerous.test(schemeOf(attr.value))) out.urls.push(`${tag}[${attr.name}=${attr.value}]`);
        }
        if (el instanceof HTMLAnchorElement && el.hasAttribute('href') && dangerous.test(el.protocol)) out.urls.push(`a.href ${el.href}`);
      }
      return out;
    });
    // Soft: a leak here should still go on to show, below, whether the leaked script actually runs.
    expect.soft(found.elements, 'elements that run or embed').toEqual([]);
    expect.soft(found.handlers, 'event handler attributes').toEqual([]);
    expect.soft(found.urls, 'javascript:, data: or vbscript: URLs').toEqual([]);
    await settle();
    expect.soft(ran, 'script ran on opening the lesson').toEqual([]);

    // Click every link a learner could click, checking after each one, before anything reloads the page.
    const links = page.locator('article.lesson a');
    const count = await links.count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      if (!onLesson()) { // after a link that navigated away (an in-page #fragment does not)
        await openLesson();
        await settle();
      }
      const link = links.nth(i);
      const label = `link ${i} "${await link.textContent()}" (href ${await link.getAttribute('href')})`;
      const before = ran.length;
      await link.click({ noWaitAfter: true });
      await settle();
      expect.soft(ran.slice(before), `script ran on clicking ${label}`).toEqual([]);
    }
    for (const p of context.pages()) if (p !== page) await p.close();

    // Open every details element: a toggle handler runs only then (the vectors' details are gone, but whatever got
    // through is opened as a learner would).
    if (!onLesson()) {
      await openLesson();
      await settle();
    }
    const beforeDetails = ran.length;
    for (const details of await page.locator('article.lesson details').all()) {
      await details.evaluate((el) => { (el as HTMLDetailsElement).open = false; });
      await details.evaluate((el) => { (el as HTMLDetailsElement).open = true; });
    }
    await settle();
    expect.soft(ran.slice(beforeDetails), 'script ran on opening details').toEqual([]);

    expect(ran).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
