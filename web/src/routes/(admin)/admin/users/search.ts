import type { SearchSpec } from '$lib/api/url-state';

/** The people list's filters and page number, kept in the address (`/admin/users?q=…&unit=…&page=2`). */
export const USERS_SEARCH = {
  q: { kind: 'text' },
  unit: { kind: 'text' },
  role: { kind: 'text' },
  page: { kind: 'int', default: 1, min: 1, max: 100_000 },
} as const satisfies SearchSpec;

export const USERS_PAGE_SIZE = 25;
