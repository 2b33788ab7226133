/**
 * Questions as a spreadsheet (CSV or XLSX): one row per question, a header row naming the columns.
 *
 * | column | meaning |
 * |---|---|
 * | key | stable id (optional) |
 * | type | single_choice, multiple_choice, true_false, fill_blank, numeric, matching, ordering, short_answer, essay (or 单选题, 多选题, 判断题, 填空题, 数值题, 配对题, 排序题, 简答题, 论述题) |
 * | category | category path, `/` between levels |
 * | name | short title (optional) |
 * | stem | the question (markdown); fill_blank marks blanks `{{1}}`, `{{2}}` |
 * | stem_format | markdown (default), html or plain |
 * | option_a … option_h | choice options; for ordering the items (in any order) |
 * | correct | the answer, by type (below) |
 * | scoring | multiple_choice: all_or_nothing (default, 全对得分) or partial (按比例得分) |
 * | points, difficulty | numbers (defaults 1 and 3) |
 * | tags, modules | separated by `\|` |
 * | explanation | general feedback |
 * | feedback_a … feedback_h | feedback per option; numeric: per answer; true_false: a = answered true, b = answered false |
 * | feedback_other | numeric: feedback for any other answer |
 * | rubric, model_answer | short_answer and essay |
 * | language | zh or en |
 *
 * `correct`, by type:
 * - single_choice / multiple_choice: letters, `B` or `ABD` (also `A,B,D`, `A、B`); or weights, `%50%A|%50%B|%-100%C`
 *   (options not listed are worth 0).
 * - true_false: `T` / `F` (also TRUE/FALSE, 对/错, 正确/错误, √/×).
 * - fill_blank: accepted answers separated by `|`, blanks separated by `;`: `上限|最高限;消费者`. An answer worth less
 *   than full marks starts with its weight: `%50%上线`.
 * - numeric: `60±0.5` (or `60+-0.5`), `60`, `59.5..60.5`; several separated by `|`, each may start with `%50%`.
 * - matching: `left=>right|left=>right`; `=>extra` adds a distractor.
 * - ordering: the option letters in the correct order, `A>C>B`.
 * - short_answer / essay: not used (if model_answer is empty, its text becomes the model answer).
 * In these small syntaxes a backslash makes the next `\ | ; > %` literal.
 *
 * Headers may be in English or Chinese (题型, 题干, 选项A, 答案, 分值, 难度, 标签, 解析, ...); `type` and `stem`
 * are required. Errors carry the row number and the column name.
 */
import type ExcelJS from 'exceljs';
import { unzippedSize } from '../../../lib/zip.js';
import { guardCell, parseCsv, unguardCell, writeCsv } from '../../../lib/text-file.js';
import {
  blankAnswers, normaliseQuestion, QUESTION_TYPES, type Lang, type Question, type QuestionInput, type QuestionType,
} from '../question-model.js';
import {
  notExportable, QuestionCollector, readText, tooManyRows, type ExportSkip, type ParsedQuestion, type ParseOptions,
} from './common.js';

const LETTERS = 'ABCDEFGH';
const OPTION_COLUMNS = [...LETTERS].map((l) => `option_${l.toLowerCase()}`);
const FEEDBACK_COLUMNS = [...LETTERS].map((l) => `feedback_${l.toLowerCase()}`);

export const SHEET_COLUMNS = [
  'key', 'type', 'category', 'name', 'stem', 'stem_format', ...OPTION_COLUMNS, 'correct', 'scoring', 'points',
  'difficulty', 'tags', 'modules', 'explanation', ...FEEDBACK_COLUMNS, 'feedback_other', 'rubric', 'model_answer',
  'language',
] as const;

/** Chinese header names (used when exporting with `header: 'zh'`). */
export const ZH_HEADERS: Record<string, string> = {
  key: '编号', type: '题型', category: '分类', name: '名称', stem: '题干', stem_format: '题干格式', correct: '答案',
  scoring: '计分方式', points: '分值', difficulty: '难度', tags: '标签', modules: '模块', explanation: '解析',
  feedback_other: '其他答案反馈', rubric: '评分标准', model_answer: '参考答案', language: '语言',
  ...Object.fromEntries([...LETTERS].map((l) => [`option_${l.toLowerCase()}`, `选项${l}`])),
  ...Object.fromEntries([...LETTERS].map((l) => [`feedback_${l.toLowerCase()}`, `反馈${l}`])),
};

