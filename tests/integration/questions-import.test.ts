import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execSql } from '../../api/src/lib/sql.js';
import { syncContent } from '../../api/src/modules/courses/content-sync.js';
import { syncQuestionBank } from '../../api/src/modules/questions/question-sync.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';

// Dependencies of the api package, not of the workspace root: resolve them from there.
const apiRequire = createRequire(new URL('../../api/package.json', import.meta.url));
const iconv = apiRequire('iconv-lite') as { encode(text: string, encoding: string): Buffer };
interface Sheet { addRow(values: unknown[]): unknown }
const ExcelJS = apiRequire('exceljs') as { Workbook: new () => { addWorksheet(name: string): Sheet; xlsx: { writeBuffer(): Promise<ArrayBuffer> } } };

interface Item { line: number; action: string; key: string | null; type: string | null; stem: string; changes: string[]; questionId: string | null; note: string | null; errors: { path?: string; column?: string; code: string; message: string }[] }
interface Report { file: string; format: string; dryRun: boolean; applied: boolean; counts: Record<'create' | 'update' | 'unchanged' | 'error', number>; items: Item[]; fileErrors: { line: number; code: string; message: string }[]; warnings: unknown[]; truncated: number }

let ctx: TestContext;
let trainer: string;
const FIX = 'tests/fixtures/questions/';
const fixture = (path: string) => readFileSync(FIX + path);

beforeAll(async () => {
  ctx = await createTestContext();
  // Questions link to course modules: load the modules and the shipped bank, as a start does.
  await syncContent(ctx.orm.em.fork(), 'content');
  await syncQuestionBank(ctx.orm.em.fork(), 'content');
  const tree = await makeOrgTree(ctx.orm);
  trainer = (await login(ctx.app, (await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id })).username)).token;
});
afterAll(async () => { await ctx.close(); });

const headers = (lang = 'en') => ({ ...bearer(trainer), 'accept-language': lang });
const em = () => ctx.orm.em.fork();
/** Everything the bank holds, in a form that shows any change. */
async function bankState() {
  const [r] = await execSql<Record<string, number>>(em(), `select (select count(*) from question)::int as questions, (select count(*) from question_version)::int as versions,
    (select count(*) from question_category)::int as categories, (select count(*) from question_module)::int as links,
    (select coalesce(max(updated_at), now())::text from question) as last`);
  return r;
}

