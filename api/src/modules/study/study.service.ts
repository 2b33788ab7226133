import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { AppError, duplicate, forbidden, invalid, invalidField, notFound, type DuplicateRecord, type FieldIssue } from '../../lib/errors.js';
import { exec, query, sql } from '../../lib/sql.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { scopeCondition, scopeOf } from '../../access/scope.js';

/** The actor's scope as a condition over the person `u` in unit `o` (fails closed: an unknown role sees nobody). */
const inScopeSql = async (em: EntityManager, actor: Actor) => scopeCondition(await scopeOf(em, actor), sql`o.path`, sql`u.id`);
import type { Lang } from '../../lib/i18n.js';
import { progressDto, studyableModule, visibleModule } from '../courses/courses.service.js';
import { completionOf, requiredSecondsOf } from '../courses/completion.js';
import { sectionsOf } from '../courses/courses.repository.js';
import { listUsers } from '../users/users.service.js';
import { creditHeartbeat } from './study.repository.js';
import { changesBetween, correctionReason, historyOf, writeChanges, type FieldChange } from '../corrections/corrections.repository.js';

import { SESSION_KINDS } from './study.entity.js';

export { SESSION_KINDS };
export type SessionKind = (typeof SESSION_KINDS)[number];

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
 * Records reading progress in one statement. Time is credited against the person's study clock (see
 * `creditHeartbeat`): never more than the wall-clock time that passed, across all their modules, tabs and clients
 * together; a replay of an already-seen (client, seq) credits nothing. Completion needs the end reached and a share
 * of the estimated time spent; once complete, a module stays complete.
 */
export async function recordStudyProgress(em: EntityManager, actor: Actor, moduleId: string, input: HeartbeatInput, now: Date, lang: Lang = 'zh') {
  const m = await studyableModule(em, actor, moduleId);
  const row = await creditHeartbeat(em, {
    userId: actor.id, sessionId: actor.sessionId, moduleId: m.id, clientId: input.clientId, seq: input.seq, seconds: input.seconds,
    position: input.position ?? null, sectionsRead: (input.sectionsRead ?? []).slice(0, 200), reachedEnd: !!input.reachedEnd,
    needSeconds: requiredSecondsOf(m.minutes), now,
  });
  // The sections the learner reads are those of the language the reader shows, as getModule computes them.
  return { ...progressDto(row)!, completion: completionOf(row, sectionsOf(m.outline, lang), m.minutes) };
}

// ---------- study sessions ----------

export interface SessionDto {
  id: string; userId: string; userName: string; kind: SessionKind; day: string; minutes: number; moduleId: string | null;
  moduleSlug: string | null; moduleTitle: string | null; note: string; status: 'logged' | 'confirmed' | 'rejected'; recordedBy: string;
  reviewedBy: string | null; reviewNote: string; withdrawn: boolean; createdAt: string;
}

/** A study session as SESSION_SELECT returns it. */
interface SessionRow {
  id: string; user_id: string; user_name: string; kind: SessionKind; day_text: string; minutes: number; module_id: string | null;
  module_slug: string | null; module_title: string | null; note: string; status: SessionDto['status']; recorded_by_name: string;
  reviewed_by_name: string | null; review_note: string; withdrawn_at: Date | string | null; created_at: Date | string; path: string;
}

function sessionDto(r: SessionRow): SessionDto {
  return {
    id: r.id, userId: r.user_id, userName: r.user_name, kind: r.kind, day: r.day_text, minutes: r.minutes, moduleId: r.module_id ?? null,
    moduleSlug: r.module_slug ?? null, moduleTitle: r.module_title ?? null, note: r.note, status: r.status, recordedBy: r.recorded_by_name,
    reviewedBy: r.reviewed_by_name ?? null, reviewNote: r.review_note, withdrawn: r.withdrawn_at != null, createdAt: new Date(r.created_at).toISOString(),
  };
}

// The module's title in the language asked for, from its published revision (null: no module, or none published).
const moduleTitle = (lang: Lang) => sql`(select coalesce(r.locales->${lang}::text->>'title', r.locales->'zh'->>'title', r.locales->'en'->>'title')
    from module_revision r where r.id = m.published_revision_id)`;

const sessionSelect = (lang: Lang = 'zh') => sql`
  select s.*, to_char(s.day, 'YYYY-MM-DD') as day_text, u.display_name as user_name, m.slug as module_slug, ${moduleTitle(lang)} as module_title,
         o.path, rb.display_name as recorded_by_name, vb.display_name as reviewed_by_name
    from study_session s join app_user u on u.id = s.user_id join org_unit o on o.id = u.org_unit_id
    join app_user rb on rb.id = s.recorded_by left join app_user vb on vb.id = s.reviewed_by
    left join course_module m on m.id = s.module_id`;