const ALIASES: Record<string, string[]> = {
  key: ['key', 'id', '编号', '题号', '题目编号', '试题编号'],
  type: ['type', '题型', '类型', '试题类型', '题目类型'],
  category: ['category', '分类', '类别', '题目分类', '试题分类'],
  name: ['name', 'title', '名称', '标题'],
  stem: ['stem', 'question', '题干', '题目', '试题', '问题', '试题内容', '题目内容'],
  stem_format: ['stemformat', 'format', '题干格式'],
  correct: ['correct', 'answer', '答案', '正确答案', '标准答案'],
  scoring: ['scoring', '计分方式', '评分方式'],
  points: ['points', 'score', '分值', '分数'],
  difficulty: ['difficulty', '难度'],
  tags: ['tags', 'tag', '标签', '知识点'],
  modules: ['modules', 'module', '模块', '关联模块'],
  explanation: ['explanation', '解析', '答案解析', '试题解析'],
  feedback_other: ['feedbackother', '其他答案反馈'],
  rubric: ['rubric', '评分标准', '评分要点'],
  model_answer: ['modelanswer', '参考答案', '范文'],
  language: ['language', 'lang', '语言'],
};
for (const l of LETTERS) {
  const lower = l.toLowerCase();
  ALIASES[`option_${lower}`] = [`option${lower}`, lower, `选项${lower}`];
  ALIASES[`feedback_${lower}`] = [`feedback${lower}`, `反馈${lower}`, `选项${lower}反馈`];
}
const HEADER_INDEX = new Map<string, string>();
for (const [col, names] of Object.entries(ALIASES)) for (const n of names) HEADER_INDEX.set(n, col);
const headerKey = (h: string) => h.normalize('NFKC').trim().toLowerCase().replace(/[\s_-]+/g, '');

const TYPE_ALIASES: Record<string, QuestionType> = {
  single: 'single_choice', 单选: 'single_choice', 单选题: 'single_choice', 单项选择: 'single_choice', 单项选择题: 'single_choice',
  multiple: 'multiple_choice', 多选: 'multiple_choice', 多选题: 'multiple_choice', 多项选择: 'multiple_choice', 多项选择题: 'multiple_choice', 不定项选择题: 'multiple_choice',
  truefalse: 'true_false', tf: 'true_false', 判断: 'true_false', 判断题: 'true_false',
  fill: 'fill_blank', fillblank: 'fill_blank', 填空: 'fill_blank', 填空题: 'fill_blank',
  number: 'numeric', 数值: 'numeric', 数值题: 'numeric', 计算: 'numeric', 计算题: 'numeric',
  match: 'matching', 匹配: 'matching', 匹配题: 'matching', 配对: 'matching', 配对题: 'matching', 连线题: 'matching',
  order: 'ordering', 排序: 'ordering', 排序题: 'ordering',
  shortanswer: 'short_answer', 简答: 'short_answer', 简答题: 'short_answer',
  论述: 'essay', 论述题: 'essay', 问答题: 'essay', 作文: 'essay',
};
const ZH_TYPES: Record<QuestionType, string> = {
  single_choice: '单选题', multiple_choice: '多选题', true_false: '判断题', fill_blank: '填空题', numeric: '数值题',
  matching: '配对题', ordering: '排序题', short_answer: '简答题', essay: '论述题',
};
const SCORING_ALIASES: Record<string, 'all_or_nothing' | 'partial'> = {
  allornothing: 'all_or_nothing', 全对得分: 'all_or_nothing', 全对才得分: 'all_or_nothing', 全部答对得分: 'all_or_nothing',
  partial: 'partial', 部分得分: 'partial', 按比例得分: 'partial', 按比例: 'partial',
};
const ZH_SCORING = { all_or_nothing: '全对得分', partial: '按比例得分' } as const;
const LANG_ALIASES: Record<string, Lang> = { zh: 'zh', 'zh-cn': 'zh', 中文: 'zh', chinese: 'zh', en: 'en', english: 'en', 英文: 'en', 英语: 'en' };
const TRUE_WORDS = ['t', 'true', '对', '正确', '√', '✓', '是', 'y', 'yes'];
const FALSE_WORDS = ['f', 'false', '错', '错误', '×', '✗', 'x', '否', 'n', 'no'];

/** Excel keeps at most this many characters in a cell. */
export const XLSX_CELL_LIMIT = 32_767;

/** exceljs is large and only imports and exports use it: it is loaded on first use, not at start. */
let excel: Promise<typeof ExcelJS> | undefined;
const loadExcel = () => (excel ??= import('exceljs').then((m) => m.default));

export interface SheetParseOptions extends ParseOptions {
  /** XLSX: the most bytes the workbook (a ZIP) may expand to; beyond it, one `import.unzipped_too_large` issue. */
  maxUnzippedBytes?: number;
}

export interface SheetIssue {
  /** 1-based row of the sheet (for CSV: the line the record starts on); 0 for the file as a whole. */
  row: number;
  column?: string;
  code: string;
  params: Record<string, unknown>;
}

export interface SheetParseResult {
  /** `line` is the row number. */
  questions: ParsedQuestion[];
  errors: SheetIssue[];
  /** Not fatal: unknown columns that were ignored. */
  warnings: SheetIssue[];
}

export interface SheetExportOptions {
  /** Header names and type values in English (default) or Chinese. */
  header?: 'en' | 'zh';
}

