import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';

export type DecodeResult = { ok: true; text: string; encoding: 'utf-8' | 'gb18030' | 'utf-16le' } | { ok: false; reason: 'import.empty' | 'import.not_text' | 'import.nul' };

/**
 * Decodes an uploaded text file. UTF-8 (with or without BOM) first; otherwise GB18030, which is what Excel and WPS
 * write for Chinese CSV. Anything with NUL bytes or other control characters is refused as binary.
 */
export function decodeTextFile(bytes: Buffer): DecodeResult {
  if (bytes.length === 0) return { ok: false, reason: 'import.empty' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    const text = bytes.subarray(2).toString('utf16le');
    // A NUL cannot be stored in PostgreSQL text: the file is refused, not a row of it half-saved.
    if (text.includes('\u0000')) return { ok: false, reason: 'import.nul' };
    return looksLikeText(text) ? { ok: true, text, encoding: 'utf-16le' } : { ok: false, reason: 'import.not_text' };
  }
  if (bytes.includes(0)) return { ok: false, reason: 'import.not_text' };
  let text: string;
  let encoding: 'utf-8' | 'gb18030' = 'utf-8';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(bytes, 'gb18030');
    encoding = 'gb18030';
  }
  text = text.replace(/^\uFEFF/, '');
  if (!text.trim()) return { ok: false, reason: 'import.empty' };
  return looksLikeText(text) ? { ok: true, text, encoding } : { ok: false, reason: 'import.not_text' };
}

function looksLikeText(text: string): boolean {
  // Control characters other than tab, line feed, carriage return and form feed mean binary data.
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\u0000-\u0008\u000B\u000E-\u001F\u007F\uFFFD]/g)?.length ?? 0;
  return controls === 0 || controls / text.length < 0.001;
}

export interface CsvRecord { line: number; fields: string[] }

/**
 * RFC 4180 CSV (csv-parse): quoted fields may hold commas, quotes ("") and line breaks. A record's `line` is the line
 * it starts on (1-based); blank records are skipped (their lines still count). Separator: comma, or tab/semicolon
 * when the header uses one of those and no comma. An unclosed quote ends the records at the one it opened, reported as
 * `import.quote` at that record's first line.
 */
export function parseCsv(input: string): { records: CsvRecord[]; error?: { line: number; reason: string } } {
  // One kind of line end: csv-parse counts a CRLF inside a quoted field as two lines, which would shift every line
  // number after it (and a cell's line breaks are read as LF anyway).
  const text = input.replace(/\r\n?/g, '\n');
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length);
  const delimiter = firstLine.includes(',') ? ',' : firstLine.includes('\t') ? '\t' : firstLine.includes(';') ? ';' : ',';
  const records: CsvRecord[] = [];
  let lastLine = 0;
  try {
    parse(text, {
      delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false,
      on_record: (record, context) => {
        // `lines` counts to the record's end: step back over the line breaks inside its (quoted) fields.
        const inside = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
        lastLine = context.lines;
        if (record.some((f) => f.trim() !== '')) records.push({ line: context.lines - inside, fields: record });
        return null;
      },
    });
  } catch (err) {
    if (err instanceof CsvError) return { records, error: { line: lastLine + 1, reason: 'import.quote' } };
    throw err;
  }
  return { records };
}

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first) starts with
 * `'`, which Excel and WPS show as text. A value that already starts with quotes before such a character gets one
 * more, so that `unguardCell` gives back exactly what was written, whatever it was.
 */
export const guardCell = (v: string) => (/^'*[=+\-@\t\r]/.test(v) ? `'${v}` : v);
/** The value of a cell `guardCell` wrote (a cell that never was guarded is returned as it is). */
export const unguardCell = (v: string) => (/^'+[=+\-@\t\r]/.test(v) ? v.slice(1) : v);

/**
 * CSV text of `rows` (csv-stringify), every cell guarded against formula injection, CRLF line ends and, for Excel to
 * read it as UTF-8, a byte order mark.
 */
export function writeCsv(rows: string[][]): string {
  return '\uFEFF' + stringify(rows, { record_delimiter: '\r\n', quote_record_delimiter: true, cast: { string: guardCell } });
}
