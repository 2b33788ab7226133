/**
 * Importing and exporting the bank through the format library (formats/): GIFT, Aiken, CSV, XLSX.
 *
 * An import is planned in full before anything is written: every question the file holds gets a line in the report
 * saying what it will become (create, update, unchanged) or exactly why it cannot be taken (line or row, column, field
 * and reason, in the request's language). A dry run stops there. Otherwise the plan is applied in one transaction:
 * everything, or with `skipInvalid` only the valid questions; a file with errors and no `skipInvalid` writes nothing.
 *
 * Re-importing creates no duplicates: a question with a key is matched by key and language; one without is matched
 * by the hash of its content against every version of every question in that language (so a file imported, then
 * edited in the bank, then imported again still matches).
 */
import type { EntityManager } from '@mikro-orm/core';
import { invalidField, AppError } from '../../lib/errors.js';
import { formatBytes, IMPORT_LIMIT_CODES, importLimitExceeded, QUESTION_IMPORT_LIMITS, type ImportLimitCode } from '../../lib/import-limits.js';
import { t, type Lang } from '../../lib/i18n.js';
import { query, sql, exec } from '../../lib/sql.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { exportReasonsZh } from './bank-messages.js';
import { slicer, yieldToLoop } from '../../lib/slices.js';
import { runWorker } from '../../lib/worker.js';
import { exportAiken } from './formats/aiken.js';
import type { ExportSkip } from './formats/common.js';
import { exportGift } from './formats/gift.js';
import type { ParsedFile } from './formats/parse-file.js';
import { exportCsvQuestions, exportXlsxQuestions, templateCsv, templateXlsx } from './formats/spreadsheet.js';
import type { ParseRequest } from './question-parse.worker.js';
import { MANUALLY_GRADED_TYPES, validateQuestion, type Question } from './question-model.js';
import {
  changedFields, contentHash, loadByKeys, loadQuestions, moduleIdsBySlug, normaliseCategory, prepareQuestions, saveQuestion,
  splitQuestion, stableStringify, writeQuestions, type NewQuestion, type StoredQuestion,
} from './question-store.js';
import { excerpt } from './question-view.js';
import { matchingIds, type QuestionFilterInput } from './questions.service.js';
import { MAX_IMPORT_BYTES, type ImportFormat } from './questions.schemas.js';

/** At most this many report lines are sent; a file of junk can have a problem on every line. */
const MAX_REPORT_ITEMS = 2000;

export interface ImportInput {
  format: ImportFormat;
  filename?: string;
  content: string;
  dryRun: boolean;
  skipInvalid: boolean;
  language?: Lang;
  category?: string;
  points?: number;
  difficulty?: number;
  status?: 'draft' | 'active';
}

type Action = 'create' | 'update' | 'unchanged' | 'error';
interface ReportError { path?: string; column?: string; code: string; message: string }
interface PlanItem {
  line: number; action: Action; key: string | null; type: string | null; stem: string; changes: string[]; questionId: string | null;
  note: string | null; errors: ReportError[]; question?: Question; existing?: StoredQuestion;
}

const assertAuthor = (actor: Actor) => {
  if (!can(actor, 'questions.manage')) throw new AppError(403, 'forbidden');
};

// Every format is read in a worker thread: parsing a large workbook takes seconds of CPU, which must not stall the
// event loop (and so every other request) meanwhile.
const PARSE_WORKER = new URL('./question-parse.worker.ts', import.meta.url);
const PARSE_TIMEOUT_S = 120;
/** Keys or hashes looked up per statement while planning. */
const PLAN_SLICE = 500;

function parseFile(req: ParseRequest): Promise<ParsedFile> {
  return runWorker<ParseRequest, ParsedFile>(PARSE_WORKER, req, {
    timeoutMs: PARSE_TIMEOUT_S * 1000,
    // exceljs holds the whole workbook in memory: a file that needs more than this fails alone, not the server.
    resourceLimits: { maxOldGenerationSizeMb: 2048 },
    onTimeout: () => new AppError(413, 'import.too_slow', { seconds: PARSE_TIMEOUT_S }, [{ path: 'content', reason: 'import.too_slow', params: { seconds: PARSE_TIMEOUT_S } }]),
    onOutOfMemory: () => new AppError(413, 'import.too_complex', {}, [{ path: 'content', reason: 'import.too_complex' }]),
  });
}