// ---------------------------------------------------------------------------------------------------------------
// Small syntaxes inside cells
// ---------------------------------------------------------------------------------------------------------------

const SPECIAL = '\\|｜;；>%';
const unesc = (s: string) => s.replace(/\\([\\|｜;；>%])/g, '$1');

/** Splits at unescaped separators (single characters), leaving escapes in the pieces. */
function splitEsc(s: string, seps: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && SPECIAL.includes(s[i + 1])) { cur += c + s[i + 1]; i++; continue; }
    if (seps.includes(c)) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** Index of the first unescaped occurrence of `needle` in `s`, or -1. */
function indexOfEsc(s: string, needle: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length && SPECIAL.includes(s[i + 1])) { i++; continue; }
    if (s.startsWith(needle, i)) return i;
  }
  return -1;
}

/** A leading `%w%` weight (unescaped), as in GIFT. */
function readWeight(s: string): { weight?: number; rest: string; bad?: boolean } {
  const t = s.trim();
  if (!t.startsWith('%')) return { rest: t };
  const m = /^%\s*([+-]?(?:\d+(?:\.\d+)?|\.\d+))\s*%/.exec(t);
  if (!m || Math.abs(Number(m[1])) > 100) return { rest: t, bad: true };
  return { weight: Number(m[1]), rest: t.slice(m[0].length).trim() };
}

const escAnswer = (s: string) => s.replace(/[\\|｜;；>]/g, '\\$&').replace(/^%/, '\\%');
const NUM = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const toNumber = (s: string): number | null => {
  const t = s.normalize('NFKC').trim().replace(/,/g, '');
  return NUM.test(t) ? Number(t) : null;
};
/** Tags and modules: separated by `|` (or, when there is no `|`, by commas or semicolons). */
const listCell = (s: string) => s.split(/[|｜]/.test(s) ? /[|｜]/ : /[,，;；]/).map((x) => x.trim()).filter(Boolean);

// ---------------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------------

interface RawRow { row: number; cells: string[] }

function columnOfPath(path: string): string | undefined {
  if (!path) return undefined;
  const [head, idx, sub] = path.split('.');
  const letter = idx !== undefined && /^\d+$/.test(idx) && Number(idx) < LETTERS.length ? LETTERS[Number(idx)].toLowerCase() : undefined;
  switch (head) {
    case 'options':
      if (letter && sub === 'text') return `option_${letter}`;
      if (letter && sub === 'feedback') return `feedback_${letter}`;
      return 'correct';
    case 'items':
      return letter ? `option_${letter}` : 'option_a';
    case 'answers':
      return letter && sub === 'feedback' ? `feedback_${letter}` : 'correct';
    case 'blanks': case 'pairs': case 'distractors': case 'answer':
      return 'correct';
    case 'tags': return 'tags';
    case 'modules': return 'modules';
    case 'stemFormat': return 'stem_format';
    case 'modelAnswer': return 'model_answer';
    case 'incorrectFeedback': return 'feedback_other';
    case 'feedbackTrue': return 'feedback_a';
    case 'feedbackFalse': return 'feedback_b';
    default: return head;
  }
}

function parseRows(header: RawRow | undefined, rows: RawRow[], opts: ParseOptions): SheetParseResult {
  const errors: SheetIssue[] = [];
  const warnings: SheetIssue[] = [];
  if (!header) return { questions: [], errors: [{ row: 0, code: 'import.empty', params: {} }], warnings };
  const index = new Map<string, number>();
  header.cells.forEach((h, i) => {
    if (!h.trim()) return;
    const col = HEADER_INDEX.get(headerKey(h));
    if (!col) warnings.push({ row: header.row, column: h.trim(), code: 'sheet.unknown_column', params: { column: h.trim() } });
    else if (!index.has(col)) index.set(col, i);
  });
  for (const required of ['type', 'stem']) {
    if (!index.has(required)) errors.push({ row: header.row, column: required, code: 'sheet.missing_column', params: { column: required } });
  }
  if (errors.length) return { questions: [], errors, warnings };
  if (opts.maxRows !== undefined && rows.length > opts.maxRows) {
    const { line, ...issue } = tooManyRows(opts.maxRows);
    return { questions: [], errors: [{ row: line, ...issue }], warnings };
  }

  const out = new QuestionCollector(opts);
  for (const r of rows) {
    const get = (col: string) => {
      const i = index.get(col);
      // Cells this product exported carry a formula guard (a leading ') that is not part of the value.
      return i === undefined ? '' : unguardCell(r.cells[i] ?? '').replace(/\r\n?/g, '\n').trim();
    };
    if (SHEET_COLUMNS.every((c) => get(c) === '')) continue;
    const rowErrors: SheetIssue[] = [];
    const fail = (column: string, code: string, params: Record<string, unknown> = {}) => rowErrors.push({ row: r.row, column, code, params: { ...params, column } });
    const input = rowToInput(get, fail, out);
    errors.push(...rowErrors);
    if (!input || rowErrors.length) continue;
    out.add(input, r.row, (path) => ({ path, column: columnOfPath(path) }));
  }
  const result = out.result();
  for (const e of result.errors) {
    const { column, ...params } = e.params;
    errors.push({ row: e.line, ...(typeof column === 'string' ? { column } : {}), code: e.code, params: { ...params, ...(column ? { column } : {}) } });
  }
  errors.sort((a, b) => a.row - b.row);
  return { questions: result.questions, errors, warnings };
}

