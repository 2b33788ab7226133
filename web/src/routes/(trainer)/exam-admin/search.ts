import type { SearchSpec } from '$lib/api/url-state';

/** The exam list's filters and page number, kept in the address (`/exam-admin?period=2026-11&state=closed&page=2`). */
export const EXAMS_SEARCH = {
  period: { kind: 'text' },
  state: { kind: 'text' },
  kind: { kind: 'text' },
  page: { kind: 'int', default: 1, min: 1, max: 100_000 },
} as const satisfies SearchSpec;

export const EXAMS_PAGE_SIZE = 25;
