import type { EntityManager } from '@mikro-orm/core';
import { query, sql, type SqlFragment } from '../lib/sql.js';
import type { Actor } from './actor.js';

/**
 * Whose records an actor may touch. `all`: everyone (administrators, and trainers, who serve the whole
 * department); `subtree`: the people and units under the actor's own unit (managers); `self`: only their own
 * (staff); `none`: nothing — what any role this module does not know gets, and a manager whose unit has gone.
 */
export type Scope =
  | { kind: 'all' }
  | { kind: 'subtree'; path: string }
  | { kind: 'self'; userId: string }
  | { kind: 'none' };

export async function scopeOf(em: EntityManager, actor: Pick<Actor, 'id' | 'role' | 'orgUnitId'>): Promise<Scope> {
  switch (actor.role) {
    case 'admin':
    case 'trainer':
      return { kind: 'all' };
    case 'manager': {
      const [unit] = await query<{ path: string }>(em, sql`select path from org_unit where id = ${actor.orgUnitId}`);
      return unit ? { kind: 'subtree', path: unit.path } : { kind: 'none' };
    }
    case 'staff':
      return { kind: 'self', userId: actor.id };
    default:
      return { kind: 'none' };
  }
}

/**
 * The scope as a SQL condition over a person: `unitPath` is the SQL expression of their org unit's path,
 * `userId` of their id. Every list of people or of their records filters through this.
 */
export function scopeCondition(scope: Scope, unitPath: SqlFragment, userId: SqlFragment): SqlFragment {
  switch (scope.kind) {
    case 'all': return sql`true`;
    case 'subtree': return sql`${unitPath} like ${scope.path} || '%'`;
    case 'self': return sql`${userId} = ${scope.userId}::uuid`;
    case 'none': return sql`false`;
  }
}

/** The scope as a condition over an org unit's path (a unit is visible when it lies in the subtree). */
export function unitScopeCondition(scope: Scope, unitPath: SqlFragment): SqlFragment {
  switch (scope.kind) {
    case 'all': return sql`true`;
    case 'subtree': return sql`${unitPath} like ${scope.path} || '%'`;
    // Staff see no unit list; their own unit reaches them through their profile.
    case 'self':
    case 'none': return sql`false`;
  }
}

/** Whether a person (by their unit's path and id) is in scope, in code. */
export function inScope(scope: Scope, unitPath: string, userId: string): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'subtree': return unitPath.startsWith(scope.path);
    case 'self': return userId === scope.userId;
    case 'none': return false;
  }
}

/** The subtree path a new record made by this actor is limited to (null: the whole organisation). */
export function scopePathOf(scope: Scope): string | null {
  if (scope.kind === 'all') return null;
  if (scope.kind === 'subtree') return scope.path;
  // Staff and unknown roles never make audience-bearing records; a path no unit has keeps any that slipped through empty.
  return '/nothing/';
}