function rowToInput(
  get: (col: string) => string, fail: (column: string, code: string, params?: Record<string, unknown>) => void, out: QuestionCollector,
): QuestionInput | null {
  const typeRaw = get('type');
  const typeKey = typeRaw.normalize('NFKC').trim().toLowerCase().replace(/[\s_-]+/g, '');
  const type = (QUESTION_TYPES as readonly string[]).includes(typeRaw.trim().toLowerCase())
    ? (typeRaw.trim().toLowerCase() as QuestionType)
    : TYPE_ALIASES[typeKey];
  if (!typeRaw) { fail('type', 'field.required'); return null; }
  if (!type) { fail('type', 'sheet.bad_type', { value: typeRaw }); return null; }

  const input: QuestionInput = { ...out.defaults(), type, stem: get('stem') };
  const text = (col: keyof QuestionInput, column: string) => { const v = get(column); if (v) (input as Record<string, unknown>)[col] = v; };
  text('key', 'key');
  text('category', 'category');
  text('name', 'name');
  text('explanation', 'explanation');
  const fmt = get('stem_format').toLowerCase();
  if (fmt) {
    if (fmt === 'markdown' || fmt === 'html' || fmt === 'plain') input.stemFormat = fmt;
    else fail('stem_format', 'field.enum', { values: 'markdown, html, plain' });
  }
  for (const col of ['points', 'difficulty'] as const) {
    const v = get(col);
    if (!v) continue;
    const n = toNumber(v);
    if (n === null) fail(col, 'sheet.bad_number', { value: v });
    else input[col] = n;
  }
  const tags = listCell(get('tags'));
  if (tags.length) input.tags = tags;
  const modules = listCell(get('modules'));
  if (modules.length) input.modules = modules;
  const lang = get('language');
  if (lang) {
    const l = LANG_ALIASES[lang.toLowerCase()];
    if (l) input.language = l; else fail('language', 'sheet.bad_language');
  }

  // Options (choice, ordering): trailing empty columns are dropped; a gap is an error.
  const rawOptions = OPTION_COLUMNS.map((c) => get(c));
  while (rawOptions.length && rawOptions[rawOptions.length - 1] === '') rawOptions.pop();
  const feedback = FEEDBACK_COLUMNS.map((c) => get(c));
  const correct = get('correct');
  const badCorrect = (hint: string) => fail('correct', 'sheet.bad_correct', { value: correct, hint });

  switch (type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'ordering': {
      const gap = rawOptions.findIndex((o) => o === '');
      if (gap >= 0) { fail(OPTION_COLUMNS[gap], 'field.required'); return null; }
      if (!correct) { fail('correct', 'field.required'); return null; }
      const letterIndex = (l: string) => {
        const i = LETTERS.indexOf(l);
        if (i < 0 || i >= rawOptions.length) { fail('correct', 'sheet.letter_not_option', { letter: l }); return -1; }
        return i;
      };
      if (type === 'ordering') {
        const letters = correct.normalize('NFKC').toUpperCase().split(/[\s>,、;]+/).filter(Boolean);
        if (letters.some((l) => !/^[A-Z]$/.test(l))) { badCorrect('A>C>B'); return null; }
        const order = letters.map(letterIndex);
        if (order.includes(-1)) return null;
        if (new Set(order).size !== order.length || order.length !== rawOptions.length) { badCorrect('A>C>B, every option once'); return null; }
        input.items = order.map((i) => rawOptions[i]);
        break;
      }
      const options: NonNullable<QuestionInput['options']> = rawOptions.map((t, i) => ({ text: t, ...(feedback[i] ? { feedback: feedback[i] } : {}) }));
      if (correct.includes('%')) {
        for (const o of options) o.weight = 0;
        for (const part of correct.split(/[|｜,，]/).map((p) => p.trim()).filter(Boolean)) {
          const w = readWeight(part);
          const l = w.rest.normalize('NFKC').toUpperCase();
          if (w.bad || w.weight === undefined || !/^[A-Z]$/.test(l)) { badCorrect('%50%A|%50%B'); return null; }
          const i = letterIndex(l);
          if (i < 0) return null;
          options[i].weight = w.weight;
        }
        for (const o of options) o.correct = type === 'single_choice' ? o.weight === 100 : o.weight! > 0;
      } else {
        const letters = correct.normalize('NFKC').toUpperCase().replace(/[\s,;、/]+/g, '');
        if (!/^[A-Z]+$/.test(letters)) { badCorrect('B, ABD'); return null; }
        const chosen = new Set<number>();
        for (const l of letters) { const i = letterIndex(l); if (i < 0) return null; chosen.add(i); }
        options.forEach((o, i) => { o.correct = chosen.has(i); });
      }
      input.options = options;
      if (type === 'multiple_choice') {
        const s = get('scoring');
        if (s) {
          const v = SCORING_ALIASES[headerKey(s)];
          if (v) input.scoring = v; else fail('scoring', 'sheet.bad_scoring');
        }
      }
      break;
    }
    case 'true_false': {
      const v = correct.normalize('NFKC').trim().toLowerCase();
      if (!v) { fail('correct', 'field.required'); return null; }
      if (TRUE_WORDS.includes(v)) input.answer = true;
      else if (FALSE_WORDS.includes(v)) input.answer = false;
      else { badCorrect('T, F'); return null; }
      if (feedback[0]) input.feedbackTrue = feedback[0];
      if (feedback[1]) input.feedbackFalse = feedback[1];
      break;
    }
    case 'fill_blank': {
      if (!correct) { fail('correct', 'field.required'); return null; }
      const blanks: NonNullable<QuestionInput['blanks']> = [];
      for (const b of splitEsc(correct, ';；')) {
        const answers: (string | { text: string; weight: number })[] = [];
        for (const a of splitEsc(b, '|｜')) {
          const w = readWeight(a);
          if (w.bad) { badCorrect('%50%answer'); return null; }
          const t = unesc(w.rest).trim();
          if (!t) continue;
          answers.push(w.weight === undefined ? t : { text: t, weight: w.weight });
        }
        blanks.push({ answers });
      }
      input.blanks = blanks;
      break;
    }
    case 'numeric': {
      if (!correct) { fail('correct', 'field.required'); return null; }
      const answers: NonNullable<QuestionInput['answers']> = [];
      const parts = correct.split(/[|｜]/).map((p) => p.trim()).filter(Boolean);
      for (const [i, part] of parts.entries()) {
        const w = readWeight(part);
        if (w.bad) { badCorrect('%50%60±2'); return null; }
        const body = w.rest.normalize('NFKC').replace(/\s+/g, '');
        const fb = feedback[i] ? { feedback: feedback[i] } : {};
        const weight = w.weight === undefined ? {} : { weight: w.weight };
        const range = /^(.+?)(?:\.\.|~|～)(.+)$/.exec(body);
        const tol = /^(.+?)(?:±|\+-|\+\/-)(.+)$/.exec(body);
        const nums = range ? [range[1], range[2]] : tol ? [tol[1], tol[2]] : [body];
        const values = nums.map(toNumber);
        if (values.some((v) => v === null)) { badCorrect('60±0.5, 59.5..60.5'); return null; }
        if (range) answers.push({ min: values[0]!, max: values[1]!, ...weight, ...fb });
        else answers.push({ value: values[0]!, tolerance: values[1] ?? 0, ...weight, ...fb });
      }
      input.answers = answers;
      const other = get('feedback_other');
      if (other) input.incorrectFeedback = other;
      break;
    }
    case 'matching': {
      if (!correct) { fail('correct', 'field.required'); return null; }
      const pairs: { left: string; right: string }[] = [];
      const distractors: string[] = [];
      for (const p of splitEsc(correct, '|｜')) {
        if (!p.trim()) continue;
        let at = indexOfEsc(p, '=>');
        if (at < 0) at = indexOfEsc(p, '->');
        if (at < 0) { badCorrect('left=>right|left=>right'); return null; }
        const left = unesc(p.slice(0, at)).trim();
        const right = unesc(p.slice(at + 2)).trim();
        if (!left) distractors.push(right); else pairs.push({ left, right });
      }
      input.pairs = pairs;
      if (distractors.length) input.distractors = distractors;
      break;
    }
    case 'short_answer':
    case 'essay': {
      const rubric = get('rubric');
      if (rubric) input.rubric = rubric;
      const model = get('model_answer') || correct;
      if (model) input.modelAnswer = model;
      break;
    }
  }
  return input;
}

