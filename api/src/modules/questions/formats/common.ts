/** What the import/export formats share: result shapes, decoding, and turning a parsed question into a checked one. */
import { invalidField } from '../../../lib/errors.js';
import { decodeTextFile } from '../../../lib/text-file.js';
import {
  normaliseQuestion, validateQuestion, type Lang, type Question, type QuestionInput,
} from '../question-model.js';

export interface ParsedQuestion {
  /** 1-based line (GIFT, Aiken) or row (CSV, XLSX) where the question starts. */
  line: number;
  question: Question;
}

/** A problem found while importing. `line` 0 means the file as a whole. */
export interface ImportIssue {
  line: number;
  code: string;
  params: Record<string, unknown>;
}

export interface ParseResult {
  questions: ParsedQuestion[];
  errors: ImportIssue[];
}

export interface ParseOptions {
  /** Language of questions that do not state one. */
  defaultLanguage?: Lang;
  /** Points for questions that do not state them (1). */
  defaultPoints?: number;
  /** Difficulty for questions that do not state it (3). */
  defaultDifficulty?: number;
  /**
   * The most questions (CSV, XLSX: data rows) one file may hold; beyond it the file is refused as a whole with one
   * `import.too_many_rows` issue at line 0 and no questions. Absent: no limit.
   */
  maxRows?: number;
}

/** The one issue of a file over `maxRows`. */
export const tooManyRows = (limit: number): ImportIssue => ({ line: 0, code: 'import.too_many_rows', params: { limit } });

export interface ExportSkip {
  /** Index in the array given to the exporter. */
  index: number;
  key?: string;
  code: 'export.not_exportable';
  params: { format: string; reason: string };
}

export interface ExportResult {
  text: string;
  /** Questions the format cannot hold; they are left out of `text`. */
  skipped: ExportSkip[];
}

/** Accepts text or uploaded bytes (UTF-8 with or without BOM, GB18030, UTF-16LE; binary is refused). */
export function readText(input: string | Buffer | Uint8Array): { ok: true; text: string } | { ok: false; issue: ImportIssue } {
  if (typeof input === 'string') {
    const text = input.replace(/^\uFEFF/, '');
    if (!text.trim()) return { ok: false, issue: { line: 0, code: 'import.empty', params: {} } };
    return { ok: true, text };
  }
  const decoded = decodeTextFile(Buffer.isBuffer(input) ? input : Buffer.from(input));
  // A text with NUL is refused as bad input (400 naming the field), as a NUL typed into any other field is.
  if (!decoded.ok && decoded.reason === 'import.nul') throw invalidField('content', 'import.nul');
  if (!decoded.ok) return { ok: false, issue: { line: 0, code: decoded.reason, params: {} } };
  return { ok: true, text: decoded.text };
}

/**
 * Normalises a parsed question and checks it with the import rules; a question with issues is not returned, its
 * issues are reported at `line` with the field path in params. Keys repeated in one file are reported too.
 */
export class QuestionCollector {
  readonly questions: ParsedQuestion[] = [];
  readonly errors: ImportIssue[] = [];
  private keys = new Map<string, number>();
  private offered = 0;

  constructor(private opts: ParseOptions) {}

  defaults(): Pick<QuestionInput, 'points' | 'difficulty' | 'language'> {
    return {
      points: this.opts.defaultPoints ?? 1,
      difficulty: this.opts.defaultDifficulty ?? 3,
      ...(this.opts.defaultLanguage ? { language: this.opts.defaultLanguage } : {}),
    };
  }

  error(line: number, code: string, params: Record<string, unknown> = {}) {
    this.errors.push({ line, code, params });
  }

  /** Returns the issues (with their paths) so that a caller can add more context (like a column); empty when added. */
  add(input: QuestionInput, line: number, pathToParams: (path: string) => Record<string, unknown> = (path) => ({ path })): boolean {
    // Past the limit the file is refused anyway: stop doing the work.
    if (this.overLimit() || ++this.offered > (this.opts.maxRows ?? Infinity)) return false;
    const question = normaliseQuestion(input, { language: this.opts.defaultLanguage });
    const issues = validateQuestion(question, { mode: 'import' });
    for (const issue of issues) this.error(line, issue.code, { ...issue.params, ...pathToParams(issue.path) });
    if (issues.length) return false;
    if (question.key) {
      const first = this.keys.get(question.key);
      if (first !== undefined) {
        this.error(line, 'import.duplicate_key', { key: question.key, line: first, ...pathToParams('key') });
        return false;
      }
      this.keys.set(question.key, line);
    }
    this.questions.push({ line, question });
    return true;
  }

  /** Whether more questions were offered than `maxRows` allows. */
  overLimit(): boolean {
    return this.offered > (this.opts.maxRows ?? Infinity);
  }

  result(): ParseResult {
    if (this.overLimit()) return { questions: [], errors: [tooManyRows(this.opts.maxRows!)] };
    if (this.questions.length === 0 && this.errors.length === 0) this.error(0, 'import.no_questions');
    this.errors.sort((a, b) => a.line - b.line);
    return { questions: this.questions, errors: this.errors };
  }
}

export const notExportable = (index: number, q: Question, format: string, reason: string): ExportSkip => ({
  index, ...(q.key ? { key: q.key } : {}), code: 'export.not_exportable', params: { format, reason },
});
