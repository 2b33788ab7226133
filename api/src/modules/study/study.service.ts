import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { forbidden, invalid, invalidField, notFound, type FieldIssue } from '../../lib/errors.js';
import { pgArray, execSql } from '../../lib/sql.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { scopeOf, scopePathOf } from '../../access/scope.js';

// Staff are limited to their own records below by `own`; reviewers by their scope's subtree.
const scopePrefix = async (em: EntityManager, actor: Actor) => {
  const s = await scopeOf(em, actor);
  return s.kind === 'all' || s.kind === 'self' ? null : scopePathOf(s);
};
import type { Lang } from '../../lib/i18n.js';
import { COMPLETION_TIME_SHARE, pickLocale, progressDto, visibleModule } from '../courses/courses.service.js';

export const SESSION_KINDS = ['self_study', 'morning_meeting', 'evening_meeting', 'mass_training', 'other'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** Longest stretch one heartbeat may credit: a phone that slept for an hour did not study for an hour. */
const MAX_CREDIT_SECONDS = 120;
const FIRST_BEAT_MAX_SECONDS = 60;

export interface HeartbeatInput {
  clientId: string;
  seq: number;
  /** Seconds the page was visible since the last acknowledged heartbeat (the client keeps them until acknowledged). */
  seconds: number;
  position?: string;
  sectionsRead?: string[];
  reachedEnd?: boolean;
}

/**
 * Records reading progress in one statement. Time is credited only up to the wall-clock time since the previous
 * heartbeat (plus a little slack), so lost requests re-sent later, replays and two open tabs cannot inflate it; a
 * replay of an already-seen (client, seq) credits nothing. Completion needs the end reached and a share of the
 * estimated time spent; once complete, a module stays complete.
 */
export async function recordStudyProgress(em: EntityManager, actor: Actor, moduleId: string, input: HeartbeatInput, now: Date, lang: Lang = 'zh') {
  const m = await visibleModule(em, actor, moduleId, { withRevision: true });
  const needSeconds = Math.round(m.minutes * 60 * COMPLETION_TIME_SHARE);
  const sections = (input.sectionsRead ?? []).slice(0, 200);
  const [row] = await execSql<any>(em, `
    with prev as (select * from study_progress where user_id = ? and module_id = ?),
    credit as (
      select case
        when p.user_id is not null and p.last_client = ? and p.last_seq >= ? then 0
        when p.user_id is null or p.last_beat_at is null then least(?::int, ${FIRST_BEAT_MAX_SECONDS})
        else least(?::int, ${MAX_CREDIT_SECONDS}, greatest(0, floor(extract(epoch from (?::timestamptz - p.last_beat_at)))::int + 5))
      end as s
      from (select 1) one left join prev p on true
    ),
    up as (
      insert into study_progress as sp (user_id, module_id, position, sections_read, seconds_spent, reached_end, completed_at, started_at, last_beat_at, last_client, last_seq, updated_at)
      select ?, ?, ?, ?::text[], c.s, ?::boolean,
             case when ?::boolean and c.s >= ? then ?::timestamptz end, ?, ?, ?, ?, ? from credit c
      on conflict (user_id, module_id) do update set
        -- A replay (a seq this client already sent) changes neither the position nor the time the next beat is measured from.
        position = case when sp.last_client = excluded.last_client and sp.last_seq >= excluded.last_seq then sp.position
                        else coalesce(excluded.position, sp.position) end,
        sections_read = array(select distinct x from unnest(sp.sections_read || excluded.sections_read) x order by x),
        seconds_spent = sp.seconds_spent + excluded.seconds_spent,
        reached_end = sp.reached_end or excluded.reached_end,
        completed_at = coalesce(sp.completed_at,
          case when (sp.reached_end or excluded.reached_end) and sp.seconds_spent + excluded.seconds_spent >= ? then excluded.updated_at end),
        last_beat_at = case when sp.last_client = excluded.last_client and sp.last_seq >= excluded.last_seq then sp.last_beat_at
                            else excluded.last_beat_at end,
        last_client = excluded.last_client,
        last_seq = case when sp.last_client = excluded.last_client then greatest(sp.last_seq, excluded.last_seq) else excluded.last_seq end,
        updated_at = excluded.updated_at
      returning sp.*
    ),
    daily as (
      insert into study_daily as d (user_id, module_id, day, seconds)
      select ?, ?, (?::timestamptz at time zone 'Asia/Shanghai')::date, c.s from credit c where c.s > 0
      on conflict (user_id, module_id, day) do update set seconds = d.seconds + excluded.seconds
    )
    select * from up`,
  [actor.id, m.id, input.clientId, input.seq, input.seconds, input.seconds, now,
    actor.id, m.id, input.position ?? null, pgArray(sections), !!input.reachedEnd, !!input.reachedEnd, needSeconds, now, now, now, input.clientId, input.seq, now,
    needSeconds,
    actor.id, m.id, now]);
  // The sections the learner reads are those of the language the reader shows, as getModule computes them.
  const toc = pickLocale(m.locales, lang).content?.toc ?? [];
  return progressDto(row, toc.filter((t: any) => t.depth === 2).map((t: any) => t.id))!;
}

// ---------- study sessions ----------

export interface SessionDto {
  id: string; userId: string; userName: string; kind: SessionKind; day: string; minutes: number; moduleId: string | null;
  moduleSlug: string | null; note: string; status: 'logged' | 'confirmed' | 'rejected'; recordedBy: string; reviewedBy: string | null; reviewNote: string;
}

function sessionDto(r: any): SessionDto {
  return {
    id: r.id, userId: r.user_id, userName: r.user_name, kind: r.kind, day: r.day_text, minutes: r.minutes, moduleId: r.module_id ?? null,
    moduleSlug: r.module_slug ?? null, note: r.note, status: r.status, recordedBy: r.recorded_by_name, reviewedBy: r.reviewed_by_name ?? null,
    reviewNote: r.review_note,
  };
}

const SESSION_SELECT = `
  select s.*, to_char(s.day, 'YYYY-MM-DD') as day_text, u.display_name as user_name, m.slug as module_slug,
         rb.display_name as recorded_by_name, vb.display_name as reviewed_by_name
    from study_session s join app_user u on u.id = s.user_id join org_unit o on o.id = u.org_unit_id
    join app_user rb on rb.id = s.recorded_by left join app_user vb on vb.id = s.reviewed_by
    left join course_module m on m.id = s.module_id`;

/** Today's date in China (UTC+8, no daylight saving), where the days of study are counted. */
const chinaToday = (now: Date) => new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

function checkDay(day: string, now: Date, issues: FieldIssue[]) {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) issues.push({ path: 'day', reason: 'field.format', params: { format: 'date' } });
  else if (day > chinaToday(now)) issues.push({ path: 'day', reason: 'study.future_day' });
}