async function importFile(format: string, file: Buffer | string, opts: Record<string, unknown> = {}, lang = 'en'): Promise<Report> {
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  const res = await ctx.app.inject({
    method: 'POST', url: '/api/questions/import', headers: headers(lang),
    payload: { format, filename: `upload.${format}`, content: bytes.toString('base64'), ...opts },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function exportFile(payload: Record<string, unknown>, lang = 'en') {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/questions/export', headers: headers(lang), payload });
  expect(res.statusCode, res.body).toBe(200);
  return res;
}

async function detail(id: string) {
  return (await ctx.app.inject({ url: `/api/questions/${id}`, headers: headers() })).json();
}

describe('GIFT', () => {
  it('dry-runs a file: says what every question becomes and saves nothing', async () => {
    const before = await bankState();
    const report = await importFile('gift', fixture('gift/all-constructs.gift'));
    expect(report).toMatchObject({ file: 'upload.gift', format: 'gift', dryRun: true, applied: false, counts: { create: 22, update: 0, unchanged: 0, error: 0 } });
    expect(report.items[0]).toMatchObject({ action: 'create', key: 'g-single', type: 'single_choice' });
    expect(report.items.every((i) => i.line > 0)).toBe(true);
    expect(await bankState()).toEqual(before);
  });

  it('imports all, and a second import of the same file creates nothing', async () => {
    const applied = await importFile('gift', fixture('gift/all-constructs.gift'), { dryRun: false });
    expect(applied).toMatchObject({ applied: true, counts: { create: 22, error: 0 } });
    expect(applied.items.every((i) => i.questionId)).toBe(true);
    const single = await detail(applied.items.find((i) => i.key === 'g-single')!.questionId!);
    expect(single).toMatchObject({ status: 'draft', source: 'import', category: '货源政策/总量浮动', modules: ['floating-total-management'] });
    const after = await bankState();
    const again = await importFile('gift', fixture('gift/all-constructs.gift'), { dryRun: false });
    expect(again.counts).toEqual({ create: 0, update: 0, unchanged: 22, error: 0 });
    expect(await bankState()).toEqual(after);
  });

  it('updates a keyed question whose text changed in the file, as a new version if it is active', async () => {
    const gift = '// [id:g-upd]\n::n::Where do retailers buy?{=the local tobacco company ~a wholesaler}\n';
    const created = await importFile('gift', gift, { dryRun: false, status: 'active', language: 'en' });
    expect(created.counts.create).toBe(1);
    const changed = await importFile('gift', gift.replace('a wholesaler', 'a market stall'), { language: 'en' });
    expect(changed.items[0]).toMatchObject({ action: 'update', changes: ['options'] });
    await importFile('gift', gift.replace('a wholesaler', 'a market stall'), { dryRun: false, language: 'en' });
    const q = await detail(created.items[0].questionId!);
    expect(q.version.number).toBe(2);
    expect(q.question.options[1].text).toBe('a market stall');
  });

  it('reports each broken question with its line and reason, in the request language, and imports only what is valid when asked', async () => {
    const before = await bankState();
    const report = await importFile('gift', fixture('gift/errors.gift'), { dryRun: false });
    expect(report.applied).toBe(false);
    expect(report.counts).toMatchObject({ create: 1, error: 16 });
    const at = (line: number) => report.items.find((i) => i.line === line)!;
    expect(at(3).errors[0]).toMatchObject({ code: 'gift.unterminated_block', message: 'the answer block opened with "{" is not closed with "}"' });
    expect(at(17).errors[0]).toMatchObject({ code: 'gift.bad_number', message: '"abc" is not a number' });
    expect(at(42).errors[0]).toMatchObject({ path: 'key', code: 'import.duplicate_key' });
    expect(await bankState()).toEqual(before);

    const zh = await importFile('gift', fixture('gift/errors.gift'), {}, 'zh-CN');
    expect(zh.items.find((i) => i.line === 3)!.errors[0].message).toBe('答案区的“{”没有对应的“}”');

    const valid = await importFile('gift', fixture('gift/errors.gift'), { dryRun: false, skipInvalid: true });
    expect(valid.applied).toBe(true);
    expect(valid.items.filter((i) => i.questionId).map((i) => i.key)).toEqual(['good-1']);
    expect((await bankState()).questions).toBe(before.questions + 1);
  });

  it('refuses questions that link to modules the courses do not have', async () => {
    const report = await importFile('gift', '// @meta {"modules":["no-such-module"]}\nQuestion?{T}\n');
    expect(report.items[0]).toMatchObject({ action: 'error', errors: [{ path: 'modules.0', code: 'question.unknown_module', message: 'no module with id "no-such-module"' }] });
  });
});

describe('Aiken', () => {
  it('reads the Moodle and the Chinese variants; keyless questions are not duplicated on re-import', async () => {
    for (const [file, n] of [['aiken/moodle.txt', 2], ['aiken/zh-variants.txt', 8]] as const) {
      const dry = await importFile('aiken', fixture(file));
      expect(dry.counts, file).toEqual({ create: n, update: 0, unchanged: 0, error: 0 });
      const applied = await importFile('aiken', fixture(file), { dryRun: false, category: '导入/Aiken' });
      expect(applied.counts.create).toBe(n);
      // Keys are made for questions that come without one.
      expect(applied.items.every((i) => /^q-[0-9a-f]{10}$/.test(i.key ?? ''))).toBe(true);
      const state = await bankState();
      const again = await importFile('aiken', fixture(file), { dryRun: false });
      expect(again.counts).toEqual({ create: 0, update: 0, unchanged: n, error: 0 });
      expect(again.items[0].note).toMatch(/already holds this question/);
      expect(await bankState()).toEqual(state);
    }
    const first = await importFile('aiken', fixture('aiken/zh-variants.txt'));
    const q = await detail(first.items[0].questionId!);
    expect(q.category).toBe('导入/Aiken');
    expect(q.language).toBe('en');
  });

  it('reports the broken questions of a file with their lines', async () => {
    const report = await importFile('aiken', fixture('aiken/errors.txt'), {}, 'zh-CN');
    expect(report.counts).toMatchObject({ create: 1, error: 7 });
    expect(report.items.map((i) => [i.line, i.errors[0]?.code ?? i.action])).toEqual([
      [1, 'aiken.no_answer'], [8, 'aiken.answer_not_option'], [12, 'aiken.options_min'], [14, 'aiken.answer_without_question'],
      [18, 'aiken.option_empty'], [23, 'aiken.option_sequence'], [29, 'aiken.bad_answer'], [31, 'create'],
    ]);
    expect(report.items[1].errors[0].message).toBe('答案“E”不在选项中（选项为 A–B）');
  });
});

describe('CSV and XLSX', () => {
  it('imports CSV with English or Chinese headers', async () => {
    const en = await importFile('csv', fixture('csv/questions.csv'));
    expect(en.counts).toEqual({ create: 10, update: 0, unchanged: 0, error: 0 });
    const zh = await importFile('csv', fixture('csv/questions-zh-header.csv'), { dryRun: false });
    expect(zh.counts.create).toBe(8);
    const again = await importFile('csv', fixture('csv/questions-zh-header.csv'));
    expect(again.counts).toEqual({ create: 0, update: 0, unchanged: 8, error: 0 });
  });

  it('names the row and column of every mistake in a CSV file', async () => {
    const before = await bankState();
    const report = await importFile('csv', fixture('csv/errors.csv'), { dryRun: false });
    expect(report.applied).toBe(false);
    const row = (n: number) => report.items.find((i) => i.line === n)!.errors[0];
    expect(row(2)).toMatchObject({ column: 'correct', code: 'sheet.letter_not_option' });
    expect(row(3)).toMatchObject({ column: 'type', code: 'sheet.bad_type', message: 'unknown question type "riddle"' });
    expect(row(9)).toMatchObject({ column: 'stem', path: 'stem', code: 'question.blank_count_mismatch' });
    expect(row(10)).toMatchObject({ column: 'difficulty', code: 'question.difficulty_range' });
    expect(await bankState()).toEqual(before);
  });

  it('reads a GB18030 CSV as Excel writes it in Chinese', async () => {
    const text = readFileSync(FIX + 'csv/questions-zh-header.csv', 'utf8').replace(/z-0/g, 'gb-0');
    const report = await importFile('csv', iconv.encode(text, 'gb18030'));
    expect(report.counts.create).toBe(8);
    expect(report.items[0].stem).toBe('初次拜访客户时，恰当的称呼是：');
  });

  it('serves the templates, and the XLSX template imports as it is', async () => {
    const csv = await ctx.app.inject({ url: '/api/questions/templates/csv?header=zh', headers: headers() });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('question-template-zh.csv');
    expect(csv.body.split('\r\n')[0]).toContain('题型');
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(10);
    const xlsx = await ctx.app.inject({ url: '/api/questions/templates/xlsx', headers: headers('en') });
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const report = await importFile('xlsx', xlsx.rawPayload);
    expect(report.counts).toEqual({ create: 9, update: 0, unchanged: 0, error: 0 });
    expect(report.items.map((i) => i.type)).toEqual(['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'short_answer', 'essay']);
  });

  it('names the row and column of a mistake in an XLSX file', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('q');
    ws.addRow(['type', 'stem', 'option_a', 'option_b', 'correct', 'points']);
    ws.addRow(['single_choice', 'Good?', 'yes', 'no', 'A', 1]);
    ws.addRow(['single_choice', 'Bad letter', 'yes', 'no', 'D', 1]);
    ws.addRow(['true_false', 'Bad points', '', '', 'T', 'many']);
    const report = await importFile('xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(report.counts).toMatchObject({ create: 1, error: 2 });
    expect(report.items.find((i) => i.line === 3)!.errors[0]).toMatchObject({ column: 'correct', code: 'sheet.letter_not_option' });
    expect(report.items.find((i) => i.line === 4)!.errors[0]).toMatchObject({ column: 'points', code: 'sheet.bad_number' });
  });
});

describe('files that are not question files', () => {
  it('answers empty, binary, wrongly encoded and junk files with a clear reason and saves nothing', async () => {
    const before = await bankState();
    const utf16be = Buffer.from('\u0000Q\u0000u\u0000e\u0000s\u0000t\u0000i\u0000o\u0000n\u0000?\u0000{\u0000T\u0000}', 'latin1');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(4000)]);
    const cases: [string, Buffer | string, string][] = [
      ['gift', '', 'import.empty'], ['aiken', '   \n\n', 'import.empty'], ['csv', '\uFEFF', 'import.empty'], ['xlsx', '', 'import.empty'],
      ['gift', png, 'import.not_text'], ['aiken', randomBytes(5000), 'import.not_text'], ['csv', utf16be, 'import.not_text'],
      ['xlsx', png, 'sheet.not_xlsx'], ['xlsx', fixture('csv/questions.csv'), 'sheet.not_xlsx'],
      ['csv', 'just,some,words\nwith,no,meaning\n', 'sheet.missing_column'],
    ];
    for (const [format, file, code] of cases) {
      const report = await importFile(format, file, { dryRun: false, skipInvalid: true });
      expect(report.applied, `${format} ${code}`).toBe(false);
      expect(report.fileErrors.map((e) => e.code), `${format} ${code}`).toContain(code);
      expect(report.fileErrors[0].message.length).toBeGreaterThan(5);
    }
    for (const format of ['gift', 'aiken']) {
      const junk = await importFile(format, fixture(`${format}/junk.${format === 'gift' ? 'gift' : 'txt'}`), { dryRun: false, skipInvalid: true });
      expect(junk.applied).toBe(false);
      expect(junk.counts.create).toBe(0);
      expect(junk.counts.error).toBeGreaterThan(0);
    }
    expect(await bankState()).toEqual(before);
  });

  it('copes with 10 MB of junk: a clear report, a bounded answer, nothing saved', async () => {
    const before = await bankState();
    const started = Date.now();
    // Random bytes, except that they never start with FF FE: one run in 65,536 would otherwise read as UTF-16 text
    // with NUL characters in it (a 400 about NUL, not the binary file this case is about).
    const noise = randomBytes(10 * 1024 * 1024 - 1);
    noise[0] = 0x00;
    const binary = await importFile('gift', noise, { dryRun: false, skipInvalid: true });
    expect(binary.fileErrors[0].code).toBe('import.not_text');
    // Ten megabytes of text that is not GIFT: one problem per paragraph, the report stops at a readable length.
    const paragraph = 'lorem ipsum dolor sit amet, nothing here is a question at all.\n\n';
    const text = paragraph.repeat(Math.floor((10 * 1024 * 1024 - 1) / paragraph.length));
    const junk = await importFile('gift', text, { dryRun: false, skipInvalid: true });
    expect(junk.applied).toBe(false);
    expect(junk.items.length).toBeLessThanOrEqual(2000);
    expect(junk.truncated).toBeGreaterThan(100_000);
    expect(junk.items[0].errors[0].code).toBe('gift.no_answer_block');
    expect(Date.now() - started).toBeLessThan(60_000);
    // Over the limit is a problem of the request (413 problem+json naming the limit), no longer a line of a report.
    const tooBig = await ctx.app.inject({
      method: 'POST', url: '/api/questions/import', headers: headers(),
      payload: { format: 'csv', content: Buffer.alloc(10 * 1024 * 1024 + 10, 'a').toString('base64') },
    });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.headers['content-type']).toContain('application/problem+json');
    expect(tooBig.json()).toMatchObject({ code: 'import.file_too_large', detail: 'the file is larger than 10 MB, the most one import takes', errors: [{ path: 'content' }] });
    const beyond = await ctx.app.inject({
      method: 'POST', url: '/api/questions/import', headers: headers(),
      payload: { format: 'gift', content: 'A'.repeat(15 * 1024 * 1024) },
    });
    expect(beyond.statusCode).toBe(413);
    expect(beyond.json().code).toBe('payload_too_large');
    expect(beyond.json().detail).toMatch(/^The request is larger than 13\.4 MB/);
    expect(await bankState()).toEqual(before);
  }, 120_000);
});

describe('export', () => {
  async function roundTripSet(prefix: string) {
    // One question of every type, with feedback and weights where the type has them.
    const bodies = [
      { type: 'single_choice', stem: 'Pick one', options: [{ text: 'right', correct: true, feedback: 'yes' }, { text: 'wrong', correct: false, feedback: 'no' }, { text: 'also wrong', correct: false }] },
      { type: 'multiple_choice', stem: 'Pick some', scoring: 'partial', options: [{ text: 'a', weight: 60 }, { text: 'b', weight: 40 }, { text: 'c', weight: -50, feedback: 'not c' }] },
      { type: 'true_false', stem: 'True?', answer: false, feedbackTrue: 'no, false', feedbackFalse: 'right' },
      { type: 'fill_blank', stem: 'The limit is an {{1}}.', blanks: [{ answers: ['upper limit', { text: 'upper', weight: 50 }] }] },
      { type: 'numeric', stem: 'How many?', answers: [{ value: 60, tolerance: 0.5 }, { min: 55, max: 65, weight: 50, feedback: 'close' }] },
      { type: 'matching', stem: 'Match', pairs: [{ left: 'one', right: '1' }, { left: 'two', right: '2' }, { left: 'three', right: '3' }], distractors: ['4'] },
      { type: 'ordering', stem: 'Order', items: ['first', 'second', 'third'] },
      { type: 'short_answer', stem: 'Explain.', rubric: 'Names the channel (3).', modelAnswer: 'Only the local company.' },
      { type: 'essay', stem: 'Discuss.', rubric: 'Analysis (5).' },
    ];
    const ids: string[] = [];
    for (const [i, b] of bodies.entries()) {
      const res = await ctx.app.inject({
        method: 'POST', url: '/api/questions', headers: headers(),
        payload: { ...b, key: `${prefix}-${i + 1}`, points: 2, difficulty: 3, language: 'en', tags: ['round trip'], modules: ['floating-total-management'], category: `Round trip/${prefix}`, explanation: 'Because.' },
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    return ids;
  }

  for (const format of ['gift', 'csv', 'xlsx'] as const) {
    it(`${format}: what is exported imports back into the same questions`, async () => {
      const ids = await roundTripSet(`rt-${format}`);
      const originals = await Promise.all(ids.map(detail));
      const res = await exportFile({ format, ids });
      const skipped = Number(res.headers['x-skipped-count']);
      const file = format === 'xlsx' ? res.rawPayload : Buffer.from(res.body, 'utf8');
      // In place: every question is recognised as unchanged.
      const same = await importFile(format, file);
      expect(same.counts).toEqual({ create: 0, update: 0, unchanged: ids.length - skipped, error: 0 });
      // Into an empty place: the questions come back equal.
      await execSql(em(), `delete from question where id = any(?::uuid[])`, [`{${ids.join(',')}}`]);
      const back = await importFile(format, file, { dryRun: false, status: 'active' });
      expect(back.counts.create).toBe(ids.length - skipped);
      for (const item of back.items) {
        const original = originals.find((o) => o.key === item.key)!;
        const copy = await detail(item.questionId!);
        expect(copy.question, item.key!).toEqual(original.question);
      }
      if (format === 'gift') {
        expect(skipped).toBe(1);
        expect(JSON.parse(decodeURIComponent(String(res.headers['x-skipped'])))).toEqual([{ key: 'rt-gift-7', reason: 'ordering questions have no GIFT form' }]);
      } else expect(skipped).toBe(0);
    });
  }

  it('aiken: choice questions go out and come back without duplicates; other types are left out', async () => {
    const ids: string[] = [];
    for (const [i, b] of [
      { type: 'single_choice', options: [{ text: 'the local company', correct: true }, { text: 'a wholesaler', correct: false }] },
      { type: 'multiple_choice', options: [{ text: 'licence', correct: true }, { text: 'proper supplier', correct: true }, { text: 'lend the licence', correct: false }] },
      { type: 'true_false', answer: true },
    ].entries()) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/questions', headers: headers(), payload: { ...b, stem: `Aiken round trip ${i}`, points: 1, difficulty: 3, language: 'en' } });
      ids.push(res.json().id);
    }
    const originals = await Promise.all(ids.map(detail));
    for (const style of ['moodle', 'zh'] as const) {
      const res = await exportFile({ format: 'aiken', ids, style });
      expect(res.headers['x-skipped-count']).toBe('1');
      expect(res.body).toContain(style === 'zh' ? '答案：AB' : 'ANSWER: AB');
      const again = await importFile('aiken', res.body, { language: 'en' });
      expect(again.counts).toEqual({ create: 0, update: 0, unchanged: 2, error: 0 });
    }
    const file = (await exportFile({ format: 'aiken', ids })).body;
    await execSql(em(), `delete from question where id = any(?::uuid[])`, [`{${ids.join(',')}}`]);
    const back = await importFile('aiken', file, { dryRun: false, language: 'en' });
    expect(back.counts.create).toBe(2);
    for (const [i, item] of back.items.entries()) {
      const { key: _k, ...copy } = (await detail(item.questionId!)).question;
      const { key: _o, ...original } = originals[i].question;
      expect(copy).toEqual(original);
    }
  });

  it('exports what a filter matches, as files named for their format', async () => {
    const res = await exportFile({ format: 'csv', filter: { language: 'zh', type: 'true_false' }, header: 'zh' }, 'zh');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="questions-\d{8}\.csv"/);
    const lines = res.body.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines[0]).toContain('题干');
    expect(lines.length - 1).toBe(Number(res.headers['x-exported-count']));
    expect(lines.slice(1).every((l) => l.includes('判断题'))).toBe(true);
  });

  it('refuses an empty selection and a selection the format cannot hold', async () => {
    const none = await ctx.app.inject({ method: 'POST', url: '/api/questions/export', headers: headers(), payload: { format: 'gift', filter: { q: 'nothing matches this' } } });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0]).toMatchObject({ path: 'ids', code: 'bank.empty_selection' });
    const [ordering] = await execSql<{ id: string }>(em(), `select q.id from question q join question_version v on v.id = q.current_version_id where v.type = 'ordering' limit 1`);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/questions/export', headers: headers('zh'), payload: { format: 'aiken', ids: [ordering.id] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'bank.export_none', detail: '所选题目都不能导出为 Aiken' });
  });
});
