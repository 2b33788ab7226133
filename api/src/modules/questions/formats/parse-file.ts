/** One entry to every import format: what the parse worker runs on an uploaded file. */
import { parseAiken } from './aiken.js';
import type { ImportIssue, ParsedQuestion } from './common.js';
import { parseGift } from './gift.js';
import { parseCsvQuestions, parseXlsxQuestions, type SheetIssue, type SheetParseOptions } from './spreadsheet.js';

export type FileFormat = 'gift' | 'aiken' | 'csv' | 'xlsx';
type Issue = ImportIssue & { column?: string };
export interface ParsedFile { questions: ParsedQuestion[]; errors: Issue[]; warnings: Issue[] }

const fromSheet = (i: SheetIssue): Issue => ({ line: i.row, code: i.code, params: i.params, ...(i.column ? { column: i.column } : {}) });

export async function parseQuestionFile(format: FileFormat, bytes: Buffer, opts: SheetParseOptions): Promise<ParsedFile> {
  switch (format) {
    case 'gift': { const r = parseGift(bytes, opts); return { questions: r.questions, errors: r.errors, warnings: [] }; }
    case 'aiken': { const r = parseAiken(bytes, opts); return { questions: r.questions, errors: r.errors, warnings: [] }; }
    case 'csv': { const r = parseCsvQuestions(bytes, opts); return { questions: r.questions, errors: r.errors.map(fromSheet), warnings: r.warnings.map(fromSheet) }; }
    case 'xlsx': { const r = await parseXlsxQuestions(bytes, opts); return { questions: r.questions, errors: r.errors.map(fromSheet), warnings: r.warnings.map(fromSheet) }; }
  }
}
