import { randomUUID } from 'node:crypto';
import { raw, type EntityManager } from '@mikro-orm/core';
import { invalid, unauthenticated } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Actor } from '../../access/actor.js';
import { User, type IUser, type Locale } from '../users/user.entity.js';
import { issueRefreshToken, revokeAllSessions, revokeFamily, revokeFamilyOfToken, useRefreshToken } from '../users/sessions.js';
import { checkPasswordPolicy, dummyPasswordHash, hashPassword, verifyPassword } from '../users/password.js';
import {
  THROTTLE_RULES, accountKey, addressKey, addressThreshold, assertNotThrottled, clearThrottle, passwordChangeKey, recordFailure,
  recordSuccessFrom,
} from './throttle.js';

export { REFRESH_TOKEN_DAYS } from '../users/sessions.js';

export interface Session {
  actor: Actor;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: IUser;
}

function actorOf(user: IUser, sessionId: string): Actor {
  return { id: user.id, role: user.role, orgUnitId: user.orgUnitId, sessionId, mustChangePassword: user.mustChangePassword };
}

/** Employee numbers are matched without regard to case, as the unique index on lower(username) enforces. */
export async function findByUsername(em: EntityManager, username: string): Promise<IUser | null> {
  // One read: the entity by the expression the unique index covers.
  return em.findOne(User, { [raw((alias) => `lower(${alias}.username)`)]: username.trim().toLowerCase() });
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
    await recordFailure(em, keys[1], await addressThreshold(em, input.ip, now), now);
    throw unauthenticated('invalid_credentials');
  }
  await clearThrottle(em, keys[0]);
  await recordSuccessFrom(em, input.ip, user.username, now);
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
  const used = await useRefreshToken(em, token, now);
  if (!used) {
    await revokeFamilyOfToken(em, token, now);
    throw unauthenticated('invalid_token');
  }
  const user = await em.findOne(User, { id: used.userId });
  if (!user || user.disabled) {
    await revokeFamily(em, used.familyId, now);
    throw unauthenticated('invalid_token');
  }
  const next = await issueRefreshToken(em, user.id, used.familyId, now, userAgent);
  return { actor: actorOf(user, used.familyId), refreshToken: next.token, refreshExpiresAt: next.expiresAt, user };
}

export async function logout(em: EntityManager, clock: Clock, actor: Actor | null, token: string | undefined): Promise<void> {
  const now = clock.now();
  if (actor) await revokeFamily(em, actor.sessionId, now);
  if (token) await revokeFamilyOfToken(em, token, now);
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
  // Someone at an unlocked phone must not be able to guess the password it was signed in with.
  const guardKey = passwordChangeKey(user.id);
  await assertNotThrottled(em, [guardKey], now);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordFailure(em, guardKey, THROTTLE_RULES.passwordChange.threshold, now);
    throw invalid([{ path: 'currentPassword', reason: 'password.wrong_current' }]);
  }
  await clearThrottle(em, guardKey);
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

