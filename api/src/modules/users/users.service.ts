import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { conflict, forbidden, invalid, invalidField, notFound, type FieldIssue } from '../../lib/errors.js';
import { likeEscape, query, sql } from '../../lib/sql.js';
import { inScope, scopeCondition, scopeOf, type Scope } from '../../access/scope.js';
import type { Clock } from '../../lib/clock.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { checkPasswordPolicy, hashPassword } from './password.js';
import { revokeAllSessions } from './sessions.js';
import { OrgUnit } from '../org-units/org-unit.entity.js';
import { User, type IUser, type Locale, type Position, type Role } from './user.entity.js';

export interface UserDto {
  id: string; username: string; displayName: string; role: Role; position: string; orgUnitId: string;
  orgUnitName?: string; locale: Locale | null; disabled: boolean; mustChangePassword: boolean; createdAt: string;
}

export function toUserDto(u: IUser, orgUnitName?: string): UserDto {
  return {
    id: u.id, username: u.username, displayName: u.displayName, role: u.role as Role, position: u.position,
    orgUnitId: u.orgUnitId, ...(orgUnitName !== undefined ? { orgUnitName } : {}), locale: (u.locale as Locale) ?? null,
    disabled: u.disabled, mustChangePassword: u.mustChangePassword, createdAt: new Date(u.createdAt).toISOString(),
  };
}

/** A readable temporary password: 12 characters from an alphabet without look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export interface ListUsersInput { q?: string; orgUnitId?: string; role?: Role; position?: Position; disabled?: boolean; limit: number; offset: number }

interface UserRow {
  id: string; username: string; display_name: string; role: Role; position: string; org_unit_id: string;
  org_unit_name: string; locale: Locale | null; disabled: boolean; must_change_password: boolean; created_at: Date;
}

const USER_COLUMNS = sql`u.id, u.username, u.display_name, u.role, u.position, u.org_unit_id, o.name as org_unit_name,
  u.locale, u.disabled, u.must_change_password, u.created_at`;

const rowDto = (r: UserRow): UserDto => ({
  id: r.id, username: r.username, displayName: r.display_name, role: r.role, position: r.position, orgUnitId: r.org_unit_id,
  orgUnitName: r.org_unit_name, locale: r.locale ?? null, disabled: r.disabled, mustChangePassword: r.must_change_password,
  createdAt: new Date(r.created_at).toISOString(),
});

/** People the actor may see (scope.ts: all, a manager's subtree, staff themselves), one page at a time. */
export async function listUsers(em: EntityManager, actor: Actor, input: ListUsersInput): Promise<{ items: UserDto[]; total: number }> {
  const scope = await scopeOf(em, actor);
  let unitPrefix: string | null = null;
  if (input.orgUnitId) {
    const unit = await em.findOne(OrgUnit, { id: input.orgUnitId });
    if (!unit || !inScopeUnit(scope, unit.path)) throw notFound('org_unit');
    unitPrefix = unit.path;
  }
  const q = input.q?.trim() ? `%${likeEscape(input.q.trim())}%` : null;
  const where = sql`
      from app_user u join org_unit o on o.id = u.org_unit_id
     where ${scopeCondition(scope, sql`o.path`, sql`u.id`)}
       and (${unitPrefix}::text is null or o.path like ${unitPrefix} || '%')
       and (${q}::text is null or u.username ilike ${q} escape '\\' or u.display_name ilike ${q} escape '\\')
       and (${input.role ?? null}::text is null or u.role = ${input.role ?? null})
       and (${input.position ?? null}::text is null or u.position = ${input.position ?? null})
       and (${input.disabled ?? null}::boolean is null or u.disabled = ${input.disabled ?? null})`;
  const [{ n }] = await query<{ n: number }>(em, sql`select count(*)::int as n ${where}`);
  const rows = await query<UserRow>(em, sql`select ${USER_COLUMNS} ${where} order by u.username limit ${input.limit} offset ${input.offset}`);
  return { items: rows.map(rowDto), total: Number(n) };
}

/** A unit is in scope when the actor sees people there (all; inside a manager's subtree). */
const inScopeUnit = (scope: Scope, path: string) => scope.kind === 'all' || (scope.kind === 'subtree' && path.startsWith(scope.path));

/** Loads a user the actor may see; one outside the actor's scope answers 404 like one that does not exist. */
export async function getUserInScope(em: EntityManager, actor: Actor, userId: string): Promise<{ user: IUser; unitName: string; scope: Scope }> {
  const scope = await scopeOf(em, actor);
  const [row] = await query<{ path: string; name: string }>(em,
    sql`select o.path, o.name from app_user u join org_unit o on o.id = u.org_unit_id where u.id = ${userId}`);
  if (!row || !inScope(scope, row.path, userId)) throw notFound('user');
  return { user: await em.findOneOrFail(User, { id: userId }), unitName: row.name, scope };
}