export async function importQuestions(em: EntityManager, actor: Actor, lang: Lang, input: ImportInput) {
  assertAuthor(actor);
  const language = input.language ?? lang;
  const file = input.filename ?? `questions.${input.format === 'aiken' ? 'txt' : input.format}`;
  const fileErrors: { line: number; code: string; message: string }[] = [];
  const warnings: { line: number; column?: string; code: string; message: string }[] = [];
  const items: PlanItem[] = [];
  const report = (applied: boolean) => {
    const sorted = [...items].sort((a, b) => a.line - b.line);
    const counts = { create: 0, update: 0, unchanged: 0, error: 0 };
    for (const i of items) counts[i.action]++;
    return {
      file, format: input.format, dryRun: input.dryRun, applied, counts,
      items: sorted.slice(0, MAX_REPORT_ITEMS).map(({ question: _q, existing: _e, ...i }) => i),
      fileErrors, warnings: warnings.slice(0, 200), truncated: Math.max(0, sorted.length - MAX_REPORT_ITEMS),
    };
  };
  const fileError = (code: string, params: Record<string, unknown> = {}, line = 0) => fileErrors.push({ line, code, message: t(lang, code, params) });

  // The decoded size, from the base64 text's length: the bytes themselves are decoded in the worker.
  if (Buffer.byteLength(input.content, 'base64') > MAX_IMPORT_BYTES) throw importLimitExceeded('import.file_too_large', formatBytes(MAX_IMPORT_BYTES));
  const parsed = await parseFile({
    format: input.format, content: input.content,
    opts: {
      defaultLanguage: language, defaultPoints: input.points, defaultDifficulty: input.difficulty,
      maxRows: QUESTION_IMPORT_LIMITS.maxRows, maxUnzippedBytes: QUESTION_IMPORT_LIMITS.maxUnzippedBytes,
    },
  });
  // A file over a limit is refused as a whole, as a problem of the request (413), not as a line of the report.
  const over = parsed.errors.find((e) => e.line === 0 && IMPORT_LIMIT_CODES.includes(e.code));
  if (over) {
    const limit = Number(over.params.limit);
    throw importLimitExceeded(over.code as ImportLimitCode, over.code === 'import.too_many_rows' ? limit : formatBytes(limit));
  }

  // Problems of the file as a whole (empty, not text, not a workbook, no questions, a missing column).
  const byLine = new Map<number, ReportError[]>();
  for (const e of parsed.errors) {
    // A missing column makes the whole sheet unreadable: it is a problem of the file (at its header row).
    if (e.line === 0 || e.code === 'sheet.missing_column') { fileError(e.code, e.params, e.line); continue; }
    const list = byLine.get(e.line) ?? [];
    const path = typeof e.params.path === 'string' && e.params.path ? e.params.path : undefined;
    list.push({ ...(path ? { path } : {}), ...(e.column ? { column: e.column } : {}), code: e.code, message: t(lang, e.code, e.params) });
    byLine.set(e.line, list);
  }
  for (const w of parsed.warnings) warnings.push({ line: w.line, ...(w.column ? { column: w.column } : {}), code: w.code, message: t(lang, w.code, w.params) });
  for (const [line, errors] of byLine) items.push({ line, action: 'error', key: null, type: null, stem: '', changes: [], questionId: null, note: null, errors });

  // The bank's own checks on what the parser took: modules must exist; an active manual question needs a rubric.
  const questions = parsed.questions.map((p) => ({
    line: p.line,
    question: { ...p.question, ...(p.question.category ? { category: normaliseCategory(p.question.category) } : {}) } as Question,
  }));
  const known = new Set((await moduleIdsBySlug(em, [...new Set(questions.flatMap((p) => p.question.modules))])).keys());
  const keyed = questions.filter((p) => p.question.key).map((p) => ({ key: p.question.key!, language: p.question.language ?? language }));
  // Planning 20,000 questions takes a while on this thread: it works in slices of time and lets other requests run
  // between them (lib/slices.ts); on PGlite the queries run on this thread too, so they go in slices as well.
  const pause = slicer();
  const existing = new Map<string, StoredQuestion>();
  for (let at = 0; at < keyed.length; at += PLAN_SLICE) {
    await yieldToLoop();
    for (const [k, v] of await loadByKeys(em, keyed.slice(at, at + PLAN_SLICE))) existing.set(k, v);
  }
  const hashes: string[] = [];
  for (let i = 0; i < questions.length; i++) {
    await pause();
    hashes.push(contentHash(splitQuestion(questions[i].question).content));
  }
  const keyless = hashes.filter((_, i) => !questions[i].question.key);
  const hashMatches = new Map<string, { id: string; key: string }>();
  for (let at = 0; at < keyless.length; at += PLAN_SLICE) {
    await yieldToLoop();
    const rows = await query<{ hash: string; id: string; key: string; language: string }>(em, sql`
      select distinct on (v.content_hash, q.language) v.content_hash as hash, q.id, q.key, q.language
        from question_version v join question q on q.id = v.question_id
       where v.content_hash = any(${keyless.slice(at, at + PLAN_SLICE)}::text[]) order by v.content_hash, q.language, v.number desc`);
    for (const r of rows) hashMatches.set(`${r.language}\u0000${r.hash}`, { id: r.id, key: r.key });
  }
  const defaultCategory = normaliseCategory(input.category);
  const withDefaultCategory = (q: Question): Question => (q.category || !defaultCategory ? q : { ...q, category: defaultCategory });
  const seenInFile = new Map<string, number>();
  const planOne = (p: (typeof questions)[number], i: number) => {
    const q = p.question;
    const base = { line: p.line, key: q.key ?? null, type: q.type, stem: excerpt(q.stem, 120), changes: [] as string[], questionId: null as string | null, note: null as string | null, errors: [] as ReportError[] };
    const issues = validateQuestion(q, { mode: 'import', moduleIds: known }).map((x) => ({ path: x.path, code: x.code, params: x.params }));
    if (input.status === 'active' && (MANUALLY_GRADED_TYPES as readonly string[]).includes(q.type) && !(q as { rubric?: string }).rubric) {
      issues.push({ path: 'rubric', code: 'field.required', params: {} });
    }
    if (issues.length) {
      items.push({ ...base, action: 'error', errors: issues.map((x) => ({ ...(x.path ? { path: x.path } : {}), code: x.code, message: t(lang, x.code, x.params) })) });
      return;
    }
    const qLang = q.language ?? language;
    if (q.key) {
      const found = existing.get(`${qLang}\u0000${q.key}`);
      if (found) {
        // A file that does not file the question somewhere leaves it where it is.
        const update = { ...q, ...(q.category ? {} : found.category ? { category: found.category } : {}) } as Question;
        const changes = importChanges(found, update);
        items.push({ ...base, action: changes.length ? 'update' : 'unchanged', changes, questionId: found.id, question: update, existing: found });
        return;
      }
      items.push({ ...base, action: 'create', question: withDefaultCategory(q) });
      return;
    }
    const sameInFile = seenInFile.get(`${qLang}\u0000${hashes[i]}`);
    const match = hashMatches.get(`${qLang}\u0000${hashes[i]}`);
    if (match) {
      items.push({ ...base, action: 'unchanged', key: match.key, questionId: match.id, note: t(lang, 'bank.matches_existing', { key: match.key }) });
    } else if (sameInFile !== undefined) {
      items.push({ ...base, action: 'unchanged', note: t(lang, 'bank.same_as_line', { line: sameInFile }) });
    } else {
      seenInFile.set(`${qLang}\u0000${hashes[i]}`, p.line);
      items.push({ ...base, action: 'create', question: withDefaultCategory(q) });
    }
  };
  for (let i = 0; i < questions.length; i++) {
    await pause();
    planOne(questions[i], i);
  }

  const hasErrors = items.some((i) => i.action === 'error');
  const work = items.filter((i) => i.action === 'create' || i.action === 'update');
  if (input.dryRun || fileErrors.length || (hasErrors && !input.skipInvalid) || !work.length) return report(false);

  // What the new questions' rows hold (their renderings above all) is worked out before the transaction opens, so
  // that it stays open only for the writes (on PGlite, the one connection is the transaction's until it ends).
  const creates = work.filter((i) => i.action === 'create');
  const prepared = await prepareQuestions(creates.map((i): NewQuestion => ({
    question: { ...i.question!, language: i.question!.language ?? language }, status: input.status ?? 'draft', source: 'import', createdBy: actor.id,
  })));
  await em.transactional(async (tx) => {
    const inserted = await writeQuestions(tx, prepared);
    creates.forEach((item, k) => {
      // Keys the file did not have were generated: report them.
      if (inserted[k]) { item.questionId = prepared[k].id; item.key = prepared[k].key; } else item.action = 'unchanged';
    });
    for (const item of work.filter((i) => i.action === 'update')) {
      await pause();
      await exec(tx, sql`select 1 from question where id = ${item.existing!.id} for update`);
      const [fresh] = await loadQuestions(tx, [item.existing!.id]);
      await saveQuestion(tx, fresh, item.question!, { actorId: actor.id });
    }
  });
  return report(true);
}

