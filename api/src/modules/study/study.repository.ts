/**
 * How study is kept: reading progress per person and module (`study_progress`), reading time per China day
 * (`study_daily`), each person's study clock (`study_clock`) and the sessions studied outside the reader
 * (`study_session`). The study service decides; this file holds its statements.
 */
import type { EntityManager } from '@mikro-orm/core';
import { query, sql, type SqlFragment } from '../../lib/sql.js';

/** The longest stretch one heartbeat may credit: a phone that slept for an hour did not study for an hour. */
export const MAX_CREDIT_SECONDS = 120;

/** A `study_progress` row as the database returns it. */
export interface ProgressRow {
  user_id: string;
  module_id: string;
  position: string | null;
  sections_read: string[];
  seconds_spent: number;
  reached_end: boolean;
  completed_at: Date | string | null;
  started_at: Date | string;
  last_beat_at: Date | string | null;
  last_client: string | null;
  last_seq: number;
  updated_at: Date | string;
}

export interface HeartbeatWrite {
  userId: string;
  /** The sign-in (refresh-token family) the heartbeat comes from: where a person's very first clock starts. */
  sessionId: string;
  moduleId: string;
  clientId: string;
  seq: number;
  /** Seconds the client says the page was visible since its last acknowledged heartbeat. */
  seconds: number;
  position: string | null;
  sectionsRead: string[];
  reachedEnd: boolean;
  /** Seconds a learner must have spent, besides reaching the end, for the module to count as complete. */
  needSeconds: number;
  now: Date;
}

/** A new clock starts at the sign-in, but no more than this long before its first beat. */
export const FIRST_BEAT_MAX_SECONDS = 60;
/**
 * Wall-clock time a beat leaves on the clock when it claims less than passed (jitter: a beat that arrives a second
 * late, then one a second early). More than this, unclaimed, is time the person was not reading, and is dropped.
 */
export const CLOCK_SLACK_SECONDS = 5;

/**
 * Records one heartbeat in one statement, crediting its time against the person's study clock.
 *
 * The clock (`study_clock.credited_until`) is the point up to which this person's time is used up, by every module,
 * tab and client together. A beat earns its claim, but at most the time from that point to now and never more than
 * MAX_CREDIT_SECONDS; the clock then moves on by what was earned, and at least to CLOCK_SLACK_SECONDS before now. It
 * never runs ahead of now, so what a person is credited, summed over everything, never exceeds the time that passed
 * on the wall since they signed in: however fast the beats come, however many tabs, whatever client id. A new clock
 * starts at the sign-in of the session sending the beat. The row is taken by `insert … on conflict do update`, which
 * locks it, so concurrent beats of one person are credited one after another, each against the clock the previous
 * one left. A replay (a seq this client already sent for this module), like a beat that claims nothing, earns
 * nothing and leaves the clock, the position and the beat time alone.
 */
export async function creditHeartbeat(em: EntityManager, w: HeartbeatWrite): Promise<ProgressRow & { credited: number }> {
  const now = sql`${w.now}::timestamptz`;
  const secs = (n: number) => sql`make_interval(secs => ${n})`;
  const claim = sql`(select s from claim)`;
  // Where a beat measures from, given the clock's position: time idle longer than the window is not banked.
  const base = (clock: SqlFragment) => sql`greatest(${clock}, ${now} - ${secs(MAX_CREDIT_SECONDS)})`;
  const earned = (from: SqlFragment) =>
    sql`(case when ${claim} = 0 then 0 else least(${claim}, greatest(0, floor(extract(epoch from (${now} - ${from}))))::int) end)`;
  const moved = (from: SqlFragment) =>
    sql`(case when ${claim} = 0 then ${from} else greatest(${from} + make_interval(secs => ${earned(from)}), ${now} - ${secs(CLOCK_SLACK_SECONDS)}) end)`;
  const fresh = sql`greatest(st.t, ${now} - ${secs(FIRST_BEAT_MAX_SECONDS)})`;
  const [row] = await query<ProgressRow & { credited: number }>(em, sql`
    with prev as (
      select last_client, last_seq from study_progress where user_id = ${w.userId} and module_id = ${w.moduleId}
    ),
    claim as (
      select case when exists (select 1 from prev where last_client = ${w.clientId} and last_seq >= ${w.seq}) then 0
                  else ${w.seconds}::int end as s
    ),
    start as (
      select coalesce((select min(created_at) from refresh_token where family_id = ${w.sessionId}::uuid and user_id = ${w.userId}), ${now}) as t
    ),
    clock as (
      insert into study_clock as c (user_id, credited_until, last_credit, updated_at)
      select ${w.userId}, ${moved(fresh)}, ${earned(fresh)}, ${now} from start st
      on conflict (user_id) do update set
        credited_until = ${moved(base(sql`c.credited_until`))},
        last_credit = ${earned(base(sql`c.credited_until`))},
        updated_at = excluded.updated_at
      returning c.last_credit as s
    ),
    up as (
      insert into study_progress as sp (user_id, module_id, position, sections_read, seconds_spent, reached_end, completed_at,
                                        started_at, last_beat_at, last_client, last_seq, updated_at)
      select ${w.userId}, ${w.moduleId}, ${w.position}, ${w.sectionsRead}::text[], k.s, ${w.reachedEnd}::boolean,
             case when ${w.reachedEnd}::boolean and k.s >= ${w.needSeconds} then ${now} end, ${now}, ${now}, ${w.clientId}, ${w.seq}, ${now}
        from clock k
      on conflict (user_id, module_id) do update set
        -- A replay (a seq this client already sent) changes neither the position nor the time of the last beat.
        position = case when sp.last_client = excluded.last_client and sp.last_seq >= excluded.last_seq then sp.position
                        else coalesce(excluded.position, sp.position) end,
        sections_read = array(select distinct x from unnest(sp.sections_read || excluded.sections_read) x order by x),
        seconds_spent = sp.seconds_spent + excluded.seconds_spent,
        reached_end = sp.reached_end or excluded.reached_end,
        completed_at = coalesce(sp.completed_at,
          case when (sp.reached_end or excluded.reached_end) and sp.seconds_spent + excluded.seconds_spent >= ${w.needSeconds}
               then excluded.updated_at end),
        last_beat_at = case when sp.last_client = excluded.last_client and sp.last_seq >= excluded.last_seq then sp.last_beat_at
                            else excluded.last_beat_at end,
        last_client = excluded.last_client,
        last_seq = case when sp.last_client = excluded.last_client then greatest(sp.last_seq, excluded.last_seq) else excluded.last_seq end,
        updated_at = excluded.updated_at
      returning sp.*
    ),
    daily as (
      insert into study_daily as d (user_id, module_id, day, seconds)
      select ${w.userId}, ${w.moduleId}, (${now} at time zone 'Asia/Shanghai')::date, k.s from clock k where k.s > 0
      on conflict (user_id, module_id, day) do update set seconds = d.seconds + excluded.seconds
    )
    select up.*, (select s from clock) as credited from up`);
  return row;
}