/** Reads questions from CSV text or bytes (UTF-8 with or without BOM, GB18030; binary is refused). */
export function parseCsvQuestions(input: string | Buffer, opts: ParseOptions = {}): SheetParseResult {
  const read = readText(input);
  if (!read.ok) return { questions: [], errors: [{ row: 0, code: read.issue.code, params: {} }], warnings: [] };
  const parsed = parseCsv(read.text);
  const records = parsed.records.map((r) => ({ row: r.line, cells: r.fields }));
  const result = parseRows(records[0], records.slice(1), opts);
  if (parsed.error) result.errors.push({ row: parsed.error.line, code: parsed.error.reason, params: {} });
  return result;
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  try {
    return cell.text ?? '';
  } catch {
    return '';
  }
}

/** Reads questions from the first worksheet of an XLSX workbook. */
export async function parseXlsxQuestions(buffer: Buffer | Uint8Array | ArrayBuffer, opts: SheetParseOptions = {}): Promise<SheetParseResult> {
  const bytes = buffer instanceof ArrayBuffer ? Buffer.from(buffer) : Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer);
  const fileIssue = (code: string, params: Record<string, unknown> = {}): SheetParseResult => ({ questions: [], errors: [{ row: 0, code, params }], warnings: [] });
  if (bytes.length === 0) return fileIssue('import.empty');
  // Measured before exceljs inflates the whole workbook into memory: a small file can expand to gigabytes.
  const size = unzippedSize(bytes, opts.maxUnzippedBytes ?? Infinity);
  if (!size.ok) return size.reason === 'not_zip' ? fileIssue('sheet.not_xlsx') : fileIssue('import.unzipped_too_large', { limit: opts.maxUnzippedBytes });
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return fileIssue('sheet.not_xlsx');
  }
  const ws = wb.worksheets[0];
  if (!ws) return fileIssue('import.empty');
  const rows: RawRow[] = [];
  // Each row's own cell count, never `ws.columnCount`: that walks every row, so reading it per row made a parse
  // quadratic (20,000 rows took minutes). A short row needs no padding: a missing cell reads as empty.
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c)));
    if (cells.some((c) => c.trim() !== '')) rows.push({ row: rowNumber, cells });
  });
  return parseRows(rows[0], rows.slice(1), opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------------

type Row = Record<string, string | number>;

/** Why a question cannot be written as a row, or null. */
export function sheetProblem(q: Question): string | null {
  const lists = [...q.tags, ...q.modules];
  if (lists.some((t) => /[|｜]/.test(t)) || (lists.length && [q.tags, q.modules].some((l) => l.length === 1 && /[,，;；]/.test(l[0])))) {
    return 'a tag or module contains a separator (| , ;)';
  }
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice':
      if (q.options.length > LETTERS.length) return `more than ${LETTERS.length} options`;
      return null;
    case 'ordering':
      return q.items.length > LETTERS.length ? `more than ${LETTERS.length} items` : null;
    case 'fill_blank':
      if (q.blanks.some((b) => blankAnswers(b).some((a) => a.feedback))) return 'feedback on a blank answer has no column';
      return null;
    case 'numeric':
      if (q.answers.length > LETTERS.length && q.answers.some((a, i) => i >= LETTERS.length && a.feedback)) return 'feedback on more than 8 answers';
      return null;
    default:
      return null;
  }
}

