import type { SearchSpec } from '$lib/api/url-state';

/**
 * The grading screen's place, kept in the address (`/grading/<exam>?status=all&q=<version>&a=3`): whether names show
 * (`names`: the only one the load reads, so moving between answers or filtering fetches nothing), which answers show
 * (`status`), and where the grader is (`q`: the question version, `a`: the answer's number).
 */
export const LIST_SEARCH = {
  names: { kind: 'flag' },
} as const satisfies SearchSpec;

export const GRADING_SEARCH = {
  ...LIST_SEARCH,
  status: { kind: 'text', default: 'ungraded' },
  q: { kind: 'text' },
  a: { kind: 'int', default: 0, min: 0, max: 1_000_000 },
} as const satisfies SearchSpec;

export const STATUSES = ['ungraded', 'graded', 'all'] as const;
export type Status = (typeof STATUSES)[number];

export const statusOf = (v: string): Status => ((STATUSES as readonly string[]).includes(v) ? (v as Status) : 'ungraded');