const SESSION_SELECT = sessionSelect();

/** Today's date in China (UTC+8, no daylight saving), where the days of study are counted. */
const chinaToday = (now: Date) => new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

function checkDay(day: string, now: Date, issues: FieldIssue[]) {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) issues.push({ path: 'day', reason: 'field.format', params: { format: 'date' } });
  else if (day > chinaToday(now)) issues.push({ path: 'day', reason: 'study.future_day' });
}

/** A session may name only a module the actor may open: a draft or archived one answers 404, like one that does not exist. */
async function checkModule(em: EntityManager, actor: Actor, moduleId: string | undefined | null) {
  if (moduleId) await visibleModule(em, actor, moduleId);
}

export interface LogSessionInput { kind: SessionKind; day: string; minutes: number; moduleId?: string | null; note?: string }

/** A learner's own record of a study session; it counts once a trainer or manager confirms it. */
export async function logStudySession(em: EntityManager, actor: Actor, input: LogSessionInput, now: Date): Promise<SessionDto> {
  await checkModule(em, actor, input.moduleId);
  const issues: FieldIssue[] = [];
  checkDay(input.day, now, issues);
  if (issues.length) throw invalid(issues);
  const id = randomUUID();
  await exec(em, sql`insert into study_session (id, user_id, kind, day, minutes, module_id, note, status, recorded_by)
    values (${id}, ${actor.id}, ${input.kind}, ${input.day}, ${input.minutes}, ${input.moduleId ?? null}, ${input.note?.trim() ?? ''}, 'logged', ${actor.id})`);
  const [row] = await query<SessionRow>(em, sql`${SESSION_SELECT} where s.id = ${id}`);
  return sessionDto(row);
}

export interface AttendanceInput extends LogSessionInput { userIds: string[]; confirmDuplicate?: boolean }

interface LiveSessionRow { id: string; user_id: string; user_name: string; day_text: string; kind: SessionKind; minutes: number }

/** Live records (not withdrawn, not rejected) of these people, of one kind on one day, other than `except`. */
async function liveSessions(em: EntityManager, userIds: string[], day: string, kind: SessionKind, except: string | null = null) {
  return query<LiveSessionRow>(em, sql`
    select s.id, s.user_id, u.display_name as user_name, to_char(s.day, 'YYYY-MM-DD') as day_text, s.kind, s.minutes
      from study_session s join app_user u on u.id = s.user_id
     where s.user_id = any(${userIds}::uuid[]) and s.day = ${day}::date and s.kind = ${kind}
       and s.withdrawn_at is null and s.status <> 'rejected' and (${except}::uuid is null or s.id <> ${except}::uuid)
     order by u.display_name, s.created_at`);
}

const duplicateOf = (r: LiveSessionRow): DuplicateRecord => ({
  id: r.id, userId: r.user_id, name: r.user_name, day: r.day_text, kind: r.kind, minutes: r.minutes,
  reason: 'study.duplicate_person', params: { name: r.user_name, day: r.day_text, kind: `kind.${r.kind}`, minutes: r.minutes },
});

/**
 * A trainer or manager records a meeting or training for many people at once; those records count as confirmed.
 * People who already have a live record of the same kind on the same day are a duplicate: the request is refused
 * with 409 naming them, and nothing is written, unless it says `confirmDuplicate` (the person chose "record anyway").
 */
export async function recordAttendance(em: EntityManager, actor: Actor, input: AttendanceInput, now: Date): Promise<{ created: number }> {
  if (!can(actor, 'study.review')) throw forbidden();
  await checkModule(em, actor, input.moduleId);
  const issues: FieldIssue[] = [];
  checkDay(input.day, now, issues);
  const ids = [...new Set(input.userIds)];
  const inScope = await inScopeSql(em, actor);
  const found = await query<{ id: string }>(em, sql`
    select u.id from app_user u join org_unit o on o.id = u.org_unit_id
     where u.id = any(${ids}::uuid[]) and not u.disabled and ${inScope}`);
  const ok = new Set(found.map((r) => r.id));
  // Paths index the list as sent (duplicates included), so the form can mark the right entry.
  input.userIds.forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `userIds.${i}`, reason: 'study.unknown_person' }); });
  if (issues.length) throw invalid(issues);
  return em.transactional(async (tx) => {
    if (!input.confirmDuplicate) {
      const existing = await liveSessions(tx, ids, input.day, input.kind);
      if (existing.length) {
        const dupUsers = new Set(existing.map((r) => r.user_id));
        const paths: FieldIssue[] = [];
        input.userIds.forEach((id, i) => { if (dupUsers.has(id)) paths.push({ path: `userIds.${i}`, reason: 'study.duplicate_attendance' }); });
        throw duplicate('study.duplicate_attendance', existing.map(duplicateOf), paths);
      }
    }
    for (const userId of ids) {
      await exec(tx, sql`insert into study_session (id, user_id, kind, day, minutes, module_id, note, status, recorded_by, reviewed_by, reviewed_at)
        values (${randomUUID()}, ${userId}, ${input.kind}, ${input.day}, ${input.minutes}, ${input.moduleId ?? null}, ${input.note?.trim() ?? ''},
                'confirmed', ${actor.id}, ${actor.id}, ${now})`);
    }
    return { created: ids.length };
  });
}

