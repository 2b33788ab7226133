import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { duplicate, forbidden, invalid, notFound, type FieldIssue } from '../../lib/errors.js';
import type { Lang } from '../../lib/i18n.js';
import { exec, query, sql } from '../../lib/sql.js';
import { changesBetween, correctionReason, historyOf, writeChanges } from '../corrections/corrections.repository.js';
import { activeLearner, audienceOf, audienceReaches, personOf } from '../../access/audience.js';
import { scopeCondition, scopeOf, scopePathOf, unitScopeCondition, type Scope } from '../../access/scope.js';
import { Assignment } from './assignment.entity.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { listModules } from '../courses/courses.service.js';

export interface CreateAssignmentInput {
  targetType: 'module' | 'track';
  targetId: string;
  positions?: string[];
  orgUnitIds?: string[];
  userIds?: string[];
  dueOn?: string | null;
  note?: string;
  /** The person saw that the same assignment exists and chose to make it again. */
  confirmDuplicate?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The date in China (UTC+8, no daylight saving) `days` days from `now`: due dates are China days. */
const chinaDay = (now: Date, days = 0) => new Date(now.getTime() + 8 * 3600_000 + days * 86400_000).toISOString().slice(0, 10);

/**
 * Assigns a module or a whole track. Audience: the people listed, plus everyone matching the positions and org units
 * given (both filters apply together; an empty one means any). A manager's assignment reaches only their subtree.
 */
export async function createAssignment(em: EntityManager, actor: Actor, input: CreateAssignmentInput, now: Date, lang: Lang = 'zh') {
  if (!can(actor, 'assignments.manage')) throw forbidden();
  const issues: FieldIssue[] = [];
  const positions = [...new Set(input.positions ?? [])];
  const orgUnitIds = [...new Set(input.orgUnitIds ?? [])];
  const userIds = [...new Set(input.userIds ?? [])];
  if (!positions.length && !orgUnitIds.length && !userIds.length) issues.push({ path: 'userIds', reason: 'assignment.no_audience' });
  if (input.targetType === 'module') {
    // A target that is not a uuid is simply unknown (casting it would fail the query).
    const [m] = UUID.test(input.targetId)
      ? await query<{ one: number }>(em, sql`select 1 as one from course_module where id = ${input.targetId}::uuid and published_revision_id is not null and archived_at is null`)
      : [];
    if (!m) issues.push({ path: 'targetId', reason: 'course.unknown_module' });
  } else {
    const [t] = await query<{ one: number }>(em, sql`select 1 as one from track where id = ${input.targetId} and archived_at is null`);
    if (!t) issues.push({ path: 'targetId', reason: 'course.unknown_track' });
  }
  if (input.dueOn && input.dueOn < chinaDay(now)) issues.push({ path: 'dueOn', reason: 'assignment.past_due' });
  const scope = await scopeOf(em, actor);
  await checkAudience(em, scope, input, issues);
  if (issues.length) throw invalid(issues);
  const scopePath = scopePathOf(scope);
  return em.transactional(async (tx) => {
    if (!input.confirmDuplicate) await refuseDuplicate(tx, actor, lang, { targetType: input.targetType, targetId: input.targetId, positions, orgUnitIds, userIds, scopePath });
    const id = randomUUID();
    tx.create(Assignment, {
      id, targetType: input.targetType, moduleId: input.targetType === 'module' ? input.targetId : null,
      trackId: input.targetType === 'track' ? input.targetId : null, positions, orgUnitIds, userIds,
      scopePath, dueOn: input.dueOn ?? null, note: input.note?.trim() ?? '', createdBy: actor.id, createdAt: now,
    });
    await tx.flush();
    return (await listAssignments(tx, actor, lang, id))[0];
  });
}

/** Units and people of an audience must exist and lie in the actor's scope; paths index the lists as sent. */
async function checkAudience(em: EntityManager, scope: Scope, input: { orgUnitIds?: string[]; userIds?: string[] }, issues: FieldIssue[]) {
  const orgUnitIds = [...new Set(input.orgUnitIds ?? [])];
  const userIds = [...new Set(input.userIds ?? [])];
  if (orgUnitIds.length) {
    const units = await query<{ id: string }>(em, sql`select u.id from org_unit u
      where u.id = any(${orgUnitIds}::uuid[]) and u.archived_at is null and ${unitScopeCondition(scope, sql`u.path`)}`);
    const ok = new Set(units.map((u) => u.id));
    // Paths index the lists as sent (duplicates included), so the form can mark the right entry.
    (input.orgUnitIds ?? []).forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `orgUnitIds.${i}`, reason: 'org_unit.unknown' }); });
  }
  if (userIds.length) {
    const users = await query<{ id: string }>(em, sql`select u.id from app_user u join org_unit o on o.id = u.org_unit_id
      where u.id = any(${userIds}::uuid[]) and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`);
    const ok = new Set(users.map((u) => u.id));
    (input.userIds ?? []).forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `userIds.${i}`, reason: 'study.unknown_person' }); });
  }
}

