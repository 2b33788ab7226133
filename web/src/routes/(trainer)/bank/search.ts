import type { ApiQuery } from '$lib/api/client';
import type { SearchSpec, SearchState } from '$lib/api/url-state';

/** The bank's filters and page number, kept in the address (`/bank?type=single_choice&page=2`). */
export const BANK_SEARCH = {
  q: { kind: 'text' },
  categoryId: { kind: 'text' },
  tag: { kind: 'text' },
  type: { kind: 'text' },
  difficulty: { kind: 'text' },
  status: { kind: 'text' },
  language: { kind: 'text' },
  module: { kind: 'text' },
  page: { kind: 'int', default: 1, min: 1, max: 100_000 },
} as const satisfies SearchSpec;

export const BANK_PAGE_SIZE = 50;

type ListQuery = NonNullable<ApiQuery<'/api/questions'>>;

/** The filters as the list operation takes them: empty ones left out, values the API does not know passed as given (it answers 400 naming the field). */
export function listQuery(f: SearchState<typeof BANK_SEARCH>): ListQuery {
  const query: Record<string, string | number> = {};
  for (const k of ['q', 'categoryId', 'tag', 'type', 'status', 'language', 'module'] as const) if (f[k]) query[k] = f[k];
  if (f.difficulty) query.difficulty = Number(f.difficulty);
  return query as ListQuery;
}
