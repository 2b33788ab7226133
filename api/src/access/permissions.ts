import { isRole, type Role } from './roles.js';

/**
 * The permission table: every operation a route or a service guards names one of these, and only this table says
 * which roles hold it. Whose records a holder may touch is a separate question, answered by `scopeOf` (scope.ts).
 */
const TABLE = {
  /** Read the catalogue and modules, study them, log one's own study. */
  'learning.study': ['staff', 'trainer', 'manager', 'admin'],
  /** Write, revise, publish and archive modules; upload their assets; export them. */
  'modules.author': ['trainer', 'admin'],
  /** See people and org units (within scope). */
  'people.read': ['trainer', 'manager', 'admin'],
  /** Change a person's details (within scope; roles only for admins, see users.service.ts). */
  'people.update': ['manager', 'admin'],
  /** Create accounts, reset passwords, import the roster. */
  'people.admin': ['admin'],
  /** Create, move, rename and archive org units. */
  'org_units.manage': ['admin'],
  /** Record attendance, confirm or reject logged study, see monthly study totals (within scope). */
  'study.review': ['trainer', 'manager', 'admin'],
  /** Correct or withdraw attendance and study records, with a reason, and read their history (within scope). */
  'study.correct': ['trainer', 'manager', 'admin'],
  /** Assign modules and tracks and follow their completion (within scope). */
  'assignments.manage': ['trainer', 'manager', 'admin'],
  /** Change or withdraw assignments, with a reason, and read their history (those made within scope). */
  'assignments.correct': ['trainer', 'manager', 'admin'],
  /** Write, import and export bank questions. */
  'questions.manage': ['trainer', 'admin'],
  /** Define, schedule and publish exams, make-ups and per-person overrides (managers for their own subtree). */
  'exams.manage': ['trainer', 'manager', 'admin'],
  /** Take the exams whose audience reaches you, and see your own results as each exam's review policy allows. */
  'exams.take': ['staff', 'trainer', 'manager', 'admin'],
  /** Grade answers a machine cannot, regrade an exam, read attempts' integrity logs. */
  'exams.grade': ['trainer', 'admin'],
  /** Results, exports and item analysis of exams (within scope). */
  'exams.results': ['trainer', 'manager', 'admin'],
  /** Create, host and run contests (live, time-boxed, speech), and see their results (managers for their subtree). */
  'contests.host': ['trainer', 'manager', 'admin'],
  /** Play the contests whose audience reaches you, judge speech contests you are on the panel of. */
  'contests.play': ['staff', 'trainer', 'manager', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof TABLE;
export const PERMISSIONS = Object.keys(TABLE) as Permission[];

/** Whether a role holds a permission. An unknown role (a forged or stale token, a typo) holds nothing. */
export function roleCan(role: unknown, permission: Permission): boolean {
  if (!isRole(role)) return false;
  const roles: readonly Role[] = TABLE[permission];
  return roles !== undefined && roles.includes(role);
}

export const can = (actor: { role: unknown }, permission: Permission): boolean => roleCan(actor.role, permission);

/** Every permission an actor holds, for `/api/me`: the web app shows what these allow and lists no roles itself. */
export const permissionsOf = (actor: { role: unknown }): Permission[] => PERMISSIONS.filter((p) => can(actor, p));

/** The roles that hold a permission (for documentation and the access-matrix test). */
export const rolesWith = (permission: Permission): readonly Role[] => TABLE[permission];