/**
 * A session the actor may correct: in their scope (404 otherwise, as if it did not exist), not their own (nobody
 * corrects their own minutes), not withdrawn already.
 */
async function correctableSession(em: EntityManager, actor: Actor, id: string, lang: Lang): Promise<SessionRow> {
  if (!can(actor, 'study.correct')) throw forbidden();
  const inScope = await inScopeSql(em, actor);
  const [row] = await query<SessionRow>(em, sql`${sessionSelect(lang)} where s.id = ${id} and ${inScope}`);
  if (!row) throw notFound('study_session');
  if (row.user_id === actor.id) throw invalidField('reason', 'study.own_session');
  if (row.withdrawn_at) throw new AppError(409, 'conflict', { reason: 'correction.withdrawn' });
  return row;
}

export interface CorrectSessionInput {
  reason: string; minutes?: number; day?: string; kind?: SessionKind; note?: string; confirmDuplicate?: boolean;
}

/**
 * Corrects a study record's minutes, day, kind or note, with a reason; each changed field is kept in the audit
 * trail. Moving it onto a day and kind where the person already has a live record is a duplicate (409), unless
 * confirmed. The monthly totals read the record as it now stands.
 */
export async function correctStudySession(em: EntityManager, actor: Actor, id: string, input: CorrectSessionInput, now: Date, lang: Lang = 'zh') {
  return em.transactional(async (tx) => {
    const row = await correctableSession(tx, actor, id, lang);
    const issues: FieldIssue[] = [];
    const reason = correctionReason(input.reason, issues);
    if (input.day !== undefined) checkDay(input.day, now, issues);
    const changes: FieldChange[] = changesBetween(
      { minutes: row.minutes, day: row.day_text, kind: row.kind, note: row.note },
      { minutes: input.minutes, day: input.day, kind: input.kind, note: input.note?.trim() },
    );
    if (!issues.length && !changes.length) issues.push({ path: 'reason', reason: 'correction.nothing_changed' });
    if (issues.length) throw invalid(issues);
    const next = { day: input.day ?? row.day_text, kind: input.kind ?? row.kind };
    if (!input.confirmDuplicate && (next.day !== row.day_text || next.kind !== row.kind)) {
      const existing = await liveSessions(tx, [row.user_id], next.day, next.kind, row.id);
      if (existing.length) throw duplicate('study.duplicate_attendance', existing.map(duplicateOf), [{ path: 'day', reason: 'study.duplicate_attendance' }]);
    }
    const value = (f: string) => changes.find((c) => c.field === f)?.newValue;
    await exec(tx, sql`update study_session set
        minutes = coalesce(${(value('minutes') as number | undefined) ?? null}::int, minutes),
        day = coalesce(${(value('day') as string | undefined) ?? null}::date, day),
        kind = coalesce(${(value('kind') as string | undefined) ?? null}::text, kind),
        note = coalesce(${(value('note') as string | undefined) ?? null}::text, note)
      where id = ${id}`);
    await writeChanges(tx, 'study_session', id, 'update', changes, reason, actor.id, now);
    const [updated] = await query<SessionRow>(tx, sql`${sessionSelect(lang)} where s.id = ${id}`);
    return sessionDto(updated);
  });
}

/** Withdraws a study record entered by mistake, with a reason: it stays in the history and counts nowhere. */
export async function withdrawStudySession(em: EntityManager, actor: Actor, id: string, input: { reason: string }, now: Date, lang: Lang = 'zh') {
  return em.transactional(async (tx) => {
    await correctableSession(tx, actor, id, lang);
    const issues: FieldIssue[] = [];
    const reason = correctionReason(input.reason, issues);
    if (issues.length) throw invalid(issues);
    await exec(tx, sql`update study_session set withdrawn_at = ${now} where id = ${id}`);
    await writeChanges(tx, 'study_session', id, 'withdraw', [{ field: 'withdrawn', oldValue: false, newValue: true }], reason, actor.id, now);
    const [updated] = await query<SessionRow>(tx, sql`${sessionSelect(lang)} where s.id = ${id}`);
    return sessionDto(updated);
  });
}

