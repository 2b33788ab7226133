// The parse worker of the roster import: decodes the upload and splits the CSV in its own thread (lib/worker.ts), so
// that a large file does not stall the server. Plain data in (the base64 text as sent), plain data out.
import { invalidField } from '../../lib/errors.js';
import { decodeTextFile, parseCsv, type CsvRecord } from '../../lib/text-file.js';
import { serveWorker } from '../../lib/worker.js';

export type RosterParse =
  | { ok: false; reason: 'import.empty' | 'import.not_text' | 'import.nul' }
  | { ok: true; records: CsvRecord[]; error?: { line: number; reason: string } };

serveWorker<string, RosterParse>((content) => {
  const decoded = decodeTextFile(Buffer.from(content, 'base64'));
  // A text with NUL is refused as bad input (400 naming the field), as a NUL typed into any other field is.
  if (!decoded.ok && decoded.reason === 'import.nul') throw invalidField('content', 'import.nul');
  if (!decoded.ok) return decoded;
  return { ok: true, ...parseCsv(decoded.text) };
});
