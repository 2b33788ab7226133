// Reads a ZIP with Python's zipfile: a reader independent of the one that wrote it (fflate), which checks the central
// directory (names, sizes, CRC-32 of every entry; testzip() inflates each and compares its CRC), not the local headers
// a writer's mirror would read.
import { execFileSync } from 'node:child_process';

export interface ZipListing {
  name: string; size: number; compressedSize: number; crc: number; compressType: number;
  /** The DOS date and time fields, as written: [year, month, day, hour, minute, second]. */
  dateTime: number[];
  /** Info-ZIP extended timestamp (0x5455), UTC Unix seconds, when present. */
  unixTime: number | null;
  /** General-purpose flag bit 11: the name is UTF-8. */
  flagUtf8: boolean;
  data: Buffer;
}

const SCRIPT = String.raw`
import base64, json, struct, sys, zipfile, io
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
bad = z.testzip()
out = []
for i in z.infolist():
    unix = None
    x = i.extra
    while len(x) >= 4:
        hid, ln = struct.unpack('<HH', x[:4])
        if hid == 0x5455 and ln >= 5 and x[4] & 1:
            unix = struct.unpack('<I', x[5:9])[0]
        x = x[4 + ln:]
    out.append({'name': i.filename, 'size': i.file_size, 'compressedSize': i.compress_size, 'crc': i.CRC,
                'compressType': i.compress_type, 'dateTime': list(i.date_time), 'unixTime': unix,
                'flagUtf8': bool(i.flag_bits & 0x800), 'data': base64.b64encode(z.read(i)).decode()})
json.dump({'bad': bad, 'entries': out, 'count': len(z.infolist())}, sys.stdout)
`;

export function readZip(archive: Buffer): { bad: string | null; entries: ZipListing[] } {
  const json = execFileSync('python3', ['-c', SCRIPT], { input: archive, maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
  const parsed = JSON.parse(json) as { bad: string | null; entries: (Omit<ZipListing, 'data'> & { data: string })[] };
  return { bad: parsed.bad, entries: parsed.entries.map((e) => ({ ...e, data: Buffer.from(e.data, 'base64') })) };
}
