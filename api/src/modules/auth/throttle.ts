import type { EntityManager } from '@mikro-orm/core';
import { throttled } from '../../lib/errors.js';
import { exec, query, sql } from '../../lib/sql.js';

/**
 * Login throttling, kept in PostgreSQL so every process behind a load balancer sees the same counts.
 * After `threshold` failures inside the window a key is blocked for one minute, doubling with each further failure
 * up to fifteen minutes: slows guessing to a crawl, and never locks anybody out for good.
 */
export const THROTTLE_RULES = {
  account: { threshold: 5 },
  /**
   * Many staff share one office address behind NAT. The address budget grows with the number of different accounts
   * that signed in successfully from it in the last day, so one office's typos do not lock the whole office out;
   * an address nobody signed in from keeps the base budget.
   */
  address: { threshold: 30, perKnownAccount: 10, max: 500, knownForSeconds: 24 * 3600 },
  /** Wrong current passwords on the change-password form, per account. */
  passwordChange: { threshold: 5 },
  windowSeconds: 15 * 60,
  baseBlockSeconds: 60,
  maxBlockSeconds: 15 * 60,
} as const;

export const accountKey = (username: string) => `u:${username.trim().toLowerCase()}`;
export const addressKey = (ip: string) => `ip:${ip}`;
export const passwordChangeKey = (userId: string) => `pw:${userId}`;
const knownKey = (ip: string, username: string) => `ok:${ip}:${username.trim().toLowerCase()}`;

/** Remembers that an account signed in from an address (it raises that address's budget for a day). */
export async function recordSuccessFrom(em: EntityManager, ip: string, username: string, now: Date): Promise<void> {
  await exec(em, sql`
    insert into login_throttle (key, failures, window_started_at, blocked_until) values (${knownKey(ip, username)}, 0, ${now}, null)
    on conflict (key) do update set window_started_at = excluded.window_started_at`);
}

/** How many failures an address may have before it is blocked (see THROTTLE_RULES.address). */
export async function addressThreshold(em: EntityManager, ip: string, now: Date): Promise<number> {
  const rule = THROTTLE_RULES.address;
  const since = new Date(now.getTime() - rule.knownForSeconds * 1000);
  const prefix = `ok:${ip}:`;
  const [row] = await query<{ n: number }>(em, sql`
    select count(*)::int as n from login_throttle where left(key, ${prefix.length}) = ${prefix} and window_started_at > ${since}`);
  return Math.min(rule.max, rule.threshold + rule.perKnownAccount * Number(row?.n ?? 0));
}

/** Throws 429 with Retry-After when any of the keys is blocked now. */
export async function assertNotThrottled(em: EntityManager, keys: string[], now: Date): Promise<void> {
  if (!keys.length) return;
  const rows = await query<{ blocked_until: Date | null }>(em,
    sql`select max(blocked_until) as blocked_until from login_throttle where key = any(${keys}::text[]) and blocked_until > ${now}`);
  const until = rows[0]?.blocked_until;
  if (until) throw throttled(Math.max(1, Math.ceil((new Date(until).getTime() - now.getTime()) / 1000)));
}

export async function recordFailure(em: EntityManager, key: string, threshold: number, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_RULES.windowSeconds * 1000);
  // A window that ended (and is not under a block) starts over at one failure.
  const windowOver = sql`t.window_started_at < ${windowStart} and (t.blocked_until is null or t.blocked_until <= ${now})`;
  const [row] = await query<{ failures: number }>(em, sql`
    insert into login_throttle as t (key, failures, window_started_at, blocked_until) values (${key}, 1, ${now}, null)
    on conflict (key) do update set
      failures = case when ${windowOver} then 1 else t.failures + 1 end,
      window_started_at = case when ${windowOver} then excluded.window_started_at else t.window_started_at end
    returning failures`);
  const failures = Number(row.failures);
  if (failures >= threshold) {
    const seconds = Math.min(THROTTLE_RULES.maxBlockSeconds, THROTTLE_RULES.baseBlockSeconds * 2 ** (failures - threshold));
    await exec(em, sql`update login_throttle set blocked_until = ${new Date(now.getTime() + seconds * 1000)} where key = ${key}`);
  }
}

export async function clearThrottle(em: EntityManager, key: string): Promise<void> {
  await exec(em, sql`delete from login_throttle where key = ${key}`);
}
