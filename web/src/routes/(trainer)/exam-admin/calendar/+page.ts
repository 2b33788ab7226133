import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import { readSearch } from '$lib/api/url-state';
import type { PageLoad } from './$types';

/** The year shown, kept in the address (`/exam-admin/calendar?year=2026`); this year by default. */
const CALENDAR_SEARCH = { year: { kind: 'int', default: new Date().getFullYear(), min: 1900, max: 2999 } } as const;

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:lang', 'app:exams');
  const { year } = readSearch(url.searchParams, CALENDAR_SEARCH);
  const calendar = await api.get('/api/exams/calendar', { fetch, query: { year } }).catch(pageError);
  return { calendar };
};
