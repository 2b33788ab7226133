import type { Me, Permission } from './client';

/** Pages anyone may open, signed in or not. */
export const PUBLIC_PATHS = ['/login'];

/**
 * The permission each part of the app needs, by path prefix, most specific first. The permissions come from
 * `/api/me` (the API's one permission table); the web app names no roles.
 */
const PAGE_PERMISSIONS: readonly (readonly [string, Permission])[] = [
  ['/study/review', 'study.review'],
  ['/study', 'learning.study'],
  ['/learn', 'learning.study'],
  ['/exams', 'exams.take'],
  ['/author', 'modules.author'],
  ['/bank', 'questions.manage'],
  ['/grading', 'exams.grade'],
  ['/assignments', 'assignments.manage'],
  ['/exam-admin', 'exams.manage'],
  ['/contest-admin', 'contests.host'],
  ['/contests', 'contests.play'],
  ['/speech/new', 'contests.host'],
  ['/speech', 'contests.play'],
  ['/admin/users', 'people.read'],
  ['/admin/org-units', 'org_units.manage'],
  ['/admin/import', 'people.admin'],
];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + '/');

export function can(me: Pick<Me, 'permissions'> | null, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}

const areaOf = (path: string) => PAGE_PERMISSIONS.find(([prefix]) => under(path, prefix));

/** The permission a path needs, or null when being signed in is enough. */
export function permissionFor(path: string): Permission | null {
  return areaOf(path)?.[1] ?? null;
}

export function canOpen(me: Pick<Me, 'permissions'> | null, path: string): boolean {
  if (PUBLIC_PATHS.includes(path)) return true;
  if (!me) return false;
  const needed = permissionFor(path);
  return needed === null || can(me, needed);
}

/** The home page, saying which part of the app was refused (`/?denied=/bank`), so it can tell the person why. */
export const deniedHref = (area: string) => '/?' + new URLSearchParams({ denied: area }).toString();

/** The part of the app a `denied` parameter names, if it is one of ours (anything else shows nothing). */
export function deniedArea(param: string | null): string | null {
  return PAGE_PERMISSIONS.some(([prefix]) => prefix === param) ? param : null;
}

/**
 * Where to send someone who asks for `path`, or null to let them in: signed-out people go to the login page, an
 * initial password must be changed first, and a page the actor has no permission for goes to the home page, which
 * says so.
 */
export function redirectFor(me: Pick<Me, 'permissions' | 'mustChangePassword'> | null, path: string): string | null {
  if (PUBLIC_PATHS.includes(path)) return null;
  if (!me) return '/login';
  if (me.mustChangePassword) return path === '/account' ? null : '/account';
  return canOpen(me, path) ? null : deniedHref(areaOf(path)![0]);
}

export type Dashboard = 'admin' | 'team' | 'people' | 'learner';

/**
 * Which home page someone gets, from what they may do: administering accounts, looking after a team (changing its
 * people's details), seeing people (training them), or learning.
 */
export function dashboardOf(me: Pick<Me, 'permissions'>): Dashboard {
  if (can(me, 'people.admin')) return 'admin';
  if (can(me, 'people.update')) return 'team';
  if (can(me, 'people.read')) return 'people';
  return 'learner';
}
