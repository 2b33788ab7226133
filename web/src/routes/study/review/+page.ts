import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

const isoDay = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
const thisMonth = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 7);

// The unit, the month and the page of the monthly totals live in the address (`/study/review?unit=…&month=2026-11&offset=50`).
const MONTHLY_PAGE = 50;
export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:lang', 'app:study-review');
  const unitId = url.searchParams.get('unit') ?? '';
  const asked = url.searchParams.get('month') ?? '';
  const month = /^\d{4}-(0[1-9]|1[0-2])$/.test(asked) ? asked : thisMonth();
  const orgUnitId = unitId || undefined;
  // Anything but a whole number from 0 to 10 million is the first page, not a request the API must refuse.
  const asOffset = url.searchParams.get('offset') ?? '';
  const offset = /^\d{1,8}$/.test(asOffset) && Number(asOffset) <= 10_000_000 ? Number(asOffset) : 0;
  // Attendance recorded in the last 31 days, newest first: where a mistake is found and corrected.
  const from = isoDay(new Date(Date.now() - 31 * 86400_000));
  const [units, people, pending, monthly, recent] = await Promise.all([
    api.get('/api/org-units', { fetch }),
    api.get('/api/users', { fetch, query: { role: 'staff', disabled: false, orgUnitId, limit: 500 } }),
    api.get('/api/study-sessions', { fetch, query: { status: 'logged', limit: 200 } }),
    api.get('/api/study/monthly', { fetch, query: { month, orgUnitId, limit: MONTHLY_PAGE, offset } }),
    api.get('/api/study-sessions', { fetch, query: { status: 'confirmed', from, limit: 50 } }),
  ]).catch(pageError);
  return { unitId, month, units: units.items, people: people.items, peopleTotal: people.total, pending: pending.items, monthly: monthly.items, monthlyTotal: monthly.total, offset, size: MONTHLY_PAGE, recent: recent.items, recentTotal: recent.total };
};
