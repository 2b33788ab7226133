import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';

// Dependencies of the api package, not of the workspace root: resolve them from there.
const apiRequire = createRequire(new URL('../../api/package.json', import.meta.url));
interface Sheet { addRow(values: unknown[]): unknown }
const ExcelJS = apiRequire('exceljs') as { Workbook: new () => { addWorksheet(name: string): Sheet; xlsx: { writeBuffer(): Promise<ArrayBuffer> } } };
const fflate = apiRequire('fflate') as { zipSync(files: Record<string, [Uint8Array, { level: number }]>): Uint8Array };

let ctx: TestContext;
let trainer: string;
let admin: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  trainer = (await login(ctx.app, (await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id })).username)).token;
  admin = (await login(ctx.app, (await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id })).username)).token;
});
afterAll(async () => { await ctx.close(); });

const importQuestions = (format: string, bytes: Buffer, lang = 'en') => ctx.app.inject({
  method: 'POST', url: '/api/questions/import', headers: { ...bearer(trainer), 'accept-language': lang },
  payload: { format, content: bytes.toString('base64'), dryRun: true },
});
const importRoster = (bytes: Buffer, lang = 'en') => ctx.app.inject({
  method: 'POST', url: '/api/users/import', headers: { ...bearer(admin), 'accept-language': lang },
  payload: { content: bytes.toString('base64'), dryRun: true },
});

async function workbook(rows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('q');
  ws.addRow(['type', 'stem', 'option_a', 'option_b', 'correct', 'tags']);
  for (let i = 0; i < rows; i++) ws.addRow(['single_choice', `第 ${i} 题：持证零售户应当从哪里进货？`, '当地烟草公司', '镇上批发部', 'A', '进货渠道']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A 413 problem+json that names the limit, in the detail and on the `content` field. */
function expectLimit(res: { statusCode: number; headers: Record<string, unknown>; json(): { code: string; detail: string; errors: { path: string; message: string }[] } }, code: string, limit: string) {
  expect(res.statusCode).toBe(413);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = res.json();
  expect(body.code).toBe(code);
  expect(body.detail).toContain(limit);
  expect(body.errors).toEqual([expect.objectContaining({ path: 'content', code })]);
  expect(body.errors[0].message).toContain(limit);
}

describe('question import', () => {
  it('reads an XLSX of 20,000 rows (the limit) in a few seconds', async () => {
    const file = await workbook(20_000);
    const started = performance.now();
    const res = await importQuestions('xlsx', file);
    const seconds = (performance.now() - started) / 1000;
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    expect(res.json().counts).toEqual({ create: 20_000, update: 0, unchanged: 0, error: 0 });
    // End to end: the worker's first start (module loading through tsx) and the planning included.
    expect(seconds).toBeLessThan(60);
  }, 120_000);

  it('refuses more rows or questions than the limit, naming it', async () => {
    const csv = ['type,stem,correct', ...Array.from({ length: 20_001 }, (_, i) => `true_false,Question ${i},T`)].join('\n');
    expectLimit(await importQuestions('csv', Buffer.from(csv)), 'import.too_many_rows', '20,000');
    const gift = Array.from({ length: 20_001 }, (_, i) => `Question ${i} {T}`).join('\n\n');
    expectLimit(await importQuestions('gift', Buffer.from(gift)), 'import.too_many_rows', '20,000');
    const zh = await importQuestions('csv', Buffer.from(csv), 'zh');
    expect(zh.json().detail).toContain('20,000 条');
  }, 60_000);

  it('refuses an XLSX that expands past the limit (a ZIP bomb) without reading it', async () => {
    // 101 MB of zeros deflate to about 100 KB.
    const bomb = Buffer.from(fflate.zipSync({ 'xl/worksheets/sheet1.xml': [new Uint8Array(101 * 1024 * 1024), { level: 1 }] }));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expectLimit(await importQuestions('xlsx', bomb), 'import.unzipped_too_large', '100 MB');
  }, 60_000);

  it('refuses a file over the upload limit, naming it', async () => {
    expectLimit(await importQuestions('csv', Buffer.alloc(10 * 1024 * 1024 + 1, 'a')), 'import.file_too_large', '10 MB');
  });

  it('a parse error in the worker is still a report line, and the worker serves the next import', async () => {
    const res = await importQuestions('xlsx', Buffer.from('not a workbook'));
    expect(res.statusCode).toBe(200);
    expect(res.json().fileErrors).toEqual([expect.objectContaining({ code: 'sheet.not_xlsx' })]);
    const next = await importQuestions('gift', Buffer.from('Is it? {T}'));
    expect(next.json().counts.create).toBe(1);
  });
});

describe('serving while an import is read', () => {
  it('answers /api/health within 200 ms (99th percentile) while a 20,000-row XLSX is parsed', async () => {
    const file = await workbook(20_000);
    // The worker is started (and its modules loaded) by a first, small import, as on a server that already imported.
    await importQuestions('gift', Buffer.from('Warm? {T}'));
    let done = false;
    const big = importQuestions('xlsx', file).finally(() => { done = true; });
    const latencies: number[] = [];
    while (!done) {
      const started = performance.now();
      const res = await ctx.app.inject({ url: '/api/health' });
      latencies.push(performance.now() - started);
      expect(res.statusCode).toBe(200);
      // Give the import's own callbacks (its reply from the worker, the planning) their turn between probes.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const res = await big;
    expect(res.statusCode).toBe(200);
    expect(res.json().counts.create).toBe(20_000);
    // The parse takes seconds: many probes ran meanwhile, and nearly all answered within 200 ms. The worst probe is
    // held to 2 s: no stall like the one that took the server away for the whole import (216 s, when parsing ran on
    // its thread). The 200 ms bound at the very worst probe is not met yet on a busy machine (docs/BENCHMARKS.md).
    expect(latencies.length).toBeGreaterThan(20);
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.99)]).toBeLessThan(200);
    expect(sorted[sorted.length - 1]).toBeLessThan(2000);
  }, 120_000);
});

