/**
 * How much one import may hold: the uploaded file's size, the number of rows or questions, and (for XLSX, a ZIP) the
 * size it expands to. The numbers live in /import-limits.json, which the web app's import screens read too, so what a
 * screen states is what the server enforces. Exceeding one is the client's problem: 413 problem+json whose detail
 * names the limit, with the `content` field in `errors`.
 */
import limits from '../../../import-limits.json' with { type: 'json' };
import { AppError } from './errors.js';
import { registerMessages } from './i18n.js';

export const QUESTION_IMPORT_LIMITS = limits.questions;
export const ROSTER_IMPORT_LIMITS = limits.roster;

/** `10485760` → `10 MB` (binary megabytes, as file managers show them). */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** The base64 length of a file of `bytes` bytes: what a JSON body's `content` field holds. */
export const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

export type ImportLimitCode = 'import.file_too_large' | 'import.too_many_rows' | 'import.unzipped_too_large';
export const IMPORT_LIMIT_CODES: readonly string[] = ['import.file_too_large', 'import.too_many_rows', 'import.unzipped_too_large'];

/** The refusal of a file over one of the limits; `limit` is already readable ("10 MB", "20000"). */
export function importLimitExceeded(code: ImportLimitCode, limit: string | number): AppError {
  const params = { limit: typeof limit === 'number' ? limit.toLocaleString('en-US') : limit };
  return new AppError(413, code, params, [{ path: 'content', reason: code, params }]);
}

export const importLimitMessages: Record<string, { zh: string; en: string }> = {
  'import.file_too_large': { zh: '文件超过 {limit}（导入的上限）', en: 'the file is larger than {limit}, the most one import takes' },
  'import.too_many_rows': {
    zh: '文件超过 {limit} 条（行或题），这是一次导入的上限；请拆分成几个文件',
    en: 'the file holds more than {limit} entries (rows or questions), the most one import takes; split it into several files',
  },
  'import.unzipped_too_large': {
    zh: 'Excel 文件解压后超过 {limit}（导入的上限）',
    en: 'the Excel file expands to more than {limit}, the most one import takes',
  },
  'import.nul': { zh: '文件中含有 NUL 字符（U+0000），无法保存', en: 'the file contains NUL characters (U+0000), which cannot be stored' },
  'import.busy': { zh: '正在处理的导入太多，请稍后再试。', en: 'Too many imports are being read right now; try again shortly.' },
  'import.too_slow': { zh: '文件处理超时（{seconds} 秒），请拆分成几个文件', en: 'reading the file took longer than {seconds} seconds; split it into several files' },
  'import.too_complex': { zh: '文件处理所需内存超过上限，请拆分成几个文件', en: 'reading the file needs more memory than an import may use; split it into several files' },
};
registerMessages(importLimitMessages);
