import type { SearchSpec } from '$lib/api/url-state';

/** The catalogue's filters, kept in the address (`/learn?q=…&track=…`). */
export const LEARN_SEARCH = {
  q: { kind: 'text' },
  track: { kind: 'text' },
  tag: { kind: 'text' },
  assigned: { kind: 'flag' },
  unfinished: { kind: 'flag' },
} as const satisfies SearchSpec;
