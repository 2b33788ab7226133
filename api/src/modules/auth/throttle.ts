import type { EntityManager } from '@mikro-orm/core';
import { throttled } from '../../lib/errors.js';
import { execSql } from '../../lib/sql.js';

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
  // `in (?)`: the driver inlines an array parameter as a comma-separated list, which `any(?)` cannot take.
  const rows = await execSql<{ blocked_until: Date }>(em,
    `select max(blocked_until) as blocked_until from login_throttle where key in (?) and blocked_until > ?`, [keys, now]);
  const until = rows[0]?.blocked_until;
  if (until) throw throttled(Math.max(1, Math.ceil((new Date(until).getTime() - now.getTime()) / 1000)));
}

export async function recordFailure(em: EntityManager, key: string, threshold: number, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_RULES.windowSeconds * 1000);
  // A window that ended (and is not under a block) starts over at one failure.
  const [row] = await execSql<{ failures: number }>(em, `
    insert into login_throttle as t (key, failures, window_started_at, blocked_until) values (?, 1, ?, null)
    on conflict (key) do update set
      failures = case when t.window_started_at < ? and (t.blocked_until is null or t.blocked_until <= ?) then 1 else t.failures + 1 end,
      window_started_at = case when t.window_started_at < ? and (t.blocked_until is null or t.blocked_until <= ?) then excluded.window_started_at else t.window_started_at end
    returning failures`, [key, now, windowStart, now, windowStart, now]);
  const failures = Number(row.failures);
  if (failures >= threshold) {
    const seconds = Math.min(THROTTLE_RULES.maxBlockSeconds, THROTTLE_RULES.baseBlockSeconds * 2 ** (failures - threshold));
    await execSql(em, `update login_throttle set blocked_until = ? where key = ?`, [new Date(now.getTime() + seconds * 1000), key]);
  }
}

export async function clearThrottle(em: EntityManager, key: string): Promise<void> {
  await execSql(em, `delete from login_throttle where key = ?`, [key]);
}