async function checkModule(em: EntityManager, moduleId: string | undefined | null, issues: FieldIssue[]) {
  if (!moduleId) return;
  const [m] = await execSql(em, `select 1 from course_module where id = ?`, [moduleId]);
  if (!m) issues.push({ path: 'moduleId', reason: 'course.unknown_module' });
}

export interface LogSessionInput { kind: SessionKind; day: string; minutes: number; moduleId?: string | null; note?: string }

/** A learner's own record of a study session; it counts once a trainer or manager confirms it. */
export async function logStudySession(em: EntityManager, actor: Actor, input: LogSessionInput, now: Date): Promise<SessionDto> {
  const issues: FieldIssue[] = [];
  checkDay(input.day, now, issues);
  await checkModule(em, input.moduleId, issues);
  if (issues.length) throw invalid(issues);
  const id = randomUUID();
  await execSql(em, `insert into study_session (id, user_id, kind, day, minutes, module_id, note, status, recorded_by) values (?, ?, ?, ?, ?, ?, ?, 'logged', ?)`,
    [id, actor.id, input.kind, input.day, input.minutes, input.moduleId ?? null, input.note?.trim() ?? '', actor.id]);
  const [row] = await execSql<any>(em, `${SESSION_SELECT} where s.id = ?`, [id]);
  return sessionDto(row);
}

export interface AttendanceInput extends LogSessionInput { userIds: string[] }

/** A trainer or manager records a meeting or training for many people at once; those records count as confirmed. */
export async function recordAttendance(em: EntityManager, actor: Actor, input: AttendanceInput, now: Date): Promise<{ created: number }> {
  if (!can(actor, 'study.review')) throw forbidden();
  const issues: FieldIssue[] = [];
  checkDay(input.day, now, issues);
  await checkModule(em, input.moduleId, issues);
  const ids = [...new Set(input.userIds)];
  const scope = await scopePrefix(em, actor);
  const found = await execSql<{ id: string }>(em, `
    select u.id from app_user u join org_unit o on o.id = u.org_unit_id
     where u.id = any(?::uuid[]) and not u.disabled and (?::text is null or o.path like ? || '%')`, [pgArray(ids), scope, scope]);
  const ok = new Set(found.map((r) => r.id));
  // Paths index the list as sent (duplicates included), so the form can mark the right entry.
  input.userIds.forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `userIds.${i}`, reason: 'study.unknown_person' }); });
  if (issues.length) throw invalid(issues);
  await em.transactional(async (tx) => {
    for (const userId of ids) {
      await execSql(tx, `insert into study_session (id, user_id, kind, day, minutes, module_id, note, status, recorded_by, reviewed_by, reviewed_at)
                     values (?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?)`,
        [randomUUID(), userId, input.kind, input.day, input.minutes, input.moduleId ?? null, input.note?.trim() ?? '', actor.id, actor.id, now]);
    }
  });
  return { created: ids.length };
}

