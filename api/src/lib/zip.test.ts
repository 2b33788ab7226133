import { crc32 } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../../tests/helpers/zip-reader.js';
import { unzippedSize, zipArchive } from './zip.js';

describe('zipArchive', () => {
  const text = Buffer.from('# 标题\n\n'.repeat(200), 'utf8');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
  const when = new Date('2026-03-04T05:06:08Z');

  it('writes an archive another reader lists from its central directory: names, sizes, CRCs, UTC dates', () => {
    const archive = zipArchive([
      { name: '01-track/02-模块/index.zh.md', data: text },
      { name: '01-track/02-模块/diagram.png', data: png },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ], when);
    const { bad, entries } = readZip(archive);
    expect(bad).toBeNull();
    expect(entries.map((e) => [e.name, e.size, e.crc, e.flagUtf8])).toEqual([
      ['01-track/02-模块/index.zh.md', text.length, crc32(text) >>> 0, true],
      ['01-track/02-模块/diagram.png', png.length, crc32(png) >>> 0, true],
      ['empty.txt', 0, 0, false],
    ]);
    expect(entries[0].data.equals(text)).toBe(true);
    expect(entries[1].data.equals(png)).toBe(true);
    // Text is deflated; an image is stored as it is.
    expect(entries[0].compressType).toBe(8);
    expect(entries[0].compressedSize).toBeLessThan(text.length / 10);
    expect(entries[1].compressType).toBe(0);
    // The DOS fields hold the UTC time, whatever the server's zone (DOS time is even seconds), and the extended
    // timestamp the exact instant.
    for (const e of entries) {
      expect(e.dateTime).toEqual([2026, 3, 4, 5, 6, 8]);
      expect(e.unixTime).toBe(when.getTime() / 1000);
    }
  });

  it('refuses two entries with one name', () => {
    expect(() => zipArchive([{ name: 'a.md', data: text }, { name: 'a.md', data: png }])).toThrow(/two entries/);
  });
});

describe('unzippedSize', () => {
  it('counts what an archive expands to', () => {
    const archive = zipArchive([{ name: 'a.txt', data: Buffer.alloc(100_000, 'x') }, { name: 'b.png', data: Buffer.alloc(5_000, 1) }]);
    expect(unzippedSize(archive, 1_000_000)).toEqual({ ok: true, bytes: 105_000 });
    expect(unzippedSize(archive, 104_999)).toEqual({ ok: false, reason: 'too_large' });
    expect(unzippedSize(Buffer.from('not a zip at all'), 1_000_000)).toEqual({ ok: false, reason: 'not_zip' });
  });

  it('stops a bomb whose central directory declares small sizes', () => {
    const bomb = Buffer.from(zipSync({ 'xl/worksheets/sheet1.xml': [new Uint8Array(50 * 1024 * 1024), { level: 1 }] }));
    // Rewrite the declared uncompressed size (central directory and local header) to 1 KB: only inflating tells.
    const central = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bomb.writeUInt32LE(1024, central + 24);
    bomb.writeUInt32LE(1024, 22);
    expect(unzippedSize(bomb, 10 * 1024 * 1024)).toEqual({ ok: false, reason: 'too_large' });
  });
});
