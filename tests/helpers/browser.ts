import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/src/app.js';
import { createOrm, type Orm } from '../../api/src/db/orm.js';
import { prepareDatabase } from '../../api/src/startup.js';
import { testConfig } from './app.js';
import { E2E_WEB_BUILD_DIR } from './web-build.js';
import type { Clock } from '../../api/src/lib/clock.js';

export const DEMO_PASSWORD = 'Demo-Password-2026';
export const ARTIFACTS = join(process.cwd(), 'test-results', 'screenshots');

/** The whole product on one port, on a fresh in-memory database with the demo organisation. */
export async function startServer(opts: { clock?: Clock } = {}): Promise<{ app: FastifyInstance; orm: Orm; baseUrl: string; close: () => Promise<void> }> {
  const orm = await createOrm({});
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-data-'));
  const contentDir = join(process.cwd(), 'content');
  const app = await buildApp({ config: { ...testConfig, webBuildDir: E2E_WEB_BUILD_DIR, contentDir }, orm, serveWeb: true, clock: opts.clock });
  await prepareDatabase(orm, { seedDemo: true, demoPassword: DEMO_PASSWORD, dataDir, contentDir }, app.log);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, orm, baseUrl: `http://127.0.0.1:${port}`, close: async () => { await app.close(); await orm.close(); } };
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Without the network flags Chromium keeps calling home on a closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh, empty profile directory of its own.
  });
}

/** Signs in through the login page as a person would, and waits for the home page. */
export async function signIn(page: Page, baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(baseUrl + '/login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.getByTestId('greeting').waitFor();
}

export type Server = Awaited<ReturnType<typeof startServer>>;

/**
 * The product and a browser for one test file: started before its tests, stopped after them. Read
 * `product.server` and `product.browser` inside tests and hooks (they are set once `beforeAll` has run).
 */
export function useProduct(opts: { clock?: Clock } = {}): { server: Server; browser: Browser } {
  const product = {} as { server: Server; browser: Browser };
  beforeAll(async () => {
    product.server = await startServer(opts);
    product.browser = await launchBrowser();
  });
  afterAll(async () => {
    await product.browser?.close();
    await product.server?.close();
  });
  return product;
}
