import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm } from '../../api/src/db/orm.js';
import { execSql } from '../../api/src/lib/sql.js';
import { onPostgres } from '../helpers/app.js';

// The API as production runs it: bundled by scripts/build-api.mjs, started with plain node (no tsx, no NODE_OPTIONS,
// none of vitest's environment), on a fresh database: an empty DATA_DIR, or on the postgres project a new database
// on the server. A preloaded guard (tests/fixtures/production) records what the process loads and refuses tsx and
// TypeScript files. The web app is a small stand-in handler: the real one is built by the e2e setup, which may run
// at the same time, and mounting it is what the bundle must get right.
const root = resolve('.');
const guard = join(root, 'tests', 'fixtures', 'production', 'guard.mjs');
// The build goes under api/, so the packages kept outside the bundle resolve from api/node_modules as in api/dist.
const out = mkdtempSync(join(root, 'api', 'dist-test-'));
const work = mkdtempSync(join(tmpdir(), 'build-test-'));
const loadLog = join(work, 'loaded.log');
const dbName = `b_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
const baseUrl = process.env.TEST_DATABASE_URL;
const databaseUrl = onPostgres() && baseUrl ? Object.assign(new URL(baseUrl), { pathname: `/${dbName}` }).toString() : undefined;

let server: ChildProcess | undefined;
let origin = '';
let ready: { phases?: Record<string, number> } | undefined;
let token = '';
const logLines: string[] = [];

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH, HOME: process.env.HOME,
    NODE_ENV: 'production', JWT_SECRET: randomBytes(48).toString('base64url'), DEMO_PASSWORD: 'Build-Test-Password-1',
    HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: join(work, 'data'), CONTENT_DIR: join(root, 'content'),
    WEB_BUILD_DIR: join(work, 'web'), LOAD_LOG: loadLog, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

/** Runs a built command with plain node and the guard; returns its output. */
function runBuilt(file: string) {
  return spawnSync(process.execPath, ['--import', guard, join(out, file)], { cwd: root, env: env(), encoding: 'utf8', timeout: 120_000 });
}

function parseLine(line: string) {
  try { return JSON.parse(line) as { msg?: string; phases?: Record<string, number> }; } catch { return undefined; }
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, ['scripts/build-api.mjs', '--outdir', out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(build.status, build.stderr).toBe(0);
  mkdirSync(join(work, 'web'));
  writeFileSync(join(work, 'web', 'handler.js'),
    "export const handler = (req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>stand-in</title><p>web app ' + req.url + '</p>'); };\n");

  const migrate = runBuilt('migrate.js');
  expect(migrate.status, migrate.stderr).toBe(0);
  expect(migrate.stdout).toMatch(/Applied [1-9]\d* migration\(s\)/);

  server = spawn(process.execPath, ['--import', guard, join(out, 'server.js')], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  server.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  // The server logs `ready` (with its phases) just after Fastify's "Server listening" line, sometimes in a later
  // chunk of output: wait for both.
  origin = await new Promise<string>((resolveOrigin, reject) => {
    let at = '';
    createInterface({ input: server!.stdout! }).on('line', (line) => {
      logLines.push(line);
      at ||= /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? '';
      ready ??= parseLine(line)?.msg === 'ready' ? parseLine(line) : undefined;
      if (at && ready) resolveOrigin(at);
    });
    server!.on('exit', (code) => reject(new Error(`the built server exited (${code}) before it was ready:\n${stderr.join('')}`)));
  });
}, 240_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
    await new Promise((r) => server!.on('exit', r));
  }
  rmSync(out, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  if (databaseUrl && baseUrl) {
    const admin = await createOrm({ url: baseUrl, poolMax: 1 });
    try {
      await execSql(admin.em.fork(), `drop database if exists "${dbName}" with (force)`);
    } finally {
      await admin.close();
    }
  }
}, 60_000);

describe('the built API', () => {
  it('writes the server, the migrate command and every worker as plain JavaScript, side by side', () => {
    const files = readdirSync(out);
    expect(files).toContain('server.js');
    expect(files).toContain('migrate.js');
    const workers = readdirSync(join(root, 'api', 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.worker.ts'));
    for (const w of workers) expect(files).toContain(basename(w).replace(/\.ts$/, '.js'));
    expect(files.filter((f) => /\.[cm]?ts$/.test(f))).toEqual([]);
  });

  it('answers healthy on its fresh database, and says how long each start-up phase took', async () => {
    const res = await fetch(`${origin}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'up' });
    expect(Object.keys(ready?.phases ?? {})).toEqual(expect.arrayContaining(['import', 'database', 'migrations', 'seed', 'listen']));
  });

  it('loaded the demo organisation and the content from files', async () => {
    const login = await fetch(`${origin}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Build-Test-Password-1' }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { accessToken: string }).accessToken;
    expect(logLines.some((l) => l.includes('content synchronised') && /"created":[1-9]/.test(l))).toBe(true);
  });

  it('serves the web app on other paths, and the API documentation from files beside its packages', async () => {
    const page = await fetch(`${origin}/learn`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('web app /learn');
    // The documentation is for signed-in users (every route is guarded unless declared public).
    const docs = await fetch(`${origin}/api/docs/static/index.html`, { headers: { authorization: `Bearer ${token}` } });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const spec = await fetch(`${origin}/api/openapi.json`);
    expect(spec.status).toBe(200);
    expect(Object.keys((await spec.json()).paths).length).toBeGreaterThan(10);
  });

  it('runs without tsx: it loaded only JavaScript, from the build and from node_modules', () => {
    const loaded = readFileSync(loadLog, 'utf8').split('\n').filter(Boolean);
    // The guard saw the program being loaded (so its silence about tsx means something)...
    expect(loaded.some((l) => l.startsWith('import ') && l.endsWith(`${basename(out)}/server.js`))).toBe(true);
    expect(loaded.some((l) => l.includes('@node-rs/argon2'))).toBe(true);
    if (!databaseUrl) expect(loaded.some((l) => l.includes('@electric-sql/pglite'))).toBe(true);
    // ...and nothing of tsx or of the TypeScript sources.
    expect(loaded.filter((l) => /[\\/]tsx[\\/@]|\.[cm]?ts$/.test(l))).toEqual([]);
  });

  it('the guard itself refuses tsx', () => {
    const r = spawnSync(process.execPath, ['--import', guard, '--import', 'tsx', '-e', '0'], { cwd: root, env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/production must not load .*tsx/);
  });

  it('shuts down cleanly on SIGTERM, and the migrate command then finds nothing to do', async () => {
    server!.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (server!.exitCode !== null ? r(server!.exitCode) : server!.on('exit', (c) => r(c))));
    expect(code).toBe(0);
    const again = runBuilt('migrate.js');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('Applied 0 migration(s)');
  });
});
