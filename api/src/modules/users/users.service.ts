import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { conflict, forbidden, invalid, invalidField, notFound, type FieldIssue } from '../../lib/errors.js';
import { likeEscape, execSql } from '../../lib/sql.js';
import type { Clock } from '../../lib/clock.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { checkPasswordPolicy, hashPassword } from '../auth/password.js';
import { revokeAllSessions } from '../auth/auth.service.js';
import { OrgUnit } from '../org-units/org-unit.entity.js';
import { scopePrefix } from '../org-units/org-units.service.js';
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

export async function listUsers(em: EntityManager, actor: Actor, input: ListUsersInput): Promise<{ items: UserDto[]; total: number }> {
  const scope = await scopePrefix(em, actor);
  let unitPrefix: string | null = null;
  if (input.orgUnitId) {
    const unit = await em.findOne(OrgUnit, { id: input.orgUnitId });
    if (!unit || (scope && !unit.path.startsWith(scope))) throw notFound('org_unit');
    unitPrefix = unit.path;
  }
  const q = input.q?.trim() ? `%${likeEscape(input.q.trim())}%` : null;
  const where = `
      from app_user u join org_unit o on o.id = u.org_unit_id
     where (?::text is null or o.path like ? || '%')
       and (?::text is null or o.path like ? || '%')
       and (?::text is null or u.username ilike ? escape '\\' or u.display_name ilike ? escape '\\')
       and (?::text is null or u.role = ?)
       and (?::text is null or u.position = ?)
       and (?::boolean is null or u.disabled = ?)`;
  const params = [scope, scope, unitPrefix, unitPrefix, q, q, q, input.role ?? null, input.role ?? null,
    input.position ?? null, input.position ?? null, input.disabled ?? null, input.disabled ?? null];
  const [{ n }] = await execSql<{ n: number }>(em, `select count(*)::int as n ${where}`, params);
  const rows = await execSql<any>(em, `select u.id, o.name as org_unit_name ${where} order by u.username limit ? offset ?`,
    [...params, input.limit, input.offset]);
  const users = await em.find(User, { id: { $in: rows.map((r) => r.id) } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return { items: rows.map((r) => toUserDto(byId.get(r.id)!, r.org_unit_name)), total: Number(n) };
}

/** Loads a user the actor may see; one outside a manager's subtree answers 404 like one that does not exist. */
export async function getUserInScope(em: EntityManager, actor: Actor, userId: string): Promise<{ user: IUser; unitName: string; scope: string | null }> {
  const scope = await scopePrefix(em, actor);
  const [row] = await execSql<{ path: string; name: string }>(em,
    `select o.path, o.name from app_user u join org_unit o on o.id = u.org_unit_id where u.id = ?`, [userId]);
  if (!row || (scope && !row.path.startsWith(scope))) throw notFound('user');
  return { user: await em.findOneOrFail(User, { id: userId }), unitName: row.name, scope };
}

async function activeUnit(em: EntityManager, orgUnitId: string, scope: string | null) {
  const unit = await em.findOne(OrgUnit, { id: orgUnitId });
  if (!unit) throw invalidField('orgUnitId', 'org_unit.unknown');
  if (unit.archivedAt) throw invalidField('orgUnitId', 'org_unit.archived');
  if (scope && !unit.path.startsWith(scope)) throw invalidField('orgUnitId', 'user.out_of_scope');
  return unit;
}

export interface CreateUserInput { username: string; displayName: string; role: Role; position: Position; orgUnitId: string; password: string; locale?: Locale }

export async function createUser(em: EntityManager, _actor: Actor, input: CreateUserInput): Promise<UserDto> {
  const issues: FieldIssue[] = checkPasswordPolicy(input.password, input.username);
  const [taken] = await execSql(em, `select 1 from app_user where lower(username) = lower(?)`, [input.username]);
  if (taken) issues.push({ path: 'username', reason: 'user.username_taken' });
  if (issues.length) throw taken && issues.length === 1 ? conflict('user.username_taken', issues) : invalid(issues);
  const unit = await activeUnit(em, input.orgUnitId, null);
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