/** What an import would change in a stored question: content fields, and category, tags and modules. */
function importChanges(stored: StoredQuestion, q: Question): string[] {
  const { content, meta } = splitQuestion(q);
  const changes = changedFields(stored.content, content);
  if ((normaliseCategory(meta.category) ?? '') !== (stored.category ?? '')) changes.push('category');
  if (stableStringify(meta.tags) !== stableStringify(stored.tags)) changes.push('tags');
  if (stableStringify([...meta.modules].sort()) !== stableStringify([...stored.modules].sort())) changes.push('modules');
  return changes;
}

// ---------- export ----------

export interface ExportInput {
  format: 'gift' | 'aiken' | 'csv' | 'xlsx';
  ids?: string[];
  filter?: QuestionFilterInput;
  header?: Lang;
  style?: 'moodle' | 'zh';
}

const MIME = { gift: 'text/plain; charset=utf-8', aiken: 'text/plain; charset=utf-8', csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;
const EXT = { gift: 'gift', aiken: 'txt', csv: 'csv', xlsx: 'xlsx' } as const;
const FORMAT_NAMES = { gift: 'GIFT', aiken: 'Aiken', csv: 'CSV', xlsx: 'XLSX' } as const;

export async function exportQuestions(em: EntityManager, actor: Actor, lang: Lang, input: ExportInput, now: Date) {
  assertAuthor(actor);
  const ids = input.ids ?? await matchingIds(em, input.filter ?? {});
  if (!ids.length) throw invalidField('ids', 'bank.empty_selection');
  const stored = await loadQuestions(em, ids);
  if (!stored.length) throw invalidField('ids', 'bank.empty_selection');
  const questions = stored.map((s) => s.question);
  let data: string | Buffer;
  let skipped: ExportSkip[];
  switch (input.format) {
    case 'gift': ({ text: data, skipped } = exportGift(questions)); break;
    case 'aiken': ({ text: data, skipped } = exportAiken(questions, { style: input.style ?? (lang === 'zh' ? 'zh' : 'moodle') })); break;
    case 'csv': ({ text: data, skipped } = exportCsvQuestions(questions, { header: input.header ?? lang })); break;
    case 'xlsx': ({ buffer: data, skipped } = await exportXlsxQuestions(questions, { header: input.header ?? lang })); break;
  }
  if (skipped.length === questions.length) throw new AppError(400, 'bank.export_none', { format: FORMAT_NAMES[input.format] });
  const stamp = now.toISOString().slice(0, 10).replace(/-/g, '');
  return {
    filename: `questions-${stamp}.${EXT[input.format]}`, mime: MIME[input.format], data,
    exported: questions.length - skipped.length,
    skipped: skipped.map((s) => ({ key: stored[s.index].key, reason: lang === 'zh' ? exportReasonsZh[s.params.reason] ?? s.params.reason : s.params.reason })),
  };
}

export async function questionTemplate(format: 'csv' | 'xlsx', header: Lang) {
  return format === 'csv'
    ? { filename: `question-template-${header}.csv`, mime: MIME.csv, data: templateCsv(header) as string | Buffer }
    : { filename: `question-template-${header}.xlsx`, mime: MIME.xlsx, data: await templateXlsx(header) as string | Buffer };
}