interface AudienceKey {
  targetType: 'module' | 'track'; targetId: string; positions: string[]; orgUnitIds: string[]; userIds: string[]; scopePath: string | null;
}

/**
 * An active assignment (not withdrawn) of the same target to the same audience (the same positions, units and people,
 * in any order, limited to the same subtree) is a duplicate: 409 naming it, nothing written.
 */
async function refuseDuplicate(em: EntityManager, actor: Actor, lang: Lang, k: AudienceKey, except: string | null = null) {
  const sorted = (xs: string[]) => [...xs].sort();
  const rows = await query<{ id: string }>(em, sql`
    select a.id from assignment a
     where a.archived_at is null and a.target_type = ${k.targetType}
       and coalesce(a.module_id::text, a.track_id) = ${k.targetId}
       and a.scope_path is not distinct from ${k.scopePath}::text
       and array(select x from unnest(a.positions) x order by x) = ${sorted(k.positions)}::text[]
       and array(select x from unnest(a.org_unit_ids) x order by x) = ${sorted(k.orgUnitIds)}::uuid[]
       and array(select x from unnest(a.user_ids) x order by x) = ${sorted(k.userIds)}::uuid[]
       and (${except}::uuid is null or a.id <> ${except}::uuid)
     order by a.created_at`);
  if (!rows.length) return;
  const existing = (await Promise.all(rows.map(async (r) => (await listAssignments(em, actor, lang, r.id, true))[0]))).filter((a) => a);
  throw duplicate('assignment.duplicate', existing.map((a) => ({
    id: a.id, name: a.title, day: a.dueOn ?? undefined, reason: 'assignment.duplicate_of',
    params: { name: a.title, created: a.createdAt.slice(0, 10) },
  })), [{ path: 'targetId', reason: 'assignment.duplicate' }]);
}

/** The people an assignment `a` reaches: active staff matching its audience, as SQL over `app_user u join org_unit o`. */
const REACHED = sql`${activeLearner('u')} and ${audienceReaches(audienceOf('a'), personOf('u', 'o'))}`;

interface AssignmentRow {
  id: string; target_type: 'module' | 'track'; module_id: string | null; track_id: string | null; positions: string[];
  org_unit_ids: string[]; user_ids: string[]; due_on: string | null; note: string; created_at: Date; created_by_name: string;
  title_zh: string | null; title_en: string | null; people: number; editable: boolean;
}

/**
 * Assignments the viewer may see: everything for whole-organisation roles; for a manager, those made inside their
 * subtree and those made above it that reach at least one of their people. Anything else does not exist for them.
 */
const visibleAssignment = (scope: Scope) =>
  scope.kind === 'all' ? sql`true`
    : scope.kind === 'subtree' ? sql`(a.scope_path like ${scope.path} || '%' or exists (
        select 1 from app_user u join org_unit o on o.id = u.org_unit_id where ${REACHED} and o.path like ${scope.path} || '%'))`
      : sql`false`;

/** The named people and units of an assignment as the viewer may see them (a manager: only those in their subtree). */
const visibleIds = (scope: Scope) => scope.kind === 'all'
  ? sql`a.user_ids as user_ids, a.org_unit_ids as org_unit_ids`
  : sql`array(select x.id from unnest(a.user_ids) as x(id) join app_user u on u.id = x.id join org_unit o on o.id = u.org_unit_id
                where ${scopeCondition(scope, sql`o.path`, sql`u.id`)}) as user_ids,
        array(select x.id from unnest(a.org_unit_ids) as x(id) join org_unit o on o.id = x.id
                where ${unitScopeCondition(scope, sql`o.path`)}) as org_unit_ids`;

/** Whether the viewer may change or withdraw an assignment: one made within their scope (a manager: their subtree). */
const editableAssignment = (scope: Scope) =>
  scope.kind === 'all' ? sql`true` : scope.kind === 'subtree' ? sql`(a.scope_path like ${scope.path} || '%')` : sql`false`;

/**
 * The assignments the viewer may see, newest first (`onlyId`: just that one). A duplicate check names an assignment
 * the viewer may not otherwise see only by its title (`anyVisible`), never its audience.
 */
