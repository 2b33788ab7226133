import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parseCsv } from '../../../lib/text-file.js';
import { describe, expect, it } from 'vitest';
import { blankAnswers, normaliseQuestion, QUESTION_TYPES, questionMessages, type Question } from '../question-model.js';
import { parseGift } from './gift.js';
import {
  exportCsvQuestions, exportXlsxQuestions, parseCsvQuestions, parseXlsxQuestions, SHEET_COLUMNS, templateCsv,
  templateQuestions, templateRows, templateXlsx, ZH_HEADERS,
} from './spreadsheet.js';

const FIX = fileURLToPath(new URL('../../../../../tests/fixtures/questions/', import.meta.url));
const QDIR = fileURLToPath(new URL('../../../../../content/questions/', import.meta.url));
const fixture = (name: string) => readFileSync(FIX + name, 'utf8');

const d = { stemFormat: 'markdown', points: 1, difficulty: 3, tags: [], modules: [], language: 'zh' } as const;

describe('parseCsvQuestions', () => {
  const r = parseCsvQuestions(fixture('csv/questions.csv'), { defaultLanguage: 'zh' });

  it('reads one row per question, every type', () => {
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.questions.map((q) => [q.line, q.question.type])).toEqual([
      [2, 'single_choice'], [3, 'multiple_choice'], [4, 'multiple_choice'], [5, 'true_false'], [6, 'fill_blank'], [7, 'numeric'],
      [8, 'matching'], [9, 'ordering'], [10, 'short_answer'], [13, 'essay'],
    ]);
  });

  it('choice: letters, feedback columns, tags and modules', () => {
    expect(r.questions[0].question).toEqual({
      ...d, key: 'c-001', name: '进货渠道', type: 'single_choice', stem: '持证零售户应当从哪里进货？', difficulty: 1, tags: ['进货渠道', '专卖'],
      modules: ['floating-total-management'], category: '货源政策/总量浮动', explanation: '持证零售户应当在当地烟草公司进货。',
      options: [
        { text: '当地烟草公司', correct: true, weight: 100 },
        { text: '镇上批发部', correct: false, weight: 0, feedback: '批发部没有烟草批发资格。' },
        { text: '网上商城', correct: false, weight: 0 },
      ],
    });
    expect(r.questions[1].question).toMatchObject({ scoring: 'partial', options: [{ weight: 33.33333 }, { weight: 33.33333 }, { weight: 33.33333 }, { weight: -100, correct: false }] });
  });

  it('choice: explicit weights', () => {
    expect(r.questions[2].question).toMatchObject({
      options: [{ text: '甲', weight: 60, correct: true }, { text: '乙', weight: 40, correct: true }, { text: '丙', weight: 0, correct: false }, { text: '丁', weight: -50, correct: false }],
    });
  });

  it('true_false, fill_blank, numeric, matching, ordering, short_answer, essay', () => {
    const q = r.questions.map((p) => p.question);
    expect(q[3]).toMatchObject({ answer: true, feedbackTrue: '正确。', feedbackFalse: '再看一下总量浮动的含义。' });
    expect(q[4]).toMatchObject({ stem: '两个至上：国家利益至上、{{1}}利益至上；订单要在{{2}}前提交。', blanks: [{ answers: ['消费者', '消费者群体'] }, { answers: ['周三', '星期三', { text: '三', weight: 50 }] }] });
    expect(q[5]).toMatchObject({ answers: [{ value: 30000, tolerance: 100, weight: 100, feedback: '算对了。' }, { min: 29000, max: 31000, weight: 50, feedback: '接近了。' }] });
    expect(q[6]).toMatchObject({ pairs: [{ left: '上柜率', right: '已上柜客户占目标客户的比例' }, { left: '动销率' }, { left: '重购率' }], distractors: ['接受指导的客户比例'] });
    expect(q[7]).toMatchObject({ items: ['选准目标客户', '指导上柜陈列', '收集反馈', '分析数据并反馈'] });
    expect(q[8]).toMatchObject({ rubric: '共5分：\n- 说明只能在当地烟草公司进货（3分）；\n- 讲清正规渠道的好处（2分）。', modelAnswer: '不行，持证零售户应当在当地烟草公司进货。' });
    expect(q[9]).toMatchObject({ type: 'essay', points: 10, difficulty: 5, rubric: '片区分析（3分）；措施（5分）；条理（2分）。' });
  });

  it('Chinese headers, Chinese type names and the other ways of writing answers', () => {
    const z = parseCsvQuestions(fixture('csv/questions-zh-header.csv'), { defaultLanguage: 'zh' });
    expect(z.errors).toEqual([]);
    const q = z.questions.map((p) => p.question);
    expect(q.map((x) => x.type)).toEqual(['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'short_answer']);
    expect(q[0]).toMatchObject({ key: 'z-001', category: '礼仪/称呼', explanation: '用姓氏加职务称呼更礼貌。', options: [{ correct: false }, { text: '王老板/王经理', correct: true }, { correct: false }] });
    expect(q[1]).toMatchObject({ scoring: 'all_or_nothing', tags: ['拜访', '准备'], options: [{ correct: true }, { correct: true }, { correct: false }] });
    expect(q[2]).toMatchObject({ answer: false });
    expect(q[3]).toMatchObject({ blanks: [{ answers: ['右', '右边'] }] });
    expect(q[4]).toMatchObject({ answers: [{ value: 80, tolerance: 0.5 }] });
    expect(q[5]).toMatchObject({ pairs: [{ left: '正式会议', right: '正装' }, { left: '日常拜访', right: '商务休闲' }, { left: '运动会', right: '运动装' }] });
    expect(q[6]).toMatchObject({ items: ['问候', '自报家门', '说明来意'] });
    expect(q[7]).toMatchObject({ modelAnswer: '守时、称呼得体、说明来意。' });
  });

  it('decodes UTF-8 with a BOM and GB18030 bytes (what Excel and WPS save)', () => {
    const text = fixture('csv/questions.csv');
    expect(parseCsvQuestions(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), { defaultLanguage: 'zh' })).toEqual(r);
    expect(parseCsvQuestions(iconv.encode(text, 'gb18030'), { defaultLanguage: 'zh' })).toEqual(r);
    expect(parseCsvQuestions(text.replace(/\n/g, '\r\n'), { defaultLanguage: 'zh' })).toEqual(r);
  });

  it('reports errors with row numbers and column names', () => {
    const e = parseCsvQuestions(fixture('csv/errors.csv'));
    expect(e.errors.map((x) => [x.row, x.column, x.code])).toEqual([
      [2, 'correct', 'sheet.letter_not_option'],
      [3, 'type', 'sheet.bad_type'],
      [4, 'points', 'sheet.bad_number'],
      [5, 'option_b', 'field.required'],
      [6, 'correct', 'sheet.bad_correct'],
      [7, 'correct', 'sheet.bad_correct'],
      [8, 'correct', 'sheet.bad_correct'],
      [9, 'stem', 'question.blank_count_mismatch'],
      [10, 'difficulty', 'question.difficulty_range'],
      [11, 'stem', 'field.required'],
      [12, 'correct', 'sheet.bad_correct'],
      [14, 'key', 'import.duplicate_key'],
    ]);
    expect(e.errors[0].params).toMatchObject({ letter: 'D', column: 'correct' });
    expect(e.questions.map((q) => [q.line, q.question.key])).toEqual([[13, 'e-012']]);
    for (const x of e.errors) expect(questionMessages[x.code], x.code).toBeDefined();
  });

  it('file-level problems: empty, binary, missing columns, unknown columns, unbalanced quotes', () => {
    expect(parseCsvQuestions('').errors).toEqual([{ row: 0, code: 'import.empty', params: {} }]);
    expect(parseCsvQuestions(Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 9, 9])).errors).toEqual([{ row: 0, code: 'import.not_text', params: {} }]);
    expect(parseCsvQuestions('key,name\nx,y\n').errors).toEqual([
      { row: 1, column: 'type', code: 'sheet.missing_column', params: { column: 'type' } },
      { row: 1, column: 'stem', code: 'sheet.missing_column', params: { column: 'stem' } },
    ]);
    const w = parseCsvQuestions('type,stem,correct,colour\ntrue_false,天是蓝的。,T,blue\n');
    expect(w.errors).toEqual([]);
    expect(w.warnings).toEqual([{ row: 1, column: 'colour', code: 'sheet.unknown_column', params: { column: 'colour' } }]);
    expect(w.questions).toHaveLength(1);
    const q = parseCsvQuestions('type,stem,correct\ntrue_false,"unclosed,T\n');
    expect(q.errors).toContainEqual({ row: 2, code: 'import.quote', params: {} });
    expect(parseCsvQuestions('type,stem\n').errors).toEqual([{ row: 0, code: 'import.no_questions', params: {} }]);
  });

  it('never throws on junk', () => {
    for (const junk of ['x', '"', ',,,\n,,,', 'type,stem\n,,,\n"a', 'type,stem,correct\nnumeric,x,1..', 'type,stem,correct\nmatching,x,=>|=>', 'type,stem,correct\nfill_blank,{{1}},%%|\\']) {
      expect(() => parseCsvQuestions(junk)).not.toThrow();
    }
  });
});