function defaultWeights(q: Question & { type: 'single_choice' | 'multiple_choice' }): boolean {
  const plain = normaliseQuestion({ ...q, options: q.options.map((o) => ({ text: o.text, correct: o.correct })) });
  return (plain as typeof q).options.every((o, i) => o.weight === q.options[i].weight);
}

export function questionToRow(q: Question, lang: 'en' | 'zh' = 'en'): Row {
  const row: Row = {
    key: q.key ?? '', type: lang === 'zh' ? ZH_TYPES[q.type] : q.type, category: q.category ?? '', name: q.name ?? '',
    stem: q.stem, stem_format: q.stemFormat === 'markdown' ? '' : q.stemFormat, points: q.points, difficulty: q.difficulty,
    tags: q.tags.join('|'), modules: q.modules.join('|'), explanation: q.explanation ?? '', language: q.language ?? '',
  };
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice':
      q.options.forEach((o, i) => {
        row[OPTION_COLUMNS[i]] = o.text;
        if (o.feedback) row[FEEDBACK_COLUMNS[i]] = o.feedback;
      });
      row.correct = defaultWeights(q)
        ? q.options.map((o, i) => (o.correct ? LETTERS[i] : '')).join('')
        : q.options.map((o, i) => (o.weight !== 0 ? `%${o.weight}%${LETTERS[i]}` : '')).filter(Boolean).join('|');
      if (q.type === 'multiple_choice') row.scoring = lang === 'zh' ? ZH_SCORING[q.scoring] : q.scoring;
      break;
    case 'true_false':
      row.correct = q.answer ? 'T' : 'F';
      if (q.feedbackTrue) row.feedback_a = q.feedbackTrue;
      if (q.feedbackFalse) row.feedback_b = q.feedbackFalse;
      break;
    case 'fill_blank':
      row.correct = q.blanks.map((b) => b.answers.map((a) => (typeof a === 'string' ? escAnswer(a) : `%${a.weight}%${escAnswer(a.text)}`)).join('|')).join(';');
      break;
    case 'numeric':
      row.correct = q.answers.map((a) => {
        const w = a.weight !== 100 ? `%${a.weight}%` : '';
        return w + ('min' in a ? `${a.min}..${a.max}` : a.tolerance ? `${a.value}±${a.tolerance}` : `${a.value}`);
      }).join('|');
      q.answers.forEach((a, i) => { if (a.feedback && i < LETTERS.length) row[FEEDBACK_COLUMNS[i]] = a.feedback; });
      if (q.incorrectFeedback) row.feedback_other = q.incorrectFeedback;
      break;
    case 'matching': {
      const e = (s: string) => s.replace(/[\\|｜>]/g, '\\$&');
      row.correct = [...q.pairs.map((p) => `${e(p.left)}=>${e(p.right)}`), ...(q.distractors ?? []).map((d) => `=>${e(d)}`)].join('|');
      break;
    }
    case 'ordering':
      q.items.forEach((it, i) => { row[OPTION_COLUMNS[i]] = it; });
      row.correct = q.items.map((_, i) => LETTERS[i]).join('>');
      break;
    case 'short_answer':
    case 'essay':
      if (q.rubric) row.rubric = q.rubric;
      if (q.modelAnswer) row.model_answer = q.modelAnswer;
      break;
  }
  return row;
}