export interface ListSessionsInput { userId?: string; status?: string; from?: string; to?: string; limit: number; offset: number }

/** Staff see their own sessions; managers their subtree's; trainers and admins everybody's. */
export async function listStudySessions(em: EntityManager, actor: Actor, input: ListSessionsInput) {
  const own = actor.role === 'staff';
  const scope = await scopePrefix(em, actor);
  const where = `
     where (?::uuid is null or s.user_id = ?)
       and (?::text is null or o.path like ? || '%')
       and (?::text is null or s.status = ?)
       and (?::date is null or s.day >= ?::date) and (?::date is null or s.day <= ?::date)`;
  const userId = own ? actor.id : (input.userId ?? null);
  const params = [userId, userId, scope, scope, input.status ?? null, input.status ?? null, input.from ?? null, input.from ?? null, input.to ?? null, input.to ?? null];
  const rows = await execSql<any>(em, `${SESSION_SELECT} ${where} order by s.day desc, s.created_at desc limit ? offset ?`, [...params, input.limit, input.offset]);
  const [{ n }] = await execSql<any>(em, `select count(*)::int as n from study_session s join app_user u on u.id = s.user_id join org_unit o on o.id = u.org_unit_id ${where}`, params);
  return { items: rows.map(sessionDto), total: Number(n) };
}

export async function reviewStudySession(em: EntityManager, actor: Actor, id: string, input: { status: 'confirmed' | 'rejected'; note?: string }, now: Date) {
  if (!can(actor, 'study.review')) throw forbidden();
  const scope = await scopePrefix(em, actor);
  const [row] = await execSql<any>(em, `${SESSION_SELECT} where s.id = ? and (?::text is null or o.path like ? || '%')`, [id, scope, scope]);
  if (!row) throw notFound('study_session');
  if (row.user_id === actor.id) throw invalidField('status', 'study.own_session');
  await execSql(em, `update study_session set status = ?, reviewed_by = ?, reviewed_at = ?, review_note = ? where id = ?`,
    [input.status, actor.id, now, input.note?.trim() ?? '', id]);
  const [updated] = await execSql<any>(em, `${SESSION_SELECT} where s.id = ?`, [id]);
  return sessionDto(updated);
}

export interface MonthlyStudyTotal {
  userId: string;
  month: string;
  readingMinutes: number;
  completedModules: number;
  confirmedMinutes: number;
  pendingMinutes: number;
  byKind: Record<SessionKind, number>;
}

/**
 * Study per person for one month (YYYY-MM, China time): minutes read in modules, modules completed, and confirmed
 * and still-unconfirmed session minutes by kind. The assessment record reads this.
 */
export async function monthlyStudyTotals(em: EntityManager, month: string, userIds: string[]): Promise<Map<string, MonthlyStudyTotal>> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw invalidField('month', 'field.format', { format: 'YYYY-MM' });
  const start = `${month}-01`;
  const ids = pgArray(userIds);
  const reading = await execSql<any>(em, `
    select user_id, sum(seconds)::int as seconds from study_daily
     where user_id = any(?::uuid[]) and day >= ?::date and day < (?::date + interval '1 month') group by user_id`, [ids, start, start]);
  const completed = await execSql<any>(em, `
    select user_id, count(*)::int as n from study_progress
     where user_id = any(?::uuid[]) and (completed_at at time zone 'Asia/Shanghai')::date >= ?::date
       and (completed_at at time zone 'Asia/Shanghai')::date < (?::date + interval '1 month') group by user_id`, [ids, start, start]);
  const sessions = await execSql<any>(em, `
    select user_id, kind, status, sum(minutes)::int as minutes from study_session
     where user_id = any(?::uuid[]) and day >= ?::date and day < (?::date + interval '1 month') and status <> 'rejected'
     group by user_id, kind, status`, [ids, start, start]);
  const out = new Map<string, MonthlyStudyTotal>();
  for (const id of userIds) {
    out.set(id, {
      userId: id, month, readingMinutes: 0, completedModules: 0, confirmedMinutes: 0, pendingMinutes: 0,
      byKind: Object.fromEntries(SESSION_KINDS.map((k) => [k, 0])) as Record<SessionKind, number>,
    });
  }
  for (const r of reading) out.get(r.user_id)!.readingMinutes = Math.round(r.seconds / 60);
  for (const r of completed) out.get(r.user_id)!.completedModules = r.n;
  for (const r of sessions) {
    const t = out.get(r.user_id)!;
    if (r.status === 'confirmed') {
      t.confirmedMinutes += r.minutes;
      t.byKind[r.kind as SessionKind] += r.minutes;
    } else t.pendingMinutes += r.minutes;
  }
  return out;
}
