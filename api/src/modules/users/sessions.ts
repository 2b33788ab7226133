import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { exec, query, sql } from '../../lib/sql.js';

/**
 * The refresh-token repository: sessions as families of tokens. Accounts own their credentials (password.ts) and
 * sessions (this file); the auth module runs the sign-in flows on top of them, so users never imports auth.
 */
export const REFRESH_TOKEN_DAYS = 14;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Issues a refresh token in `familyId` (a new family for a new login). */
export async function issueRefreshToken(em: EntityManager, userId: string, familyId: string, now: Date, userAgent?: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_DAYS * 86400_000);
  await exec(em, sql`insert into refresh_token (id, user_id, family_id, token_hash, expires_at, revoked_at, created_at, user_agent)
    values (${randomUUID()}, ${userId}, ${familyId}, ${sha256(token)}, ${expiresAt}, null, ${now}, ${userAgent?.slice(0, 300) ?? null})`);
  return { token, expiresAt };
}

/** Revokes a live token and answers whose it was, in one statement only one caller can win. */
export async function useRefreshToken(em: EntityManager, token: string, now: Date) {
  const [used] = await query<{ user_id: string; family_id: string }>(em, sql`
    update refresh_token set revoked_at = ${now}
     where token_hash = ${sha256(token)} and revoked_at is null and expires_at > ${now}
    returning user_id, family_id`);
  return used ? { userId: used.user_id, familyId: used.family_id } : null;
}

/** Revokes the whole family a token (live or not) belongs to. */
export async function revokeFamilyOfToken(em: EntityManager, token: string, now: Date): Promise<void> {
  await exec(em, sql`update refresh_token set revoked_at = ${now} where revoked_at is null and family_id in
    (select family_id from refresh_token where token_hash = ${sha256(token)})`);
}

export async function revokeFamily(em: EntityManager, familyId: string, now: Date): Promise<void> {
  await exec(em, sql`update refresh_token set revoked_at = ${now} where family_id = ${familyId} and revoked_at is null`);
}

export async function revokeAllSessions(em: EntityManager, userId: string, now: Date): Promise<void> {
  await exec(em, sql`update refresh_token set revoked_at = ${now} where user_id = ${userId} and revoked_at is null`);
}
