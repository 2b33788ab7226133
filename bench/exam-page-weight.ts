// What a learner's phone downloads to open the exam page: a signed-in person with an empty browser cache (no service
// worker) opens /exams/attempt/<id> directly, and every response until the page is idle is counted as it travelled
// (compressed bytes on the wire, from Chromium's own network events), split into JavaScript, CSS, the API's data and
// the rest. The baseline in the same run is the login page opened the same way. Goal: at most 150 KB for the exam.
//
//   tsx bench/exam-page-weight.ts      (builds the web app into the end-to-end build directory first)
//
// Writes docs/benchmarks/exam-page-weight.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, startServer } from '../tests/helpers/browser.js';
import { E2E_WEB_BUILD_DIR } from '../tests/helpers/web-build.js';

const web = join(process.cwd(), 'web');
const built = spawnSync(process.execPath, [join(web, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
  cwd: web, stdio: 'inherit', env: { ...process.env, WEB_BUILD_OUT: E2E_WEB_BUILD_DIR },
});
if (built.status !== 0) throw new Error('vite build failed');
// The build's server chunks are ES modules with top-level await; outside the repository's package.json, tsx would
// read them as CommonJS.
writeFileSync(join(E2E_WEB_BUILD_DIR, 'package.json'), '{ "type": "module" }\n');

const server = await startServer();
const browser = await launchBrowser();

type Kind = 'js' | 'css' | 'api' | 'html' | 'other';
async function weigh(page: Page, url: string, ready: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  const types = new Map<string, { url: string; mime: string }>();
  const bytes: Record<Kind, number> = { js: 0, css: 0, api: 0, html: 0, other: 0 };
  let requests = 0;
  cdp.on('Network.responseReceived', (e: { requestId: string; response: { url: string; mimeType: string } }) => {
    types.set(e.requestId, { url: e.response.url, mime: e.response.mimeType });
  });
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    const t = types.get(e.requestId);
    if (!t) return;
    requests++;
    const kind: Kind = t.url.includes('/api/') ? 'api' : t.mime.includes('javascript') ? 'js' : t.mime.includes('css') ? 'css' : t.mime.includes('html') ? 'html' : 'other';
    bytes[kind] += e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.locator(ready).first().waitFor();
  await page.waitForLoadState('networkidle');
  const total = Object.values(bytes).reduce((s, n) => s + n, 0);
  return { kb: Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, Math.round(v / 102.4) / 10])), totalKb: Math.round(total / 102.4) / 10, requests };
}

try {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, serviceWorkers: 'block', locale: 'zh-CN' });
  const page = await context.newPage();
  const login = await weigh(page, server.baseUrl + '/login', 'main h1');
  await signIn(page, server.baseUrl, '10001');
  const mine = await page.request.get(server.baseUrl + '/api/me/exams');
  const open = (await mine.json()).items.find((x: { state: string; canStart: boolean }) => x.state === 'open' && x.canStart);
  if (!open) throw new Error('10001 has no open exam');
  const started = await page.request.post(`${server.baseUrl}/api/exams/${open.id}/attempts`, { headers: { origin: server.baseUrl } });
  if (started.status() >= 300) throw new Error(`start: ${started.status()} ${await started.text()}`);
  const attempt = await started.json();
  const exam = await weigh(page, `${server.baseUrl}/exams/attempt/${attempt.id}`, 'main h1');
  const result = { date: new Date().toISOString(), questions: attempt.questions.length, login, exam, goalKb: 150 };
  console.log(`login page: ${login.totalKb} KB in ${login.requests} responses ${JSON.stringify(login.kb)}`);
  console.log(`exam page (${attempt.questions.length} questions): ${exam.totalKb} KB in ${exam.requests} responses ${JSON.stringify(exam.kb)}; goal 150 KB`);
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/exam-page-weight.json', JSON.stringify(result, null, 2) + '\n');
} finally {
  await browser.close();
  await server.close();
}
