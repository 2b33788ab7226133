/**
 * ZIP archives through fflate: writing a module's files for export, and measuring what an uploaded archive (an XLSX
 * workbook) expands to before anything else inflates it.
 *
 * fflate writes classic ZIP: no ZIP64 records, so at most 65,535 entries and 4 GiB per entry and per archive (it reads
 * ZIP64 archives, but never writes one). An exported module holds a few text files and images far below that;
 * `zipArchive` refuses anything bigger rather than write a broken archive.
 */
import { Unzip, UnzipInflate, unzipSync, zipSync, type Zippable } from 'fflate';

export interface ZipEntry { name: string; data: Buffer | Uint8Array }

const ZIP32_MAX = 0xffff_ffff;
/** Formats that are compressed already: stored as they are, deflating them again only costs time. */
const STORED = /\.(png|jpe?g|gif|webp|avif|mp[34]|zip|xlsx|docx|pptx|gz|pdf)$/i;

/** The Info-ZIP extended timestamp (extra field 0x5455): the modification time as UTC Unix seconds. */
function extendedTimestamp(date: Date): Uint8Array {
  const field = new Uint8Array(5);
  const view = new DataView(field.buffer);
  field[0] = 1; // flags: modification time present
  view.setUint32(1, Math.floor(date.getTime() / 1000), true);
  return field;
}

/**
 * A ZIP of `entries` (names with `/` between folders, UTF-8). Every entry carries `date` twice: in the DOS date and
 * time fields, written in UTC so that the archive does not depend on the server's time zone (DOS time has no zone; a
 * reader shows it as it stands), and exactly, in UTC, as an extended timestamp that unzip and 7-Zip use.
 */
export function zipArchive(entries: ZipEntry[], date = new Date()): Buffer {
  if (entries.length > 0xffff) throw new Error(`a ZIP without ZIP64 holds at most 65,535 entries, not ${entries.length}`);
  const total = entries.reduce((n, e) => n + e.data.length, 0);
  if (total > ZIP32_MAX) throw new Error('a ZIP without ZIP64 holds at most 4 GiB');
  // fflate writes the DOS fields from the Date's local-time parts: shift the instant so those parts read as UTC.
  const utcParts = new Date(date.getTime() + date.getTimezoneOffset() * 60_000);
  const extra = { 0x5455: extendedTimestamp(date) };
  const files: Zippable = {};
  for (const e of entries) {
    if (Object.hasOwn(files, e.name)) throw new Error(`two entries named ${e.name}`);
    const data = e.data instanceof Uint8Array ? e.data : new Uint8Array(e.data);
    files[e.name] = [data, { level: STORED.test(e.name) ? 0 : 6, mtime: utcParts, extra }];
  }
  return Buffer.from(zipSync(files));
}

export type UnzippedSize = { ok: true; bytes: number } | { ok: false; reason: 'not_zip' | 'too_large' };

/**
 * What a ZIP expands to, refusing past `limit` bytes. Both the sizes the central directory declares and the bytes
 * that inflating really yields are counted (a crafted archive can declare small sizes and inflate to gigabytes); the
 * inflating stops as soon as the count passes the limit, so a ZIP bomb costs at most `limit` bytes of work.
 */
export function unzippedSize(bytes: Uint8Array, limit: number): UnzippedSize {
  let declared = 0;
  try {
    // The filter sees every central-directory entry and extracts none.
    unzipSync(bytes, { filter: (f) => { declared += f.originalSize; return false; } });
  } catch {
    return { ok: false, reason: 'not_zip' };
  }
  if (declared > limit) return { ok: false, reason: 'too_large' };
  let inflated = 0;
  let failed = false;
  let tooLarge = false;
  const unzip = new Unzip((file) => {
    file.ondata = (err, chunk) => {
      if (err) { failed = true; return; }
      inflated += chunk.length;
      if (inflated > limit && !tooLarge) { tooLarge = true; file.terminate(); }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    // In slices, so that the check between slices stops a bomb early.
    const step = 256 * 1024;
    for (let at = 0; at < bytes.length && !tooLarge; at += step) unzip.push(bytes.subarray(at, at + step), at + step >= bytes.length);
  } catch {
    failed = true;
  }
  if (tooLarge) return { ok: false, reason: 'too_large' };
  if (failed) return { ok: false, reason: 'not_zip' };
  return { ok: true, bytes: inflated };
}