function toRows(questions: Question[], opts: SheetExportOptions, format: string, cellLimit?: number) {
  const lang = opts.header ?? 'en';
  const header = SHEET_COLUMNS.map((c) => (lang === 'zh' ? ZH_HEADERS[c] : c));
  const rows: Row[] = [];
  const skipped: ExportSkip[] = [];
  questions.forEach((raw, index) => {
    const q = normaliseQuestion(raw);
    const problem = sheetProblem(q);
    if (problem) { skipped.push(notExportable(index, q, format, problem)); return; }
    const row = questionToRow(q, lang);
    if (cellLimit && Object.values(row).some((v) => guardCell(String(v)).length > cellLimit)) {
      skipped.push(notExportable(index, q, format, `a cell is longer than ${cellLimit} characters`));
      return;
    }
    rows.push(row);
  });
  return { header, rows, skipped };
}

/** CSV with a UTF-8 BOM (so Excel opens it as UTF-8) and CRLF line ends. */
export function exportCsvQuestions(questions: Question[], opts: SheetExportOptions = {}): { text: string; skipped: ExportSkip[] } {
  const { header, rows, skipped } = toRows(questions, opts, 'CSV');
  return { text: writeCsv([header, ...rows.map((r) => SHEET_COLUMNS.map((c) => String(r[c] ?? '')))]), skipped };
}

const HELP: [string, string, string][] = [
  ['type', '题型：单选题 多选题 判断题 填空题 数值题 配对题 排序题 简答题 论述题（或英文 single_choice 等）', 'single_choice, multiple_choice, true_false, fill_blank, numeric, matching, ordering, short_answer, essay'],
  ['stem', '题干（Markdown）；填空题用 {{1}}、{{2}} 标出空', 'The question (markdown); fill_blank marks blanks {{1}}, {{2}}'],
  ['option_a … option_h', '选择题的选项；排序题的各项（顺序不限）', 'Choice options; for ordering, the items in any order'],
  ['correct', '单选/多选：字母，如 B 或 ABD；判断：T 或 F；填空：同一空的答案用 | 分隔，不同空用 ; 分隔；数值：60±0.5 或 59.5..60.5；配对：左=>右|左=>右（=>x 为干扰项）；排序：A>C>B', 'Choice: letters (B, ABD); true_false: T/F; fill_blank: answers | blanks ;; numeric: 60±0.5 or 59.5..60.5; matching: left=>right|…; ordering: A>C>B'],
  ['scoring', '多选题计分：all_or_nothing（全对得分，默认）或 partial（按比例得分）', 'multiple_choice: all_or_nothing (default) or partial'],
  ['points / difficulty', '分值（默认 1）；难度 1–5（默认 3）', 'Points (default 1); difficulty 1–5 (default 3)'],
  ['tags / modules', '用 | 分隔', 'Separated by |'],
  ['feedback_a …', '各选项的反馈；判断题 a=答“对”时、b=答“错”时；数值题按答案顺序', 'Feedback per option; true_false: a when answered true, b when false; numeric: per answer'],
  ['rubric / model_answer', '简答题和论述题的评分标准、参考答案', 'Rubric and model answer for short_answer and essay'],
  ['language', 'zh 或 en', 'zh or en'],
];

