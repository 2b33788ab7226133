import { describe, expect, it } from 'vitest';
import { hrefWith, offsetOf, readSearch, searchFor, type SearchSpec } from './url-state';

const SPEC = {
  q: { kind: 'text' },
  type: { kind: 'text' },
  assigned: { kind: 'flag' },
  page: { kind: 'int', default: 1, min: 1, max: 10_000 },
} as const satisfies SearchSpec;

describe('filters in the address', () => {
  it('reads typed values, with defaults for what is missing', () => {
    expect(readSearch(new URLSearchParams('q=%E7%94%B5%E8%AF%9D&assigned=1&page=3'), SPEC)).toEqual({ q: '电话', type: '', assigned: true, page: 3 });
    expect(readSearch(new URLSearchParams(''), SPEC)).toEqual({ q: '', type: '', assigned: false, page: 1 });
  });

  it('turns a malformed or out-of-range number into the default instead of a bad request', () => {
    for (const bad of ['0', '-2', 'abc', '2.5', '1e3', '99999999999999999999', '10001']) {
      expect(readSearch(new URLSearchParams({ page: bad }), SPEC).page, bad).toBe(1);
    }
    expect(readSearch(new URLSearchParams({ assigned: 'no' }), SPEC).assigned).toBe(false);
  });

  it('writes only what differs from the defaults, in a stable order', () => {
    expect(searchFor({ page: 1, q: '', assigned: false }, SPEC)).toBe('');
    expect(searchFor({ type: 'single_choice' }, SPEC)).toBe('?type=single_choice');
    expect(searchFor({ page: 2, assigned: true, q: 'a b' }, SPEC)).toBe('?q=a+b&assigned=1&page=2');
  });

  it('round-trips: what is written reads back the same', () => {
    const state = { q: '总量 & 浮动?', type: 'essay', assigned: true, page: 7 };
    expect(readSearch(new URLSearchParams(searchFor(state, SPEC)), SPEC)).toEqual(state);
  });

  it('changes one filter, keeps the others and starts again at page 1', () => {
    const url = new URL('http://x/bank?q=a&type=essay&page=4&stray=1');
    expect(hrefWith(url, SPEC, { type: 'ordering' }, 'page')).toBe('/bank?q=a&type=ordering');
    expect(hrefWith(url, SPEC, { page: 5 }, 'page')).toBe('/bank?q=a&type=essay&page=5');
    expect(hrefWith(url, SPEC, { q: '' })).toBe('/bank?type=essay&page=4');
  });

  it('maps page numbers to offsets', () => {
    expect(offsetOf(1, 50)).toBe(0);
    expect(offsetOf(3, 50)).toBe(100);
    expect(offsetOf(0, 50)).toBe(0);
  });
});