export async function listAssignments(em: EntityManager, actor: Actor, lang: Lang, onlyId?: string, anyVisible = false) {
  if (!can(actor, 'assignments.manage')) throw forbidden();
  const scope = await scopeOf(em, actor);
  const rows = await query<AssignmentRow>(em, sql`
    select a.id, a.target_type, a.module_id, a.track_id, a.positions, ${visibleIds(scope)}, to_char(a.due_on, 'YYYY-MM-DD') as due_on,
           a.note, a.created_at, cb.display_name as created_by_name,
           coalesce(t.title_zh, (select r.locales->'zh'->>'title' from module_revision r where r.id = m.published_revision_id)) as title_zh,
           coalesce(t.title_en, (select r.locales->'en'->>'title' from module_revision r where r.id = m.published_revision_id)) as title_en,
           (select count(*) from app_user u join org_unit o on o.id = u.org_unit_id where ${REACHED}
              and ${scopeCondition(scope, sql`o.path`, sql`u.id`)})::int as people,
           ${editableAssignment(scope)} as editable
      from assignment a join app_user cb on cb.id = a.created_by
      left join track t on t.id = a.track_id left join course_module m on m.id = a.module_id
     where a.archived_at is null and (${onlyId ?? null}::uuid is null or a.id = ${onlyId ?? null})
       and (${anyVisible}::boolean or ${visibleAssignment(scope)})
     order by a.created_at desc`);
  return rows.map((r) => ({
    id: r.id, targetType: r.target_type, targetId: r.module_id ?? r.track_id ?? '', title: (lang === 'zh' ? r.title_zh ?? r.title_en : r.title_en ?? r.title_zh) ?? '',
    positions: r.positions, orgUnitIds: r.org_unit_ids, userIds: r.user_ids, dueOn: r.due_on, note: r.note,
    createdBy: r.created_by_name, createdAt: new Date(r.created_at).toISOString(), people: r.people, editable: r.editable,
  }));
}

/** An assignment the actor may correct: made within their scope and not withdrawn; anything else answers 404. */
async function correctableAssignment(em: EntityManager, actor: Actor, id: string) {
  if (!can(actor, 'assignments.correct')) throw forbidden();
  const scope = await scopeOf(em, actor);
  const [row] = await query<{ id: string; target_type: 'module' | 'track'; target_id: string; positions: string[]; org_unit_ids: string[];
    user_ids: string[]; due_on: string | null; note: string; scope_path: string | null }>(em, sql`
    select a.id, a.target_type, coalesce(a.module_id::text, a.track_id) as target_id, a.positions, a.org_unit_ids, a.user_ids,
           to_char(a.due_on, 'YYYY-MM-DD') as due_on, a.note, a.scope_path
      from assignment a where a.id = ${id} and a.archived_at is null and ${editableAssignment(scope)}`);
  if (!row) throw notFound('assignment');
  return { row, scope };
}

export interface CorrectAssignmentInput {
  reason: string; dueOn?: string | null; note?: string; positions?: string[]; orgUnitIds?: string[]; userIds?: string[]; confirmDuplicate?: boolean;
}

/**
 * Changes an assignment's due date, note or audience, with a reason; each changed field is kept in the audit trail.
 * An audience that becomes the same as another active assignment of the same target is a duplicate (409) unless
 * confirmed.
 */
export async function correctAssignment(em: EntityManager, actor: Actor, id: string, input: CorrectAssignmentInput, now: Date, lang: Lang = 'zh') {
  return em.transactional(async (tx) => {
    const { row, scope } = await correctableAssignment(tx, actor, id);
    const issues: FieldIssue[] = [];
    const reason = correctionReason(input.reason, issues);
    if (input.dueOn && input.dueOn < chinaDay(now) && input.dueOn !== row.due_on) issues.push({ path: 'dueOn', reason: 'assignment.past_due' });
    await checkAudience(tx, scope, input, issues);
    const next = {
      positions: input.positions ? [...new Set(input.positions)] : undefined,
      orgUnitIds: input.orgUnitIds ? [...new Set(input.orgUnitIds)] : undefined,
      userIds: input.userIds ? [...new Set(input.userIds)] : undefined,
    };
    const audience = {
      positions: next.positions ?? row.positions, orgUnitIds: next.orgUnitIds ?? row.org_unit_ids, userIds: next.userIds ?? row.user_ids,
    };
    if (!audience.positions.length && !audience.orgUnitIds.length && !audience.userIds.length) issues.push({ path: 'userIds', reason: 'assignment.no_audience' });
    const changes = changesBetween(
      { dueOn: row.due_on, note: row.note, positions: row.positions, orgUnitIds: row.org_unit_ids, userIds: row.user_ids },
      { dueOn: input.dueOn, note: input.note?.trim(), ...next },
    );
    if (!issues.length && !changes.length) issues.push({ path: 'reason', reason: 'correction.nothing_changed' });
    if (issues.length) throw invalid(issues);
    if (!input.confirmDuplicate && changes.some((c) => c.field in next)) {
      await refuseDuplicate(tx, actor, lang, { targetType: row.target_type, targetId: row.target_id, ...audience, scopePath: row.scope_path }, id);
    }
    const has = (f: string) => changes.some((c) => c.field === f);
    await exec(tx, sql`update assignment set
        due_on = case when ${has('dueOn')}::boolean then ${input.dueOn ?? null}::date else due_on end,
        note = case when ${has('note')}::boolean then ${input.note?.trim() ?? ''}::text else note end,
        positions = ${audience.positions}::text[], org_unit_ids = ${audience.orgUnitIds}::uuid[], user_ids = ${audience.userIds}::uuid[]
      where id = ${id}`);
    await writeChanges(tx, 'assignment', id, 'update', changes, reason, actor.id, now);
    return (await listAssignments(tx, actor, lang, id))[0];
  });
}

