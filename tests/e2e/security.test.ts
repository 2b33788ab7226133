import { createServer, type Server as HttpServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, useProduct } from '../helpers/browser.js';

/**
 * Browser defences, checked in Chromium: a page on another port of the same host (same site, other origin) and a
 * page on another site cannot make the signed-in user's browser write; the app cannot be framed by another origin;
 * and the app's own pages run under the strict CSP, also when the browser revalidates a cached page.
 */
const product = useProduct();

let attacker: HttpServer;
let attackerPort = 0;

beforeAll(async () => {
  // The attacker's pages: an auto-submitting form to the app, and a page that frames the app.
  attacker = createServer((req, res) => {
    const target = decodeURIComponent(new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (req.url?.startsWith('/form')) {
      res.end(`<!doctype html><form id="f" method="POST" action="${target}" enctype="text/plain">
        <input name='{"displayName":"被人改了","x":"' value='"}'></form><script>document.getElementById('f').submit()</script>`);
    } else if (req.url?.startsWith('/logout')) {
      res.end(`<!doctype html><form id="f" method="POST" action="${target}"></form><script>document.getElementById('f').submit()</script>`);
    } else {
      res.end(`<!doctype html><h1>framing</h1><iframe id="app" src="${target}" width="400" height="400"></iframe>`);
    }
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  const a = attacker.address();
  attackerPort = typeof a === 'object' && a ? a.port : 0;
});
afterAll(async () => { await new Promise((r) => attacker.close(r)); });

describe('browser defences', () => {
  it('refuses writes started by a page on another port of the same host, and keeps the session', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, '10002');
    const before = await page.evaluate(async () => (await (await fetch('/api/me')).json()) as { displayName: string });

    // Same site (127.0.0.1), other port: SameSite cookies go along, so only the origin check stands in the way.
    const evil = await context.newPage();
    const logoutUrl = encodeURIComponent(`${product.server.baseUrl}/api/auth/logout`);
    await evil.goto(`http://127.0.0.1:${attackerPort}/logout?target=${logoutUrl}`);
    await evil.waitForURL(`${product.server.baseUrl}/api/auth/logout`);
    const refused = JSON.parse((await evil.locator('body').textContent()) ?? '{}') as { status: number; code: string };
    expect(refused).toMatchObject({ status: 403, code: 'cross_site_request' });

    const formUrl = encodeURIComponent(`${product.server.baseUrl}/api/me/password`);
    await evil.goto(`http://127.0.0.1:${attackerPort}/form?target=${formUrl}`);
    await evil.waitForURL(`${product.server.baseUrl}/api/me/password`);
    expect(JSON.parse((await evil.locator('body').textContent()) ?? '{}')).toMatchObject({ status: 403, code: 'cross_site_request' });

    // The session survived and nothing changed.
    const after = await page.evaluate(async () => {
      const r = await fetch('/api/me');
      return { status: r.status, body: (await r.json()) as { displayName: string } };
    });
    expect(after.status).toBe(200);
    expect(after.body.displayName).toBe(before.displayName);
    // The app's own writes still work.
    const own = await page.evaluate(async () => (await fetch('/api/me', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: 'zh' }) })).status);
    expect(own).toBe(200);
    await context.close();
  });

  it('refuses writes from another site', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, '10003');
    const evil = await context.newPage();
    // localhost is another site than 127.0.0.1.
    const target = encodeURIComponent(`${product.server.baseUrl}/api/auth/logout`);
    await evil.goto(`http://localhost:${attackerPort}/logout?target=${target}`);
    await evil.waitForURL(`${product.server.baseUrl}/api/auth/logout`);
    const body = JSON.parse((await evil.locator('body').textContent()) ?? '{}') as { status: number };
    expect([401, 403]).toContain(body.status);
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(200);
    await context.close();
  });

  it('cannot be framed by another origin', async () => {
    const context = await product.browser.newContext({ viewport: { width: 800, height: 600 } });
    const page = await context.newPage();
    const target = encodeURIComponent(`${product.server.baseUrl}/login`);
    await page.goto(`http://127.0.0.1:${attackerPort}/frame?target=${target}`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // The framed document never becomes the app: no login form inside the frame.
    const inside = frame ? await frame.locator('#username').count().catch(() => 0) : 0;
    expect(inside).toBe(0);
    await context.close();
  });

  it('runs the app under its CSP, also after the browser revalidates a cached page', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await signIn(page, product.server.baseUrl, '10004');
    await page.goto(product.server.baseUrl + '/learn');
    const main = await page.goto(product.server.baseUrl + '/learn');
    expect(main?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    // A reload revalidates the page (a 304): the app must still start.
    await page.reload();
    await page.getByTestId('lang-switch').waitFor();
    await page.goto(product.server.baseUrl + '/');
    await page.getByTestId('greeting').waitFor();
    expect(violations).toEqual([]);
    // An injected inline script does not run.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.appendChild(s);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    await context.close();
  });
});
