/**
 * Filters and page numbers live in the address (search parameters), so that reload, a bookmark and "back" return
 * to the same list. A page declares its fields once; `readSearch` turns the address into typed values (anything
 * malformed becomes the default) and `searchFor` writes them back, leaving out defaults so addresses stay short.
 */
export type FieldSpec =
  | { kind: 'text'; default?: string }
  | { kind: 'int'; default: number; min?: number; max?: number }
  | { kind: 'flag' };

export type SearchSpec = Record<string, FieldSpec>;

type ValueOf<F extends FieldSpec> = F extends { kind: 'int' } ? number : F extends { kind: 'flag' } ? boolean : string;
export type SearchState<S extends SearchSpec> = { [K in keyof S]: ValueOf<S[K]> };

function defaultOf(f: FieldSpec): string | number | boolean {
  return f.kind === 'int' ? f.default : f.kind === 'flag' ? false : (f.default ?? '');
}

function parse(f: FieldSpec, raw: string | null): string | number | boolean {
  if (raw === null) return defaultOf(f);
  if (f.kind === 'flag') return raw === '1' || raw === 'true';
  if (f.kind === 'int') {
    if (!/^-?\d{1,15}$/.test(raw)) return f.default;
    const n = Number(raw);
    if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) return f.default;
    return n;
  }
  return raw;
}

export function readSearch<S extends SearchSpec>(params: URLSearchParams, spec: S): SearchState<S> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, f] of Object.entries(spec)) out[name] = parse(f, params.get(name));
  return out as SearchState<S>;
}

/** `?a=1&b=x` for the values that differ from their defaults (in the spec's order), or '' when none do. */
export function searchFor<S extends SearchSpec>(state: Partial<SearchState<S>>, spec: S): string {
  const params = new URLSearchParams();
  for (const [name, f] of Object.entries(spec)) {
    const v = (state as Record<string, string | number | boolean | undefined>)[name];
    if (v === undefined || v === defaultOf(f) || v === '' || v === false) continue;
    params.set(name, f.kind === 'flag' ? '1' : String(v));
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/**
 * The address after changing some fields of the current one: other fields keep their values, and unless the change
 * names `resetTo`'s field itself (usually the page number), that field goes back to its default, because a new
 * filter starts again at page 1.
 */
export function hrefWith<S extends SearchSpec>(url: URL, spec: S, changes: Partial<SearchState<S>>, resetTo?: keyof S): string {
  const next = { ...readSearch(url.searchParams, spec), ...changes } as Record<string, string | number | boolean>;
  if (resetTo !== undefined && !(resetTo in changes)) next[resetTo as string] = defaultOf(spec[resetTo]);
  return url.pathname + searchFor(next as Partial<SearchState<S>>, spec);
}

/** The list offset for a 1-based page number. */
export const offsetOf = (page: number, size: number) => (Math.max(1, page) - 1) * size;
