import type { SearchSpec } from '$lib/api/url-state';

/** The module list's filters, kept in the address (`/author?q=…&track=…&status=…`). */
export const AUTHOR_SEARCH = {
  q: { kind: 'text' },
  track: { kind: 'text' },
  status: { kind: 'text' },
} as const satisfies SearchSpec;
