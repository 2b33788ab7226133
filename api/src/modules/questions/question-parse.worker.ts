// The parse worker of the question import: decodes the upload and reads it in its own thread (lib/worker.ts), so that
// a large workbook does not stall the server. Plain data in (the base64 text as sent), plain data out.
import { serveWorker } from '../../lib/worker.js';
import { parseQuestionFile, type FileFormat, type ParsedFile } from './formats/parse-file.js';
import type { SheetParseOptions } from './formats/spreadsheet.js';

export interface ParseRequest { format: FileFormat; content: string; opts: SheetParseOptions }

serveWorker<ParseRequest, ParsedFile>((req) => parseQuestionFile(req.format, Buffer.from(req.content, 'base64'), req.opts));