/** Withdraws an assignment, with a reason: it leaves everyone's My learning and the lists; its history stays. */
export async function withdrawAssignment(em: EntityManager, actor: Actor, id: string, input: { reason: string }, now: Date) {
  return em.transactional(async (tx) => {
    await correctableAssignment(tx, actor, id);
    const issues: FieldIssue[] = [];
    const reason = correctionReason(input.reason, issues);
    if (issues.length) throw invalid(issues);
    await exec(tx, sql`update assignment set archived_at = ${now} where id = ${id}`);
    await writeChanges(tx, 'assignment', id, 'withdraw', [{ field: 'withdrawn', oldValue: false, newValue: true }], reason, actor.id, now);
    return { id, withdrawn: true };
  });
}

/** The changes of an assignment the viewer may see (withdrawn ones included), oldest first; otherwise 404. */
export async function assignmentHistory(em: EntityManager, actor: Actor, id: string) {
  if (!can(actor, 'assignments.correct')) throw forbidden();
  const scope = await scopeOf(em, actor);
  const [found] = await query<{ id: string }>(em, sql`select a.id from assignment a where a.id = ${id} and ${visibleAssignment(scope)}`);
  if (!found) throw notFound('assignment');
  return historyOf(em, 'assignment', id);
}

/** Completion per person for one assignment, limited to the viewer's subtree (a manager sees only their people). */
export async function assignmentCompletion(em: EntityManager, actor: Actor, id: string) {
  if (!can(actor, 'assignments.manage')) throw forbidden();
  const scope = await scopeOf(em, actor);
  const [found] = await query<{ id: string }>(em, sql`select a.id from assignment a
    where a.id = ${id} and a.archived_at is null and ${visibleAssignment(scope)}`);
  if (!found) throw notFound('assignment');
  const rows = await query<{ id: string; username: string; display_name: string; unit: string; total: number; done: number; seconds: number }>(em, sql`
    with a as (select * from assignment where id = ${id}),
    mods as (select m.id from a join course_module m on (m.id = a.module_id or m.track_id = a.track_id)
              where m.published_revision_id is not null and m.archived_at is null)
    select u.id, u.username, u.display_name, o.name as unit,
           (select count(*) from mods)::int as total,
           (select count(*) from study_progress p where p.user_id = u.id and p.module_id in (select id from mods) and p.completed_at is not null)::int as done,
           (select coalesce(sum(p.seconds_spent), 0) from study_progress p where p.user_id = u.id and p.module_id in (select id from mods))::int as seconds
      from a, app_user u join org_unit o on o.id = u.org_unit_id
     where ${REACHED} and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}
     order by o.path, u.username`);
  return rows.map((r) => ({
    userId: r.id, username: r.username, displayName: r.display_name, orgUnitName: r.unit, modulesTotal: r.total, modulesDone: r.done,
    minutes: Math.round(r.seconds / 60), complete: r.total > 0 && r.done === r.total,
  }));
}

export interface AssignmentSummary {
  /** People in the viewer's scope whom at least one live assignment reaches. */
  people: number;
  /** Of them, those who have completed every module assigned to them. */
  peopleDone: number;
  /** Of them, those with at least one assigned module past its due date and not complete. */
  peopleOverdue: number;
  /** Each person and assigned module once (a module assigned twice counts once, at its earliest due date). */
  modules: number;
  modulesDone: number;
  modulesOverdue: number;
}