describe('parseXlsxQuestions', () => {
  it('reads a workbook made with exceljs: Chinese header, number cells, rich text, an empty row', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('题目');
    ws.addRow(['题型', '题干', '选项A', '选项B', '选项C', '答案', '分值', '难度', '标签', '解析']);
    ws.addRow(['单选题', '持证零售户应当从哪里进货？', '当地烟草公司', '镇上批发部', '网上商城', 'A', 2, 1, '进货渠道|专卖', '当地烟草公司。']);
    ws.addRow([]);
    ws.addRow(['数值题', { richText: [{ text: '单箱均价是' }, { font: { bold: true }, text: '多少' }, { text: '元？' }] }, null, null, null, 30000, 2, 3]);
    ws.addRow(['判断题', '卷烟是专卖品。', null, null, null, '对', 1, 1]);
    wb.addWorksheet('说明').addRow(['ignored']);
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await parseXlsxQuestions(buffer, { defaultLanguage: 'zh' });
    expect(r.errors).toEqual([]);
    expect(r.questions).toEqual([
      { line: 2, question: {
        ...d, type: 'single_choice', stem: '持证零售户应当从哪里进货？', points: 2, difficulty: 1, tags: ['进货渠道', '专卖'], explanation: '当地烟草公司。',
        options: [{ text: '当地烟草公司', correct: true, weight: 100 }, { text: '镇上批发部', correct: false, weight: 0 }, { text: '网上商城', correct: false, weight: 0 }],
      } },
      { line: 4, question: { ...d, type: 'numeric', stem: '单箱均价是多少元？', points: 2, answers: [{ value: 30000, tolerance: 0, weight: 100 }] } },
      { line: 5, question: { ...d, type: 'true_false', stem: '卷烟是专卖品。', difficulty: 1, answer: true } },
    ]);
  });

  it('reports errors with the sheet row and column', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('q');
    ws.addRow(['type', 'stem', 'option_a', 'option_b', 'correct']);
    ws.addRow(['single_choice', 'ok', 'a', 'b', 'A']);
    ws.addRow(['single_choice', 'bad', 'a', 'b', 'C']);
    const r = await parseXlsxQuestions(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(r.errors.map((e) => [e.row, e.column, e.code])).toEqual([[3, 'correct', 'sheet.letter_not_option']]);
    expect(r.questions.map((q) => q.line)).toEqual([2]);
  });

  it('refuses what is not a workbook', async () => {
    expect((await parseXlsxQuestions(Buffer.from('type,stem\nx,y'))).errors).toEqual([{ row: 0, code: 'sheet.not_xlsx', params: {} }]);
    expect((await parseXlsxQuestions(Buffer.alloc(0))).errors).toEqual([{ row: 0, code: 'import.empty', params: {} }]);
    expect((await parseXlsxQuestions(Buffer.from([0x50, 0x4b, 3, 4, 1, 2, 3]))).errors).toEqual([{ row: 0, code: 'sheet.not_xlsx', params: {} }]);
  });
});