async function activeUnit(em: EntityManager, orgUnitId: string, scope: Scope) {
  const unit = await em.findOne(OrgUnit, { id: orgUnitId });
  if (!unit) throw invalidField('orgUnitId', 'org_unit.unknown');
  if (unit.archivedAt) throw invalidField('orgUnitId', 'org_unit.archived');
  if (!inScopeUnit(scope, unit.path)) throw invalidField('orgUnitId', 'user.out_of_scope');
  return unit;
}

export interface CreateUserInput { username: string; displayName: string; role: Role; position: Position; orgUnitId: string; password: string; locale?: Locale }

export async function createUser(em: EntityManager, _actor: Actor, input: CreateUserInput): Promise<UserDto> {
  const issues: FieldIssue[] = checkPasswordPolicy(input.password, input.username);
  const [taken] = await query<{ one: number }>(em, sql`select 1 as one from app_user where lower(username) = lower(${input.username})`);
  if (taken) issues.push({ path: 'username', reason: 'user.username_taken' });
  if (issues.length) throw taken && issues.length === 1 ? conflict('user.username_taken', issues) : invalid(issues);
  const unit = await activeUnit(em, input.orgUnitId, { kind: 'all' });
  const user = em.create(User, {
    id: randomUUID(), username: input.username, displayName: input.displayName.trim(), passwordHash: await hashPassword(input.password),
    role: input.role, position: input.position, orgUnitId: unit.id, locale: input.locale ?? null, disabled: false,
    // An account made by somebody else starts with a password somebody else knows.
    mustChangePassword: true,
  });
  await em.flush();
  return toUserDto(user, unit.name);
}

export interface UpdateUserInput { displayName?: string; role?: Role; position?: Position; orgUnitId?: string; disabled?: boolean; locale?: Locale | null }

/**
 * Admins change anything. Managers change people in their own subtree (name, position, unit within the subtree,
 * disabled) but never roles, and never themselves out of their job.
 */
export async function updateUser(em: EntityManager, clock: Clock, actor: Actor, userId: string, input: UpdateUserInput): Promise<UserDto> {
  const { user, scope } = await getUserInScope(em, actor, userId);
  // Roles, and administrators' accounts, are for administrators only.
  if (!can(actor, 'people.admin') && input.role !== undefined && input.role !== user.role) throw forbidden();
  if (!can(actor, 'people.admin') && user.role === 'admin') throw forbidden();
  if (user.id === actor.id) {
    if (input.disabled) throw invalidField('disabled', 'user.self_disable');
    if (input.role !== undefined && input.role !== user.role) throw invalidField('role', 'user.self_role');
  }
  let unitName: string | undefined;
  if (input.orgUnitId !== undefined) {
    const unit = await activeUnit(em, input.orgUnitId, scope);
    user.orgUnitId = unit.id;
    unitName = unit.name;
  }
  if (input.displayName !== undefined) user.displayName = input.displayName.trim();
  if (input.position !== undefined) user.position = input.position;
  if (input.locale !== undefined) user.locale = input.locale;
  const roleChanged = input.role !== undefined && input.role !== user.role;
  if (input.role !== undefined) user.role = input.role;
  const disabling = input.disabled === true && !user.disabled;
  if (input.disabled !== undefined) user.disabled = input.disabled;
  await em.flush();
  // A disabled account, or one whose role changed, loses its sessions: the next refresh signs in again.
  if (disabling || roleChanged) await revokeAllSessions(em, user.id, clock.now());
  const name = unitName ?? (await em.findOneOrFail(OrgUnit, { id: user.orgUnitId })).name;
  return toUserDto(user, name);
}

export async function resetUserPassword(em: EntityManager, clock: Clock, actor: Actor, userId: string, password?: string): Promise<{ temporaryPassword: string }> {
  const { user } = await getUserInScope(em, actor, userId);
  const temporary = password ?? generatePassword();
  const issues = checkPasswordPolicy(temporary, user.username);
  if (issues.length) throw invalid(issues);
  const full = await em.findOneOrFail(User, { id: user.id });
  full.passwordHash = await hashPassword(temporary);
  full.mustChangePassword = true;
  full.passwordChangedAt = clock.now();
  await em.flush();
  await revokeAllSessions(em, user.id, clock.now());
  return { temporaryPassword: temporary };
}

