// Time to first meaningful content on an emulated weak link (CDP: 400 ms latency, 50 KB/s down, 20 KB/s up):
// the page's main heading visible, for login, home, catalogue and reader, on a first visit (empty cache) and a
// repeat visit (same browser context). "before" sends identity Accept-Encoding and x-no-compression and blocks
// the service worker (what the server sent before compression and the worker); "after" is as shipped. The
// baseline is a tiny file of the build (favicon.svg) fetched through the same link in the same run.
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, startServer } from '../tests/helpers/browser.js';

const PAGES: [string, string][] = [['login', '/login'], ['home', '/'], ['catalogue', '/learn'], ['reader', '/learn/floating-total-management']];
const server = await startServer();
const browser = await launchBrowser();

async function slow(page: Page, before: boolean) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: 50 * 1024, uploadThroughput: 20 * 1024 });
  if (before) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'accept-encoding': 'identity', 'x-no-compression': '1' } });
}

async function timeTo(page: Page, path: string): Promise<number> {
  const t0 = Date.now();
  await page.goto(server.baseUrl + path, { waitUntil: 'commit' });
  await page.locator('main h1').first().waitFor({ timeout: 60_000 });
  return Date.now() - t0;
}

const results: Record<string, Record<string, { first: number; repeat: number }>> = {};
let baseline = 0;
for (const mode of ['before', 'after'] as const) {
  results[mode] = {};
  for (const [name, path] of PAGES) {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, serviceWorkers: mode === 'before' ? 'block' : 'allow' });
    const page = await context.newPage();
    if (name !== 'login') await signIn(page, server.baseUrl, '10001');
    if (name !== 'login' && mode === 'after') await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    // A first visit: the browser's HTTP cache and the worker's caches emptied, the session cookie kept.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    if (name !== 'login') await page.evaluate(async () => { for (const k of await caches.keys()) await caches.delete(k); for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister(); });
    await slow(page, mode === 'before');
    const first = await timeTo(page, path);
    if (mode === 'after') await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    const repeat = await timeTo(page, path);
    results[mode][name] = { first, repeat };
    if (mode === 'after' && name === 'login') {
      const t0 = Date.now();
      await page.evaluate(async () => { await (await fetch('/favicon.svg?b=' + Date.now(), { cache: 'no-store' })).text(); });
      baseline = Date.now() - t0;
    }
    await context.close();
    console.log(mode, name, first, repeat);
  }
}
await browser.close();
await server.close();
const out = { date: new Date().toISOString(), link: { latencyMs: 400, downKBs: 50, upKBs: 20 }, baselineMs: baseline, results,
  ratios: Object.fromEntries(PAGES.map(([n]) => [n, { first: +(results.after[n].first / baseline).toFixed(2), repeat: +(results.after[n].repeat / baseline).toFixed(2) }])) };
writeFileSync('docs/benchmarks/slow-network.json', JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out, null, 2));
