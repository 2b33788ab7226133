import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodeTextFile, guardCell, parseCsv, unguardCell, writeCsv } from './text-file.js';

describe('decodeTextFile', () => {
  it('reads UTF-8', () => {
    expect(decodeTextFile(Buffer.from('工号,姓名\n1,张三\n'))).toEqual({ ok: true, text: '工号,姓名\n1,张三\n', encoding: 'utf-8' });
  });

  it('drops a UTF-8 byte order mark', () => {
    const result = decodeTextFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('工号,姓名\n')]));
    expect(result).toEqual({ ok: true, text: '工号,姓名\n', encoding: 'utf-8' });
  });

  it('reads GB18030, as Excel writes Chinese CSV', () => {
    const text = '工号,姓名,岗位\r\n10001,欧阳锋,客户经理\r\n';
    const bytes = iconv.encode(text, 'gb18030');
    expect(bytes.equals(Buffer.from(text))).toBe(false);
    expect(decodeTextFile(bytes)).toEqual({ ok: true, text, encoding: 'gb18030' });
  });

  it('reads UTF-16LE with its byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('工号,姓名\n', 'utf16le')]);
    expect(decodeTextFile(bytes)).toEqual({ ok: true, text: '工号,姓名\n', encoding: 'utf-16le' });
  });

  it('refuses binary data', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(decodeTextFile(png)).toEqual({ ok: false, reason: 'import.not_text' });
    // No NUL, but full of control characters.
    const controls = Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41)));
    expect(decodeTextFile(controls)).toEqual({ ok: false, reason: 'import.not_text' });
  });

  it('calls an empty or blank file empty', () => {
    expect(decodeTextFile(Buffer.alloc(0))).toEqual({ ok: false, reason: 'import.empty' });
    expect(decodeTextFile(Buffer.from('\uFEFF \r\n\t\n'))).toEqual({ ok: false, reason: 'import.empty' });
  });
});

describe('parseCsv', () => {
  it('splits plain records and numbers their lines', () => {
    expect(parseCsv('a,b,c\r\n1,2,3\r\n4,5,6')).toEqual({
      records: [{ line: 1, fields: ['a', 'b', 'c'] }, { line: 2, fields: ['1', '2', '3'] }, { line: 3, fields: ['4', '5', '6'] }],
    });
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const { records, error } = parseCsv('name,note\n"Zhang, Wei","says ""hi"""\n"multi\nline\nnote",x\nlast,y\n');
    expect(error).toBeUndefined();
    expect(records).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Zhang, Wei', 'says "hi"'] },
      { line: 3, fields: ['multi\nline\nnote', 'x'] },
      // The record after a field spanning three lines starts on line 6.
      { line: 6, fields: ['last', 'y'] },
    ]);
  });

  it('skips blank lines but keeps counting them', () => {
    expect(parseCsv('a,b\n\n1,2\n   \n3,4\n').records.map((r) => r.line)).toEqual([1, 3, 5]);
  });

  it('keeps empty fields', () => {
    expect(parseCsv('a,b,c\n1,,3\n,,x').records.slice(1).map((r) => r.fields)).toEqual([['1', '', '3'], ['', '', 'x']]);
  });

  it('uses tab as the separator when the header has tabs and no comma', () => {
    expect(parseCsv('工号\t姓名\n10001\t张三, 李四\n').records).toEqual([
      { line: 1, fields: ['工号', '姓名'] },
      { line: 2, fields: ['10001', '张三, 李四'] },
    ]);
    expect(parseCsv('a;b\n1;2').records[1].fields).toEqual(['1', '2']);
  });

  it('reports an unbalanced quote at the line where it opened', () => {
    const { records, error } = parseCsv('a,b\n1,2\n3,"open\n4,5\n');
    expect(error).toEqual({ line: 3, reason: 'import.quote' });
    expect(records.map((r) => r.line)).toEqual([1, 2]);
  });
});

describe('writeCsv', () => {
  it('quotes only when needed, and round-trips through parseCsv', () => {
    const tricky = ['a,b', 'say "x"', 'two\nlines', 'cr\ronly', '张三', 'plain'];
    const text = writeCsv([['h1', 'h2', 'h3', 'h4', 'h5', 'h6'], tricky]);
    expect(text.startsWith('\uFEFFh1,h2,h3,h4,h5,h6\r\n')).toBe(true);
    expect(text.endsWith(',plain\r\n')).toBe(true);
    // Line breaks inside a cell read back as LF.
    expect(parseCsv(text.slice(1)).records.map((r) => r.fields)).toEqual([['h1', 'h2', 'h3', 'h4', 'h5', 'h6'], tricky.map((f) => f.replace(/\r/g, '\n'))]);
  });

  it('guards every cell a spreadsheet would run as a formula, and the guard reads back off', () => {
    // (A leading carriage return is guarded too, below; inside CSV it reads back as a line feed, so not here.)
    expect(guardCell('\rCR')).toBe("'\rCR");
    const dangerous = ['=HYPERLINK("http://x","y")', '+1+2', '-3+4', '@SUM(A1)', '\tTab', "'=already quoted", "''-twice"];
    const safe = ['plain', "'just a quote", ' =space first', '5-3', 'a=b'];
    const text = writeCsv([[...dangerous, ...safe]]);
    const [record] = parseCsv(text.slice(1)).records;
    record.fields.slice(0, dangerous.length).forEach((f, i) => expect(f, dangerous[i]).toBe(`'${dangerous[i]}`));
    expect(record.fields.slice(dangerous.length)).toEqual(safe);
    expect(record.fields.map(unguardCell)).toEqual([...dangerous, ...safe]);
    for (const v of [...dangerous, ...safe, '\rCR']) expect(unguardCell(guardCell(v))).toBe(v);
  });
});