/**
 * Where the assignments stand over the people the viewer may see (a department head: their subtree; trainers and
 * admins: everyone), for the head's home page. Done is the module's completion as the learner sees it; overdue is
 * not complete after its due date (a China day), as on the learner's own home.
 */
export async function assignmentSummary(em: EntityManager, actor: Actor, now: Date): Promise<AssignmentSummary> {
  if (!can(actor, 'assignments.manage')) throw forbidden();
  const scope = await scopeOf(em, actor);
  const [r] = await query<{ people: number; people_done: number; people_overdue: number; modules: number; modules_done: number; modules_overdue: number }>(em, sql`
    with pairs as (
      select u.id as user_id, m.id as module_id, min(a.due_on) as due_on
        from assignment a join course_module m on (m.id = a.module_id or m.track_id = a.track_id)
        cross join app_user u join org_unit o on o.id = u.org_unit_id
       where a.archived_at is null and m.published_revision_id is not null and m.archived_at is null
         and ${REACHED} and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}
       group by u.id, m.id
    ),
    state as (
      select x.user_id, p.completed_at is not null as done, (p.completed_at is null and x.due_on < ${chinaDay(now)}::date) as overdue
        from pairs x left join study_progress p on p.user_id = x.user_id and p.module_id = x.module_id
    ),
    per_person as (select user_id, bool_and(done) as all_done, bool_or(overdue) as any_overdue from state group by user_id)
    select (select count(*) from per_person)::int as people,
           (select count(*) from per_person where all_done)::int as people_done,
           (select count(*) from per_person where any_overdue)::int as people_overdue,
           (select count(*) from state)::int as modules,
           (select count(*) from state where done)::int as modules_done,
           (select count(*) from state where overdue)::int as modules_overdue`);
  return {
    people: r.people, peopleDone: r.people_done, peopleOverdue: r.people_overdue,
    modules: r.modules, modulesDone: r.modules_done, modulesOverdue: r.modules_overdue,
  };
}

const DUE_SOON_DAYS = 7;
/** Modules read of one's own accord (not assigned) shown under "continue reading" at most. */
const CONTINUE_OWN_MAX = 5;

/**
 * The learner's own view. Each module appears in one group only: an assigned module not yet complete is overdue
 * (past its due date), due soon (within a week), being read (started), or to study (not started); a complete
 * assigned module is done. Modules started without an assignment are under "continue reading" too, the ones
 * furthest along first. Every item carries the module's completion measure and its due date.
 */
export async function getMyLearning(em: EntityManager, actor: Actor, lang: Lang, now: Date) {
  const modules = await listModules(em, actor, lang, {});
  const today = chinaDay(now);
  const soon = chinaDay(now, DUE_SOON_DAYS);
  const item = (m: (typeof modules)[number]) => ({
    id: m.id, slug: m.slug, title: m.title, trackId: m.trackId, minutes: m.minutes, dueOn: m.assignment?.dueOn ?? null,
    completedAt: m.progress?.completedAt ?? null, secondsSpent: m.progress?.secondsSpent ?? 0, completion: m.completion,
  });
  const assigned = modules.filter((m) => m.assignment);
  const open = assigned.filter((m) => !m.completion.complete);
  const due = (m: (typeof modules)[number]) => m.assignment?.dueOn ?? null;
  const overdue = open.filter((m) => { const d = due(m); return d !== null && d < today; });
  const dueSoon = open.filter((m) => { const d = due(m); return d !== null && d >= today && d <= soon; });
  const urgent = new Set([...overdue, ...dueSoon].map((m) => m.id));
  const calm = open.filter((m) => !urgent.has(m.id));
  const byDue = (a: (typeof modules)[number], b: (typeof modules)[number]) => (due(a) ?? '9999').localeCompare(due(b) ?? '9999');
  const ownStarted = modules.filter((m) => !m.assignment && m.progress && !m.completion.complete)
    .sort((a, b) => b.completion.percent - a.completion.percent).slice(0, CONTINUE_OWN_MAX);
  return {
    overdue: overdue.sort(byDue).map(item),
    dueSoon: dueSoon.sort(byDue).map(item),
    assigned: calm.filter((m) => !m.progress).sort(byDue).map(item),
    continueReading: [...calm.filter((m) => m.progress).sort(byDue), ...ownStarted].map(item),
    done: assigned.filter((m) => m.completion.complete).map(item),
    totals: {
      assigned: assigned.length, done: assigned.filter((m) => m.completion.complete).length,
      minutes: Math.round(modules.reduce((s, m) => s + (m.progress?.secondsSpent ?? 0), 0) / 60),
    },
  };
}