export async function exportXlsxQuestions(questions: Question[], opts: SheetExportOptions = {}): Promise<{ buffer: Buffer; skipped: ExportSkip[] }> {
  const { header, rows, skipped } = toRows(questions, opts, 'XLSX', XLSX_CELL_LIMIT);
  const wb = new (await loadExcel()).Workbook();
  const ws = wb.addWorksheet(opts.header === 'zh' ? '题目' : 'questions', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = SHEET_COLUMNS.map((c, i) => ({
    header: header[i], key: c,
    width: c === 'stem' || c === 'explanation' || c === 'rubric' || c === 'model_answer' ? 50 : c.startsWith('option') || c === 'correct' ? 24 : 14,
  }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    const values: Record<string, string | number> = {};
    for (const c of SHEET_COLUMNS) {
      const v = r[c];
      if (v === undefined || v === '') continue;
      values[c] = typeof v === 'string' ? guardCell(v) : v;
    }
    ws.addRow(values);
  }
  for (const c of ['stem', 'explanation', 'rubric', 'model_answer']) ws.getColumn(c).alignment = { wrapText: true, vertical: 'top' };
  const help = wb.addWorksheet(opts.header === 'zh' ? '说明' : 'help');
  help.columns = [{ header: 'column', width: 22 }, { header: '说明', width: 70 }, { header: 'meaning', width: 70 }];
  help.getRow(1).font = { bold: true };
  for (const h of HELP) help.addRow(h);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, skipped };
}

// ---------------------------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------------------------

/** One example question per type, in Chinese, for the downloadable templates. */
export function templateQuestions(): Question[] {
  const common = { category: '货源政策/总量浮动', modules: ['floating-total-management'], language: 'zh' as const, difficulty: 2 };
  return [
    { ...common, key: 'tpl-001', type: 'single_choice', stem: '持证零售户应当从哪里进货？', points: 1, tags: ['进货渠道'],
      explanation: '持证零售户应当在当地烟草专卖批发企业进货。',
      options: [{ text: '当地烟草公司', correct: true }, { text: '镇上批发部', correct: false, feedback: '批发部没有烟草批发资格。' }, { text: '网上商城', correct: false }, { text: '其他零售户', correct: false }] },
    { ...common, key: 'tpl-002', type: 'multiple_choice', scoring: 'partial', stem: '下列哪些属于守法经营的基本要求？（多选）', points: 2, tags: ['守法经营'],
      options: [{ text: '持证经营', correct: true }, { text: '在当地烟草公司进货', correct: true }, { text: '不向未成年人售烟', correct: true }, { text: '把许可证借给亲戚', correct: false }] },
    { ...common, key: 'tpl-003', type: 'true_false', stem: '总量浮动管理“有上限、无下限”。', points: 1, tags: ['总量浮动'], answer: true,
      feedbackTrue: '正确。', feedbackFalse: '再看一下总量浮动的含义。' },
    { ...common, key: 'tpl-004', type: 'fill_blank', stem: '烟草行业的共同价值观是：国家利益至上、{{1}}利益至上。', points: 1, tags: ['行业价值观'],
      blanks: [{ answers: ['消费者'] }] },
    { ...common, key: 'tpl-005', type: 'numeric', stem: '某片区本月卷烟销售额315万元，销量105箱，单箱均价是多少元/箱？', points: 2, tags: ['单箱均价'],
      answers: [{ value: 30000, tolerance: 0, weight: 100 }] },
    { ...common, key: 'tpl-006', type: 'matching', stem: '请将指标与其含义配对：', points: 3, tags: ['指标'],
      pairs: [{ left: '上柜率', right: '已上柜客户占目标客户的比例' }, { left: '动销率', right: '上柜客户中有销售的比例' }, { left: '重购率', right: '再次订购的客户所占比例' }],
      distractors: ['接受指导的客户比例'] },
    { ...common, key: 'tpl-007', type: 'ordering', stem: '请按正确顺序排列新品培育的步骤：', points: 2, tags: ['新品培育'],
      items: ['选准目标客户', '指导上柜陈列', '收集反馈', '分析数据并反馈'] },
    { ...common, key: 'tpl-008', type: 'short_answer', stem: '店主问能否从镇上批发部进货，请写出答复要点。', points: 5, difficulty: 3, tags: ['政策宣传'],
      rubric: '说明只能在当地烟草公司进货（3分）；讲清正规渠道的好处（2分）。', modelAnswer: '不行，持证零售户应当在当地烟草公司进货……' },
    { ...common, key: 'tpl-009', type: 'essay', stem: '结合你负责的片区，谈谈如何在保证销量的前提下提升单箱均价。', points: 10, difficulty: 4, tags: ['结构提升'],
      rubric: '片区分析（3分）；措施具体可行（5分）；条理清楚（2分）。' },
  ].map((q) => normaliseQuestion(q));
}

/** The template as rows of cells: the header, then one example row per type. */
export function templateRows(header: 'en' | 'zh' = 'zh'): string[][] {
  const { header: names, rows } = toRows(templateQuestions(), { header }, 'CSV');
  return [names, ...rows.map((r) => SHEET_COLUMNS.map((c) => String(r[c] ?? '')))];
}

export const templateCsv = (header: 'en' | 'zh' = 'zh') => exportCsvQuestions(templateQuestions(), { header }).text;
export const templateXlsx = async (header: 'en' | 'zh' = 'zh') => (await exportXlsxQuestions(templateQuestions(), { header })).buffer;
