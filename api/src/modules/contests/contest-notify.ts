import type { EntityManager } from '@mikro-orm/core';
import { exec, sql } from '../../lib/sql.js';

/** The one channel live contest changes are announced on (contest-events.ts listens). */
export const CHANNEL = 'contest_events';

/** Announces a change of a contest to every process (delivered when the caller's transaction, if any, commits). */
export async function notifyContest(em: EntityManager, contestId: string, kind: 'state' | 'joined' | 'answer'): Promise<void> {
  await exec(em, sql`select pg_notify(${CHANNEL}, ${`${contestId}:${kind}`})`);
}