describe('formula injection', () => {
  const q = normaliseQuestion({
    type: 'single_choice', key: 'inj-1', stem: '=HYPERLINK("http://evil.example","click")', explanation: '@SUM(A1:A9)', language: 'en',
    tags: ['-tag'], options: [{ text: '+1+1', correct: true }, { text: '-2', correct: false }, { text: '=3', correct: false }],
  });

  it('every exported CSV and XLSX cell that a spreadsheet would run starts with an apostrophe, and imports back as it was', async () => {
    const csv = exportCsvQuestions([q]);
    const [header, row] = parseCsv(csv.text.slice(1)).records.map((r) => r.fields);
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell('stem')).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect([cell('option_a'), cell('option_b'), cell('option_c'), cell('explanation'), cell('tags')]).toEqual(["'+1+1", "'-2", "'=3", "'@SUM(A1:A9)", "'-tag"]);
    const same = { stem: q.stem, explanation: q.explanation, tags: q.tags, options: [{ text: '+1+1', correct: true }, { text: '-2', correct: false }, { text: '=3', correct: false }] };
    expect(parseCsvQuestions(csv.text).questions.map((p) => p.question)).toMatchObject([same]);

    const xlsx = await exportXlsxQuestions([q]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.buffer as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const names = (ws.getRow(1).values as unknown[]).map(String);
    const xcell = (name: string) => ws.getRow(2).getCell(names.indexOf(name)).value;
    expect(xcell('stem')).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect([xcell('option_a'), xcell('option_b'), xcell('option_c'), xcell('explanation'), xcell('tags')]).toEqual(["'+1+1", "'-2", "'=3", "'@SUM(A1:A9)", "'-tag"]);
    expect((await parseXlsxQuestions(xlsx.buffer)).questions.map((p) => p.question)).toMatchObject([same]);
  });
});