describe('roster import', () => {
  const HEADER = 'employee_number,name,position,org_unit_path,role';

  it('refuses more rows than the limit, naming it', async () => {
    const rows = Array.from({ length: 5_001 }, (_, i) => `${40000 + i},名字${i},account_manager,测试公司,staff`);
    expectLimit(await importRoster(Buffer.from([HEADER, ...rows].join('\n'))), 'import.too_many_rows', '5,000');
    const ok = await importRoster(Buffer.from([HEADER, ...rows.slice(0, 5_000)].join('\n')));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().rows).toHaveLength(5_000);
  }, 60_000);

  it('refuses a UTF-16 CSV containing NUL as 400 naming the field, when applied and in a dry run; nothing saved', async () => {
    const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const file = utf16(`${HEADER}\n41001,张\u0000三,account_manager,测试公司,staff\n`);
    for (const dryRun of [false, true]) {
      const res = await ctx.app.inject({
        method: 'POST', url: '/api/users/import', headers: { ...bearer(admin), 'accept-language': 'en' },
        payload: { content: file.toString('base64'), dryRun, initialPassword: 'Sturdy-Lantern-47' },
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'content', code: 'import.nul' }] });
    }
    const questions = await ctx.app.inject({
      method: 'POST', url: '/api/questions/import', headers: { ...bearer(trainer), 'accept-language': 'en' },
      payload: { format: 'csv', content: utf16('type,stem,correct\ntrue_false,Q\u0000,T\n').toString('base64'), dryRun: false },
    });
    expect(questions.statusCode, questions.body).toBe(400);
    expect(questions.json().errors).toEqual([expect.objectContaining({ path: 'content', code: 'import.nul' })]);
    const users = await ctx.app.inject({ url: '/api/users?q=41001', headers: bearer(admin) });
    expect(users.body).not.toContain('41001');
  });

  it('refuses a file over the upload limit, naming it', async () => {
    expectLimit(await importRoster(Buffer.alloc(3 * 1024 * 1024 + 1, 'a')), 'import.file_too_large', '3 MB');
  });
});
