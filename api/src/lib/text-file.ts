import iconv from 'iconv-lite';

export type DecodeResult = { ok: true; text: string; encoding: 'utf-8' | 'gb18030' | 'utf-16le' } | { ok: false; reason: 'import.empty' | 'import.not_text' };

/**
 * Decodes an uploaded text file. UTF-8 (with or without BOM) first; otherwise GB18030, which is what Excel and WPS
 * write for Chinese CSV. Anything with NUL bytes or other control characters is refused as binary.
 */
export function decodeTextFile(bytes: Buffer): DecodeResult {
  if (bytes.length === 0) return { ok: false, reason: 'import.empty' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    const text = bytes.subarray(2).toString('utf16le');
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
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. A record's `line` is the line it starts
 * on (1-based). Separator: comma, or tab/semicolon when the header uses one of those and no comma.
 */
export function parseCsv(text: string): { records: CsvRecord[]; error?: { line: number; reason: string } } {
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length);
  const sep = firstLine.includes(',') ? ',' : firstLine.includes('\t') ? '\t' : firstLine.includes(';') ? ';' : ',';
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let quoteStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field.trim() === '') { inQuotes = true; field = ''; quoteStart = line; continue; }
    if (c === sep) { fields.push(field); field = ''; continue; }
    if (c === '\r') continue;
    if (c === '\n') {
      fields.push(field);
      if (fields.some((f) => f.trim() !== '')) records.push({ line: recordLine, fields });
      fields = []; field = ''; line++; recordLine = line;
      continue;
    }
    field += c;
  }
  if (inQuotes) return { records, error: { line: quoteStart, reason: 'import.quote' } };
  fields.push(field);
  if (fields.some((f) => f.trim() !== '')) records.push({ line: recordLine, fields });
  return { records };
}

/** Quotes a CSV field when it needs it. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
