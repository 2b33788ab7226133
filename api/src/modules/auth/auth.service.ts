import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { invalid, unauthenticated } from '../../lib/errors.js';
import { execSql } from '../../lib/sql.js';
import type { Clock } from '../../lib/clock.js';
import type { Actor } from '../../access/actor.js';
import { User, type IUser, type Locale, type Role } from '../users/user.entity.js';
import { checkPasswordPolicy, dummyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { THROTTLE_RULES, accountKey, addressKey, assertNotThrottled, clearThrottle, recordFailure } from './throttle.js';

export const REFRESH_TOKEN_DAYS = 14;

export interface Session {
  actor: Actor;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: IUser;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function actorOf(user: IUser, sessionId: string): Actor {
  return { id: user.id, role: user.role as Role, orgUnitId: user.orgUnitId, sessionId, mustChangePassword: user.mustChangePassword };
}

/** Issues a refresh token in `familyId` (a new family for a new login). */
async function issueRefreshToken(em: EntityManager, userId: string, familyId: string, now: Date, userAgent?: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_DAYS * 86400_000);
  await execSql(em, `insert into refresh_token (id, user_id, family_id, token_hash, expires_at, revoked_at, created_at, user_agent)
                 values (?, ?, ?, ?, ?, null, ?, ?)`,
    [randomUUID(), userId, familyId, sha256(token), expiresAt, now, userAgent?.slice(0, 300) ?? null]);
  return { token, expiresAt };
}

/** Employee numbers are matched without regard to case, as the unique index on lower(username) enforces. */
export async function findByUsername(em: EntityManager, username: string): Promise<IUser | null> {
  const [row] = await execSql<{ id: string }>(em, `select id from app_user where lower(username) = lower(?)`, [username.trim()]);
  return row ? em.findOne(User, { id: row.id }) : null;
}

export async function login(em: EntityManager, clock: Clock, input: { username: string; password: string; ip: string; userAgent?: string }): Promise<Session> {
  const now = clock.now();
  const keys = [accountKey(input.username), addressKey(input.ip)];
  await assertNotThrottled(em, keys, now);
  const user = await findByUsername(em, input.username);
  // Unknown account and wrong password take the same path and the same time: one argon2 verification each.
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok || user.disabled) {
    await recordFailure(em, keys[0], THROTTLE_RULES.account.threshold, now);
    await recordFailure(em, keys[1], THROTTLE_RULES.address.threshold, now);
    throw unauthenticated('invalid_credentials');
  }
  await clearThrottle(em, keys[0]);
  const familyId = randomUUID();
  const { token, expiresAt } = await issueRefreshToken(em, user.id, familyId, now, input.userAgent);
  return { actor: actorOf(user, familyId), refreshToken: token, refreshExpiresAt: expiresAt, user };
}

/**
 * Rotates a refresh token: the presented token is revoked and the next one in its family issued, in one statement
 * that only one caller can win. A token that was already used signals theft: its whole family is revoked.
 */
export async function refreshSession(em: EntityManager, clock: Clock, token: string, userAgent?: string): Promise<Session> {
  const now = clock.now();
  const hash = sha256(token);
  const [used] = await execSql<{ user_id: string; family_id: string }>(em, `
    update refresh_token set revoked_at = ? where token_hash = ? and revoked_at is null and expires_at > ?
    returning user_id, family_id`, [now, hash, now]);
  if (!used) {
    await execSql(em, `update refresh_token set revoked_at = ? where revoked_at is null and family_id in
                     (select family_id from refresh_token where token_hash = ?)`, [now, hash]);
    throw unauthenticated('invalid_token');
  }
  const user = await em.findOne(User, { id: used.user_id });
  if (!user || user.disabled) {
    await revokeFamily(em, used.family_id, now);
    throw unauthenticated('invalid_token');
  }
  const next = await issueRefreshToken(em, user.id, used.family_id, now, userAgent);
  return { actor: actorOf(user, used.family_id), refreshToken: next.token, refreshExpiresAt: next.expiresAt, user };
}

export async function revokeFamily(em: EntityManager, familyId: string, now: Date): Promise<void> {
  await execSql(em, `update refresh_token set revoked_at = ? where family_id = ? and revoked_at is null`, [now, familyId]);
}

export async function revokeAllSessions(em: EntityManager, userId: string, now: Date): Promise<void> {
  await execSql(em, `update refresh_token set revoked_at = ? where user_id = ? and revoked_at is null`, [now, userId]);
}

export async function logout(em: EntityManager, clock: Clock, actor: Actor | null, token: string | undefined): Promise<void> {
  const now = clock.now();
  if (actor) await revokeFamily(em, actor.sessionId, now);
  if (token) {
    await execSql(em, `update refresh_token set revoked_at = ? where revoked_at is null and family_id in
                     (select family_id from refresh_token where token_hash = ?)`, [now, sha256(token)]);
  }
}

export async function getMe(em: EntityManager, actor: Actor): Promise<IUser> {
  const user = await em.findOne(User, { id: actor.id });
  if (!user || user.disabled) throw unauthenticated('invalid_token');
  return user;
}

export async function updateMe(em: EntityManager, actor: Actor, input: { locale?: Locale; displayName?: string }): Promise<IUser> {
  const user = await getMe(em, actor);
  if (input.locale !== undefined) user.locale = input.locale;
  if (input.displayName !== undefined) user.displayName = input.displayName.trim();
  await em.flush();
  return user;
}

/** Changes the caller's password, ends every other session, and opens a fresh one for the caller. */
export async function changePassword(em: EntityManager, clock: Clock, actor: Actor,
  input: { currentPassword: string; newPassword: string }, userAgent?: string): Promise<Session> {
  const now = clock.now();
  const user = await em.findOne(User, { id: actor.id });
  if (!user || user.disabled) throw unauthenticated('invalid_token');
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw invalid([{ path: 'currentPassword', reason: 'password.wrong_current' }]);
  }
  const issues = checkPasswordPolicy(input.newPassword, user.username, 'newPassword');
  if (!issues.length && input.newPassword === input.currentPassword) issues.push({ path: 'newPassword', reason: 'password.same_as_old' });
  if (issues.length) throw invalid(issues);
  user.passwordHash = await hashPassword(input.newPassword);
  user.mustChangePassword = false;
  user.passwordChangedAt = now;
  await em.flush();
  await revokeAllSessions(em, user.id, now);
  const familyId = randomUUID();
  const next = await issueRefreshToken(em, user.id, familyId, now, userAgent);
  return { actor: actorOf(user, familyId), refreshToken: next.token, refreshExpiresAt: next.expiresAt, user };
}

