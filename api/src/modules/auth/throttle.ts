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
  address: { threshold: 30 },
  windowSeconds: 15 * 60,
  baseBlockSeconds: 60,
  maxBlockSeconds: 15 * 60,
} as const;

export const accountKey = (username: string) => `u:${username.trim().toLowerCase()}`;
export const addressKey = (ip: string) => `ip:${ip}`;

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