describe('limits and size', () => {
  const workbook = async (rows: number) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('q');
    ws.addRow(['type', 'stem', 'option_a', 'option_b', 'correct', 'tags']);
    for (let i = 0; i < rows; i++) ws.addRow(['single_choice', `第 ${i} 题：持证零售户应当从哪里进货？`, '当地烟草公司', '镇上批发部', 'A', '进货渠道']);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('reads 20,000 rows in a few seconds (the parse is linear in the rows)', async () => {
    const buffer = await workbook(20_000);
    const started = performance.now();
    const r = await parseXlsxQuestions(buffer, { maxRows: 20_000 });
    const seconds = (performance.now() - started) / 1000;
    expect(r.errors).toEqual([]);
    expect(r.questions).toHaveLength(20_000);
    expect(r.questions[19_999]).toMatchObject({ line: 20_001, question: { stem: '第 19999 题：持证零售户应当从哪里进货？' } });
    // Reading the sheet's column count per row made this quadratic: 20,000 rows took over three minutes.
    expect(seconds).toBeLessThan(20);
  }, 60_000);

  it('refuses a file with more rows or questions than the limit, as a whole', async () => {
    const xlsx = await parseXlsxQuestions(await workbook(11), { maxRows: 10 });
    expect(xlsx).toEqual({ questions: [], errors: [{ row: 0, code: 'import.too_many_rows', params: { limit: 10 } }], warnings: [] });
    expect((await parseXlsxQuestions(await workbook(10), { maxRows: 10 })).questions).toHaveLength(10);
    const csv = ['type,stem,correct', ...Array.from({ length: 6 }, (_, i) => `true_false,Q${i},T`)].join('\n');
    expect(parseCsvQuestions(csv, { maxRows: 5 }).errors).toEqual([{ row: 0, code: 'import.too_many_rows', params: { limit: 5 } }]);
    expect(parseCsvQuestions(csv, { maxRows: 6 }).questions).toHaveLength(6);
    const gift = Array.from({ length: 4 }, (_, i) => `Q${i} {T}`).join('\n\n');
    expect(parseGift(gift, { maxRows: 3 })).toEqual({ questions: [], errors: [{ line: 0, code: 'import.too_many_rows', params: { limit: 3 } }] });
    expect(parseGift(gift, { maxRows: 4 }).questions).toHaveLength(4);
  });

  it('refuses a workbook that expands past the limit before exceljs reads it', async () => {
    const buffer = await workbook(200);
    const small = await parseXlsxQuestions(buffer, { maxUnzippedBytes: 20_000 });
    expect(small.errors).toEqual([{ row: 0, code: 'import.unzipped_too_large', params: { limit: 20_000 } }]);
    expect((await parseXlsxQuestions(buffer, { maxUnzippedBytes: 10_000_000 })).questions).toHaveLength(200);
  });
});

/** Shipped banks, one list per file. */
const banks = (): [string, Question[]][] => (existsSync(QDIR)
  ? readdirSync(QDIR).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const bank = JSON.parse(readFileSync(QDIR + f, 'utf8')) as { language: 'zh' | 'en'; questions: unknown[] };
    return [f, bank.questions.map((q) => normaliseQuestion(q, { language: bank.language }))];
  })
  : []);

const awkward = (): Question[] => [
  // Every GIFT construct, except feedback on a blank's answer (a row has no column for it).
  ...parseGift(fixture('gift/all-constructs.gift'), { defaultLanguage: 'en' }).questions.map((q) => q.question)
    .filter((q) => !(q.type === 'fill_blank' && q.blanks.some((b) => blankAnswers(b).some((a) => a.feedback)))),
  ...[
    { type: 'fill_blank', stem: '{{1}}，{{2}}', blanks: [{ answers: ['a|b', 'c;d', '%50%e', 'f\\g', { text: 'h', weight: 25.5 }] }, { answers: ['＞'] }] },
    { type: 'matching', stem: 'm', pairs: [{ left: 'a=>b', right: 'c|d' }, { left: 'x->y', right: 'z>' }], distractors: ['=>w'] },
    { type: 'numeric', stem: 'n', answers: [{ value: -1.5, tolerance: 0 }, { value: 2, tolerance: 0.125, weight: 10, feedback: 'f' }, { min: -3, max: 1e6 }], incorrectFeedback: 'other' },
    { type: 'single_choice', stem: 's', stemFormat: 'html', options: [{ text: '="x"', weight: 100 }, { text: '+1', weight: 50 }, { text: '-1', weight: -25, feedback: 'neg' }] },
    { type: 'ordering', stem: 'o', items: ['1', '2', '3', '4', '5', '6', '7'] },
    { type: 'essay', stem: 'e', name: 'n', rubric: 'line1\n"quoted", with commas', modelAnswer: 'm' },
  ].map((q) => normaliseQuestion({ points: 2, difficulty: 2, language: 'zh', category: 'a/b', tags: ['t 1', 't2'], modules: ['m-1'], ...q })),
];