/** The corrections of one study record, oldest first; the record must be in the actor's scope (404 otherwise). */
export async function studySessionHistory(em: EntityManager, actor: Actor, id: string) {
  if (!can(actor, 'study.correct')) throw forbidden();
  const inScope = await inScopeSql(em, actor);
  const [row] = await query<{ id: string }>(em, sql`select s.id from study_session s join app_user u on u.id = s.user_id
    join org_unit o on o.id = u.org_unit_id where s.id = ${id} and ${inScope}`);
  if (!row) throw notFound('study_session');
  return historyOf(em, 'study_session', id);
}

export interface ListSessionsInput { userId?: string; status?: string; from?: string; to?: string; limit: number; offset: number }

/** Staff see their own sessions; managers their subtree's; trainers and admins everybody's. */
export async function listStudySessions(em: EntityManager, actor: Actor, input: ListSessionsInput, lang: Lang = 'zh') {
  const own = actor.role === 'staff';
  const inScope = await inScopeSql(em, actor);
  const userId = own ? actor.id : (input.userId ?? null);
  const [status, from, to] = [input.status ?? null, input.from ?? null, input.to ?? null];
  const where = sql`
     where (${userId}::uuid is null or s.user_id = ${userId})
       and ${inScope}
       and (${status}::text is null or s.status = ${status})
       and (${from}::date is null or s.day >= ${from}::date) and (${to}::date is null or s.day <= ${to}::date)`;
  const rows = await query<SessionRow>(em, sql`${sessionSelect(lang)} ${where} order by s.day desc, s.created_at desc limit ${input.limit} offset ${input.offset}`);
  const [{ n }] = await query<{ n: number }>(em, sql`select count(*)::int as n from study_session s join app_user u on u.id = s.user_id join org_unit o on o.id = u.org_unit_id ${where}`);
  return { items: rows.map(sessionDto), total: Number(n) };
}

export async function reviewStudySession(em: EntityManager, actor: Actor, id: string, input: { status: 'confirmed' | 'rejected'; note?: string }, now: Date) {
  if (!can(actor, 'study.review')) throw forbidden();
  const inScope = await inScopeSql(em, actor);
  const [row] = await query<SessionRow>(em, sql`${SESSION_SELECT} where s.id = ${id} and ${inScope}`);
  if (!row) throw notFound('study_session');
  if (row.user_id === actor.id) throw invalidField('status', 'study.own_session');
  if (row.withdrawn_at) throw new AppError(409, 'conflict', { reason: 'correction.withdrawn' });
  await exec(em, sql`update study_session set status = ${input.status}, reviewed_by = ${actor.id}, reviewed_at = ${now},
    review_note = ${input.note?.trim() ?? ''} where id = ${id}`);
  const [updated] = await query<SessionRow>(em, sql`${SESSION_SELECT} where s.id = ${id}`);
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
  const reading = await query<{ user_id: string; seconds: number }>(em, sql`
    select user_id, sum(seconds)::int as seconds from study_daily
     where user_id = any(${userIds}::uuid[]) and day >= ${start}::date and day < (${start}::date + interval '1 month') group by user_id`);
  const completed = await query<{ user_id: string; n: number }>(em, sql`
    select user_id, count(*)::int as n from study_progress
     where user_id = any(${userIds}::uuid[]) and (completed_at at time zone 'Asia/Shanghai')::date >= ${start}::date
       and (completed_at at time zone 'Asia/Shanghai')::date < (${start}::date + interval '1 month') group by user_id`);
  const sessions = await query<{ user_id: string; kind: SessionKind; status: string; minutes: number }>(em, sql`
    select user_id, kind, status, sum(minutes)::int as minutes from study_session
     where user_id = any(${userIds}::uuid[]) and day >= ${start}::date and day < (${start}::date + interval '1 month') and status <> 'rejected'
       and withdrawn_at is null
     group by user_id, kind, status`);
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
      t.byKind[r.kind] += r.minutes;
    } else t.pendingMinutes += r.minutes;
  }
  return out;
}

export interface MonthlyReportInput { month: string; orgUnitId?: string; limit: number; offset: number }

/**
 * One page of the monthly totals of the staff the actor may see (optionally one unit's subtree), in username
 * order, with the number of people in all; nothing is left out silently.
 */
export async function monthlyStudyReport(em: EntityManager, actor: Actor, input: MonthlyReportInput) {
  const people = await listUsers(em, actor, { orgUnitId: input.orgUnitId, role: 'staff', limit: input.limit, offset: input.offset });
  const totals = await monthlyStudyTotals(em, input.month, people.items.map((u) => u.id));
  return {
    items: people.items.map((u) => ({ ...totals.get(u.id)!, displayName: u.displayName, username: u.username })),
    total: people.total,
  };
}
