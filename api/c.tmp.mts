import { parse } from 'csv-parse/sync';
const tries = ['a,b\n1,2\n3,"open\n4,5\n', 'name,note\n"Zhang, Wei","says ""hi"""\n"multi\nline\nnote",x\nlast,y\n', 'a,b\n\n1,2\n   \n3,4\n', 'x,"abc"def,y\n', 'a,b"c,d\n', ' "q",x\n', 'a,b\r\n1,2\r\n'];
for (const t of tries) {
  const recs: unknown[] = [];
  try {
    const out = parse(t, { relax_column_count: true, relax_quotes: true, info: true, raw: true, skip_empty_lines: false, on_record: (r) => { recs.push(r); return r; } });
    console.log(JSON.stringify(out.map((o: { record: string[]; info: { lines: number }; raw: string }) => [o.record, o.info.lines, JSON.stringify(o.raw)])));
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    console.log('ERR', err.code, err.lines, err.message, recs.length);
  }
}