describe('export and import again', () => {
  it.each(['en', 'zh'] as const)('CSV round trip (%s header): awkward questions of every type', (header) => {
    const qs = awkward();
    const out = exportCsvQuestions(qs, { header });
    expect(out.skipped).toEqual([]);
    expect(out.text.startsWith('\uFEFF')).toBe(true);
    const back = parseCsvQuestions(out.text);
    expect(back.errors).toEqual([]);
    expect(back.questions.map((q) => q.question)).toEqual(qs);
    expect(new Set(qs.map((q) => q.type))).toEqual(new Set(QUESTION_TYPES));
  });

  it('XLSX round trip: awkward questions of every type', async () => {
    const qs = awkward();
    const out = await exportXlsxQuestions(qs);
    expect(out.skipped).toEqual([]);
    const back = await parseXlsxQuestions(out.buffer);
    expect(back.errors).toEqual([]);
    expect(back.questions.map((q) => q.question)).toEqual(qs);
  });

  it.each(banks())('CSV and XLSX round trip: %s', async (_file, qs) => {
    const csv = exportCsvQuestions(qs);
    expect(csv.skipped).toEqual([]);
    const back = parseCsvQuestions(csv.text);
    expect(back.errors).toEqual([]);
    expect(back.questions.map((q) => q.question)).toEqual(qs);
    const xlsx = await exportXlsxQuestions(qs, { header: 'zh' });
    const backX = await parseXlsxQuestions(xlsx.buffer);
    expect(backX.errors).toEqual([]);
    expect(backX.questions.map((q) => q.question)).toEqual(qs);
  });

  it('reports what a row cannot hold', () => {
    const qs = [
      normaliseQuestion({ key: 'big', type: 'single_choice', stem: 'x', points: 1, difficulty: 1, options: [...'abcdefghi'].map((t, i) => ({ text: t, correct: i === 0 })) }),
      normaliseQuestion({ type: 'fill_blank', stem: '{{1}}', points: 1, difficulty: 1, blanks: [{ answers: [{ text: 'a', weight: 100, feedback: 'f' }] }] }),
      normaliseQuestion({ type: 'true_false', stem: 'x', points: 1, difficulty: 1, answer: true, tags: ['a|b'] }),
    ];
    expect(exportCsvQuestions(qs).skipped.map((s) => [s.index, s.key])).toEqual([[0, 'big'], [1, undefined], [2, undefined]]);
  });
});

describe('templates', () => {
  it('one example row per type, in Chinese, with a Chinese header', () => {
    const rows = templateRows();
    expect(rows[0]).toEqual(SHEET_COLUMNS.map((c) => ZH_HEADERS[c]));
    expect(rows).toHaveLength(1 + QUESTION_TYPES.length);
    expect(templateQuestions().map((q) => q.type)).toEqual([...QUESTION_TYPES]);
    expect(rows.slice(1).map((r) => r[1])).toEqual(['单选题', '多选题', '判断题', '填空题', '数值题', '配对题', '排序题', '简答题', '论述题']);
    expect(templateRows('en')[0]).toEqual([...SHEET_COLUMNS]);
  });

  it('the CSV and XLSX templates import back into the example questions, which pass the bank rules', async () => {
    const qs = templateQuestions();
    const csv = parseCsvQuestions(templateCsv());
    expect(csv.errors).toEqual([]);
    expect(csv.questions.map((q) => q.question)).toEqual(qs);
    const xlsx = await parseXlsxQuestions(await templateXlsx());
    expect(xlsx.errors).toEqual([]);
    expect(xlsx.questions.map((q) => q.question)).toEqual(qs);
    const { validateQuestion } = await import('../question-model.js');
    for (const q of qs) expect(validateQuestion(q), q.key).toEqual([]);
  });

  it('the XLSX template has a help sheet', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await templateXlsx()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['题目', '说明']);
    expect(wb.worksheets[0].getRow(1).getCell(2).text).toBe('题型');
  });
});
