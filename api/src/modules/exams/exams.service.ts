import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { AppError, invalid, notFound, type FieldIssue } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { exec, query, sql } from '../../lib/sql.js';
import { activeLearner, audienceOf, audienceReaches, personOf } from '../../access/audience.js';
import { scopeCondition, scopeOf, scopePathOf, unitScopeCondition, type Scope } from '../../access/scope.js';
import type { Actor } from '../../access/actor.js';
import { Exam, ExamItem, ExamOverride, type IExam } from './exam.entity.js';
import { examState } from './exam-rules.js';
import { blueprintFacts, blueprintOf, checkBlueprint, type BlueprintItem } from './blueprint.js';
import type { CreateExamInput, ListExamsFilter, MakeUpInput, SetOverrideInput, UpdateExamInput } from './exams.schemas.js';
import './exams-messages.js';

/** A 409 whose detail says why in the request's language, and names the field. */
const refused = (lang: Lang, reason: string, path: string) =>
  new AppError(409, 'conflict', { reason: t(lang, reason) }, [{ path, reason }]);

/** The people an exam `e` reaches: active staff matching its audience, over `app_user u join org_unit o`. */
const REACHED = sql`${activeLearner('u')} and ${audienceReaches(audienceOf('e'), personOf('u', 'o'))}`;

/**
 * Exams a viewer may see: all for whole-organisation roles; for a manager, those made inside their subtree and those
 * made above it that reach at least one of their people.
 */
const visibleExam = (scope: Scope) =>
  scope.kind === 'all' ? sql`true`
    : scope.kind === 'subtree' ? sql`(e.scope_path like ${scope.path} || '%' or exists (
        select 1 from app_user u join org_unit o on o.id = u.org_unit_id where ${REACHED} and o.path like ${scope.path} || '%'))`
      : sql`false`;

/** Exams a viewer may change: made within their scope. */
const editableExam = (scope: Scope) =>
  scope.kind === 'all' ? sql`true` : scope.kind === 'subtree' ? sql`(e.scope_path like ${scope.path} || '%')` : sql`false`;

const stateSql = (now: Date) => sql`(case when e.status = 'draft' then 'draft' when e.status = 'archived' then 'archived'
  when ${now}::timestamptz < e.opens_at then 'scheduled' when ${now}::timestamptz < e.closes_at then 'open' else 'closed' end)`;

const titleOf = (e: { titleZh: string; titleEn: string }, lang: Lang) => (lang === 'en' && e.titleEn ? e.titleEn : e.titleZh);
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

async function findExam(em: EntityManager, actor: Actor, id: string, mode: 'see' | 'edit') {
  const scope = await scopeOf(em, actor);
  const [row] = await query<{ id: string; editable: boolean }>(em, sql`
    select e.id, ${editableExam(scope)} as editable from exam e where e.id = ${id} and ${mode === 'edit' ? editableExam(scope) : visibleExam(scope)}`);
  if (!row) throw notFound('exam');
  const exam = await em.findOneOrFail(Exam, { id }, { refresh: true });
  return { exam, scope, editable: row.editable };
}

/** Units and people of an audience exist and lie in the actor's scope; paths index the lists as sent. */
async function checkAudienceIds(em: EntityManager, scope: Scope, input: { orgUnitIds?: string[]; userIds?: string[] }, issues: FieldIssue[]) {
  if (input.orgUnitIds?.length) {
    const ok = new Set((await query<{ id: string }>(em, sql`select u.id from org_unit u
      where u.id = any(${[...new Set(input.orgUnitIds)]}::uuid[]) and u.archived_at is null and ${unitScopeCondition(scope, sql`u.path`)}`)).map((r) => r.id));
    input.orgUnitIds.forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `orgUnitIds.${i}`, reason: 'org_unit.unknown' }); });
  }
  if (input.userIds?.length) {
    const ok = new Set((await query<{ id: string }>(em, sql`select u.id from app_user u join org_unit o on o.id = u.org_unit_id
      where u.id = any(${[...new Set(input.userIds)]}::uuid[]) and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`)).map((r) => r.id));
    input.userIds.forEach((id, i) => { if (!ok.has(id)) issues.push({ path: `userIds.${i}`, reason: 'study.unknown_person' }); });
  }
}

/** The definition fields an exam row holds, as the checks read them. */
interface Definition {
  opensAt: Date; closesAt: Date; passMark: number; positions: string[]; orgUnitIds: string[]; userIds: string[]; items: BlueprintItem[];
}

function itemsOfRows(rows: { kind: 'fixed' | 'random'; questionId?: string | null; categoryId?: string | null; tag?: string | null;
  difficulty?: number | null; drawCount: number; points?: number | null }[]): BlueprintItem[] {
  return rows.map((r) => r.kind === 'fixed'
    ? { kind: 'fixed', questionId: r.questionId ?? '', points: r.points ?? null }
    : { kind: 'random', categoryId: r.categoryId ?? null, tag: r.tag ?? null, difficulty: r.difficulty ?? null, drawCount: r.drawCount, points: r.points ?? null });
}

const normalItem = (i: BlueprintItem) => JSON.stringify(i.kind === 'fixed'
  ? ['fixed', i.questionId, i.points ?? null]
  : ['random', i.categoryId ?? null, i.tag?.trim() || null, i.difficulty ?? null, i.drawCount, i.points ?? null]);

/**
 * Checks a whole definition: the window, the blueprint against the bank, the pass mark against the maximum; for a
 * published exam (or one being published) also that the audience names someone who exists and that there are questions.
 */
async function checkDefinition(em: EntityManager, def: Definition, issues: FieldIssue[], published: boolean, examId?: string) {
  if (def.closesAt.getTime() <= def.opensAt.getTime()) issues.push({ path: 'closesAt', reason: 'exam.closes_before_opens' });
  const { maxPoints } = await checkBlueprint(em, def.items, issues);
  if (def.passMark > maxPoints && (def.items.length || def.passMark > 0)) {
    issues.push({ path: 'passMark', reason: 'exam.pass_mark_above_max', params: { max: maxPoints } });
  }
  if (!published) return;
  if (!def.items.length) issues.push({ path: 'items', reason: 'exam.no_items' });
  if (!def.positions.length && !def.orgUnitIds.length && !def.userIds.length) issues.push({ path: 'audience', reason: 'exam.no_audience' });
  else if (examId) {
    const [{ n }] = await query<{ n: number }>(em, sql`select count(*)::int as n from exam e, app_user u join org_unit o on o.id = u.org_unit_id
      where e.id = ${examId} and ${REACHED}`);
    if (n === 0) issues.push({ path: 'audience', reason: 'exam.audience_reaches_nobody' });
  }
}

function writeItems(em: EntityManager, examId: string, items: readonly BlueprintItem[]) {
  items.forEach((item, position) => {
    em.create(ExamItem, item.kind === 'fixed'
      ? { id: randomUUID(), examId, position, kind: 'fixed', questionId: item.questionId, questionVersionId: null, categoryId: null, tag: null, difficulty: null, drawCount: 1, points: item.points ?? null }
      : { id: randomUUID(), examId, position, kind: 'random', questionId: null, questionVersionId: null, categoryId: item.categoryId ?? null,
        tag: item.tag?.trim() || null, difficulty: item.difficulty ?? null, drawCount: item.drawCount, points: item.points ?? null });
  });
}

/** Pins each fixed question of an exam to its current version. */
const pinVersions = (em: EntityManager, examId: string) => exec(em, sql`update exam_item i set question_version_id = q.current_version_id
  from question q where q.id = i.question_id and i.exam_id = ${examId} and i.kind = 'fixed'`);

const attemptCount = async (em: EntityManager, examId: string) =>
  (await query<{ n: number }>(em, sql`select count(*)::int as n from exam_attempt where exam_id = ${examId}`))[0].n;

export async function createExam(em: EntityManager, actor: Actor, input: CreateExamInput, now: Date, lang: Lang) {
  const scope = await scopeOf(em, actor);
  const issues: FieldIssue[] = [];
  if (!input.titleZh.trim()) issues.push({ path: 'titleZh', reason: 'field.required' });
  const def: Definition = {
    opensAt: new Date(input.opensAt), closesAt: new Date(input.closesAt), passMark: input.passMark ?? 0,
    positions: [...new Set(input.positions ?? [])], orgUnitIds: [...new Set(input.orgUnitIds ?? [])], userIds: [...new Set(input.userIds ?? [])],
    items: blueprintOf(input.items ?? [], issues),
  };
  await checkAudienceIds(em, scope, input, issues);
  await checkDefinition(em, def, issues, false);
  if (issues.length) throw invalid(issues);
  const id = randomUUID();
  await em.transactional(async (tx) => {
    tx.create(Exam, {
      id, titleZh: input.titleZh.trim(), titleEn: input.titleEn?.trim() ?? '', descriptionZh: input.descriptionZh ?? '', descriptionEn: input.descriptionEn ?? '',
      kind: input.kind, period: input.period, status: 'draft', opensAt: def.opensAt, closesAt: def.closesAt,
      timeLimitMinutes: input.timeLimitMinutes ?? null, attemptsAllowed: input.attemptsAllowed ?? 1, attemptWaitMinutes: input.attemptWaitMinutes ?? 0,
      gradingMethod: input.gradingMethod ?? 'highest', passMark: def.passMark, navigation: input.navigation ?? 'free',
      shuffleQuestions: input.shuffleQuestions ?? true, shuffleOptions: input.shuffleOptions ?? true, reviewWhen: input.reviewWhen ?? 'after_close',
      reviewScore: input.reviewScore ?? true, reviewCorrectness: input.reviewCorrectness ?? true, reviewAnswers: input.reviewAnswers ?? false,
      reviewFeedback: input.reviewFeedback ?? false, graceSeconds: input.graceSeconds ?? 120,
      positions: def.positions, orgUnitIds: def.orgUnitIds, userIds: def.userIds, scopePath: scopePathOf(scope), makeupOf: null,
      createdBy: actor.id, createdAt: now, updatedAt: now, publishedAt: null,
    });
    await tx.flush();
    writeItems(tx, id, def.items);
    await tx.flush();
  });
  return getExam(em, actor, id, now, lang);
}

const SETTINGS = ['titleEn', 'descriptionZh', 'descriptionEn', 'kind', 'period', 'timeLimitMinutes', 'attemptsAllowed', 'attemptWaitMinutes',
  'gradingMethod', 'passMark', 'navigation', 'shuffleQuestions', 'shuffleOptions', 'reviewWhen', 'reviewScore', 'reviewCorrectness',
  'reviewAnswers', 'reviewFeedback', 'graceSeconds'] as const;

/**
 * Changes a definition. A published exam stays checked as at publishing; once anyone has an attempt its questions
 * are locked (409: clone it), while its window, texts and settings may still change.
 */
export async function updateExam(em: EntityManager, actor: Actor, id: string, input: UpdateExamInput, now: Date, lang: Lang) {
  await em.transactional(async (tx) => {
    const { exam, scope } = await findExam(tx, actor, id, 'edit');
    if (exam.status === 'archived') throw refused(lang, 'exam.archived', 'status');
    const stored = itemsOfRows(await tx.find(ExamItem, { examId: id }, { orderBy: { position: 'asc' } }));
    const issues: FieldIssue[] = [];
    const sent = input.items === undefined ? undefined : blueprintOf(input.items, issues);
    const itemsChanged = sent !== undefined
      && (sent.length !== stored.length || sent.some((it, i) => normalItem(it) !== normalItem(stored[i])));
    if (itemsChanged && exam.status === 'published' && await attemptCount(tx, id) > 0) throw refused(lang, 'exam.blueprint_locked', 'items');
    if (input.titleZh !== undefined && !input.titleZh.trim()) issues.push({ path: 'titleZh', reason: 'field.required' });
    await checkAudienceIds(tx, scope, input, issues);
    if (input.titleZh !== undefined) exam.titleZh = input.titleZh.trim();
    for (const k of SETTINGS) if (input[k] !== undefined) (exam as Record<string, unknown>)[k] = typeof input[k] === 'string' && k.startsWith('title') ? (input[k] as string).trim() : input[k];
    if (input.opensAt) exam.opensAt = new Date(input.opensAt);
    if (input.closesAt) exam.closesAt = new Date(input.closesAt);
    if (input.positions) exam.positions = [...new Set(input.positions)];
    if (input.orgUnitIds) exam.orgUnitIds = [...new Set(input.orgUnitIds)];
    if (input.userIds) exam.userIds = [...new Set(input.userIds)];
    exam.updatedAt = now;
    await tx.flush();
    const items = sent && itemsChanged ? sent : stored;
    await checkDefinition(tx, { ...exam, passMark: Number(exam.passMark), items }, issues, exam.status === 'published', id);
    if (issues.length) throw invalid(issues);
    if (itemsChanged) {
      await exec(tx, sql`delete from exam_item where exam_id = ${id}`);
      writeItems(tx, id, items);
      await tx.flush();
      if (exam.status === 'published') await pinVersions(tx, id);
    }
  });
  return getExam(em, actor, id, now, lang);
}

/** draft → published: the whole definition is checked, and each fixed question is pinned to its current version. */
export async function publishExam(em: EntityManager, actor: Actor, id: string, now: Date, lang: Lang) {
  await em.transactional(async (tx) => {
    const { exam } = await findExam(tx, actor, id, 'edit');
    if (exam.status !== 'draft') throw refused(lang, 'exam.not_draft', 'status');
    const items = itemsOfRows(await tx.find(ExamItem, { examId: id }, { orderBy: { position: 'asc' } }));
    const issues: FieldIssue[] = [];
    await checkDefinition(tx, { ...exam, passMark: Number(exam.passMark), items }, issues, true, id);
    if (issues.length) throw invalid(issues);
    await pinVersions(tx, id);
    await exec(tx, sql`update exam set status = 'published', published_at = ${now}, updated_at = ${now} where id = ${id}`);
  });
  return getExam(em, actor, id, now, lang);
}

/** Takes an exam off every list (its attempts and results stay). */
export async function archiveExam(em: EntityManager, actor: Actor, id: string, now: Date, lang: Lang) {
  await em.transactional(async (tx) => {
    const { exam } = await findExam(tx, actor, id, 'edit');
    if (exam.status === 'archived') throw refused(lang, 'exam.archived', 'status');
    await exec(tx, sql`update exam set status = 'archived', updated_at = ${now} where id = ${id}`);
  });
  return getExam(em, actor, id, now, lang);
}

interface SummaryRow {
  id: string; title_zh: string; title_en: string; kind: string; period: string; status: string; state: string;
  opens_at: Date; closes_at: Date; makeup_of: string | null; people: number; editable: boolean; total: number;
}

/** Exams within the viewer's scope, soonest-closing period first, filtered by period, state and kind. */
export async function listExams(em: EntityManager, actor: Actor, filter: ListExamsFilter, now: Date, lang: Lang) {
  const scope = await scopeOf(em, actor);
  const state = filter.state ?? null;
  const rows = await query<SummaryRow>(em, sql`
    select e.id, e.title_zh, e.title_en, e.kind, e.period, e.status, ${stateSql(now)} as state, e.opens_at, e.closes_at, e.makeup_of,
           (select count(*) from app_user u join org_unit o on o.id = u.org_unit_id where ${REACHED}
              and ${scopeCondition(scope, sql`o.path`, sql`u.id`)})::int as people,
           ${editableExam(scope)} as editable, count(*) over ()::int as total
      from exam e
     where ${visibleExam(scope)}
       and (${filter.period ?? null}::text is null or e.period = ${filter.period ?? null})
       and (${filter.kind ?? null}::text is null or e.kind = ${filter.kind ?? null})
       and (case when ${state}::text is null then e.status <> 'archived' else ${stateSql(now)} = ${state} end)
     order by e.period desc, e.opens_at desc, e.id
     limit ${filter.limit} offset ${filter.offset}`);
  let total = rows[0]?.total ?? 0;
  if (!rows.length && filter.offset > 0) {
    total = (await listExams(em, actor, { ...filter, offset: 0, limit: 1 }, now, lang)).total;
  }
  return {
    total,
    items: rows.map((r) => ({
      id: r.id, title: titleOf({ titleZh: r.title_zh, titleEn: r.title_en }, lang), titleZh: r.title_zh, titleEn: r.title_en,
      kind: r.kind, period: r.period, status: r.status, state: r.state, opensAt: iso(r.opens_at)!, closesAt: iso(r.closes_at)!,
      makeupOf: r.makeup_of, people: r.people, editable: r.editable,
    })),
  };
}

/** One exam with its blueprint (pool sizes and points per line), maximum points, audience size and overrides. */
export async function getExam(em: EntityManager, actor: Actor, id: string, now: Date, lang: Lang) {
  const { exam, scope, editable } = await findExam(em, actor, id, 'see');
  const rows = await query<{ kind: 'fixed' | 'random'; question_id: string | null; question_version_id: string | null; category_id: string | null;
    category_path: string | null; tag: string | null; difficulty: number | null; draw_count: number; points: string | null; stem: string | null }>(em, sql`
    select i.kind, i.question_id, i.question_version_id, i.category_id, c.name as category_path, i.tag, i.difficulty, i.draw_count, i.points,
           left(coalesce(pv.content->>'stem', cv.content->>'stem'), 200) as stem
      from exam_item i left join question_category c on c.id = i.category_id
      left join question q on q.id = i.question_id
      left join question_version pv on pv.id = i.question_version_id
      left join question_version cv on cv.id = q.current_version_id
     where i.exam_id = ${id} order by i.position`);
  const items = itemsOfRows(rows.map((r) => ({ kind: r.kind, questionId: r.question_id, categoryId: r.category_id, tag: r.tag,
    difficulty: r.difficulty, drawCount: r.draw_count, points: r.points == null ? null : Number(r.points) })));
  const facts = await blueprintFacts(em, items);
  const [{ people }] = await query<{ people: number }>(em, sql`select count(*)::int as people from exam e, app_user u join org_unit o on o.id = u.org_unit_id
    where e.id = ${id} and ${REACHED} and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`);
  const attempts = await attemptCount(em, id);
  const overrides = await query<{ user_id: string; username: string; display_name: string; opens_at: Date | null; closes_at: Date | null;
    extra_minutes: number; extra_attempts: number; reason: string; updated_at: Date }>(em, sql`
    select x.user_id, u.username, u.display_name, x.opens_at, x.closes_at, x.extra_minutes, x.extra_attempts, x.reason, x.updated_at
      from exam_override x join app_user u on u.id = x.user_id join org_unit o on o.id = u.org_unit_id
     where x.exam_id = ${id} and ${scopeCondition(scope, sql`o.path`, sql`u.id`)} order by u.username`);
  const inScopeIds = scope.kind === 'all' ? null : {
    users: new Set((await query<{ id: string }>(em, sql`select u.id from app_user u join org_unit o on o.id = u.org_unit_id
      where u.id = any(${exam.userIds}::uuid[]) and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`)).map((r) => r.id)),
    units: new Set((await query<{ id: string }>(em, sql`select o.id from org_unit o
      where o.id = any(${exam.orgUnitIds}::uuid[]) and ${unitScopeCondition(scope, sql`o.path`)}`)).map((r) => r.id)),
  };
  return {
    id: exam.id, title: titleOf(exam, lang), titleZh: exam.titleZh, titleEn: exam.titleEn, descriptionZh: exam.descriptionZh, descriptionEn: exam.descriptionEn,
    kind: exam.kind, period: exam.period, status: exam.status, state: examState(exam, now),
    opensAt: iso(exam.opensAt)!, closesAt: iso(exam.closesAt)!, timeLimitMinutes: exam.timeLimitMinutes ?? null,
    attemptsAllowed: exam.attemptsAllowed, attemptWaitMinutes: exam.attemptWaitMinutes, gradingMethod: exam.gradingMethod, passMark: Number(exam.passMark),
    navigation: exam.navigation, shuffleQuestions: exam.shuffleQuestions, shuffleOptions: exam.shuffleOptions, reviewWhen: exam.reviewWhen,
    reviewScore: exam.reviewScore, reviewCorrectness: exam.reviewCorrectness, reviewAnswers: exam.reviewAnswers, reviewFeedback: exam.reviewFeedback,
    graceSeconds: exam.graceSeconds, positions: exam.positions,
    orgUnitIds: inScopeIds ? exam.orgUnitIds.filter((x) => inScopeIds.units.has(x)) : exam.orgUnitIds,
    userIds: inScopeIds ? exam.userIds.filter((x) => inScopeIds.users.has(x)) : exam.userIds,
    makeupOf: exam.makeupOf ?? null, publishedAt: iso(exam.publishedAt),
    items: rows.map((r, i) => ({
      kind: r.kind, questionId: r.question_id, questionLabel: r.stem, questionVersionId: r.question_version_id, categoryId: r.category_id,
      categoryPath: r.category_path, tag: r.tag, difficulty: r.difficulty, drawCount: r.draw_count, points: r.points == null ? null : Number(r.points),
      poolSize: facts[i].poolSize, linePoints: Math.round(facts[i].points * 100) / 100,
    })),
    maxPoints: Math.round(facts.reduce((s, f) => s + f.points, 0) * 100) / 100,
    people, attempts, blueprintLocked: exam.status === 'published' && attempts > 0, editable,
    overrides: overrides.map((o) => ({
      userId: o.user_id, username: o.username, displayName: o.display_name, opensAt: iso(o.opens_at), closesAt: iso(o.closes_at),
      extraMinutes: o.extra_minutes, extraAttempts: o.extra_attempts, reason: o.reason, updatedAt: iso(o.updated_at)!,
    })),
  };
}

/**
 * A draft make-up of a published exam for the people it reached (within the viewer's scope) who have no submitted
 * or finalised attempt: the same blueprint and settings, a new window.
 */
export async function createMakeUpExam(em: EntityManager, actor: Actor, id: string, input: MakeUpInput, now: Date, lang: Lang) {
  const { exam: original, scope } = await findExam(em, actor, id, 'see');
  if (original.status !== 'published') throw refused(lang, 'exam.not_published', 'status');
  const issues: FieldIssue[] = [];
  const opensAt = new Date(input.opensAt);
  const closesAt = new Date(input.closesAt);
  if (closesAt.getTime() <= opensAt.getTime()) issues.push({ path: 'closesAt', reason: 'exam.closes_before_opens' });
  if (issues.length) throw invalid(issues);
  const missed = await query<{ id: string }>(em, sql`
    select u.id from exam e, app_user u join org_unit o on o.id = u.org_unit_id
     where e.id = ${id} and ${REACHED} and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}
       and not exists (select 1 from exam_attempt a where a.exam_id = e.id and a.user_id = u.id and a.status in ('submitted', 'finalised'))
     order by u.username`);
  if (!missed.length) throw refused(lang, 'exam.nobody_missed', 'audience');
  const items = itemsOfRows(await em.find(ExamItem, { examId: id }, { orderBy: { position: 'asc' } }));
  const newId = randomUUID();
  await em.transactional(async (tx) => {
    tx.create(Exam, {
      ...Object.fromEntries(SETTINGS.map((k) => [k, original[k]])) as Pick<IExam, (typeof SETTINGS)[number]>,
      id: newId, kind: 'makeup',
      titleZh: input.titleZh?.trim() || t('zh', 'exam.makeup_title_zh', { title: original.titleZh }).slice(0, 200),
      titleEn: input.titleEn?.trim() ?? (original.titleEn ? t('en', 'exam.makeup_title_en', { title: original.titleEn }).slice(0, 200) : ''),
      status: 'draft', opensAt, closesAt, positions: [], orgUnitIds: [], userIds: missed.map((m) => m.id),
      scopePath: scopePathOf(scope), makeupOf: id, createdBy: actor.id, createdAt: now, updatedAt: now, publishedAt: null,
    });
    await tx.flush();
    writeItems(tx, newId, items);
    await tx.flush();
  });
  return getExam(em, actor, newId, now, lang);
}

/** Another window, extra minutes or extra attempts for one person the exam reaches, with a reason. */
export async function setExamOverride(em: EntityManager, actor: Actor, id: string, userId: string, input: SetOverrideInput, now: Date, lang: Lang) {
  return em.transactional(async (tx) => {
    const { exam, scope } = await findExam(tx, actor, id, 'edit');
    if (exam.status === 'archived') throw refused(lang, 'exam.archived', 'status');
    const [person] = await query<{ id: string; reached: boolean }>(tx, sql`
      select u.id, exists (select 1 from exam e where e.id = ${id} and ${REACHED}) as reached
        from app_user u join org_unit o on o.id = u.org_unit_id where u.id = ${userId} and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`);
    if (!person) throw notFound('user');
    const issues: FieldIssue[] = [];
    if (!person.reached) issues.push({ path: 'userId', reason: 'exam.not_in_audience' });
    const reason = input.reason.trim();
    if (!reason) issues.push({ path: 'reason', reason: 'field.required' });
    const opensAt = input.opensAt ? new Date(input.opensAt) : null;
    const closesAt = input.closesAt ? new Date(input.closesAt) : null;
    if ((closesAt ?? exam.closesAt).getTime() <= (opensAt ?? exam.opensAt).getTime()) issues.push({ path: 'closesAt', reason: 'exam.closes_before_opens' });
    const extraMinutes = input.extraMinutes ?? 0;
    const extraAttempts = input.extraAttempts ?? 0;
    if (!opensAt && !closesAt && !extraMinutes && !extraAttempts) issues.push({ path: 'extraMinutes', reason: 'exam.override_empty' });
    if (issues.length) throw invalid(issues);
    const existing = await tx.findOne(ExamOverride, { examId: id, userId });
    if (existing) Object.assign(existing, { opensAt, closesAt, extraMinutes, extraAttempts, reason, createdBy: actor.id, updatedAt: now });
    else tx.create(ExamOverride, { id: randomUUID(), examId: id, userId, opensAt, closesAt, extraMinutes, extraAttempts, reason, createdBy: actor.id, createdAt: now, updatedAt: now });
    await tx.flush();
    const [u] = await query<{ username: string; display_name: string }>(tx, sql`select username, display_name from app_user where id = ${userId}`);
    return { userId, username: u.username, displayName: u.display_name, opensAt: iso(opensAt), closesAt: iso(closesAt), extraMinutes, extraAttempts, reason, updatedAt: now.toISOString() };
  });
}

/**
 * The year's exams month by month within the viewer's scope, and a warning per month for each org unit in scope
 * (one that has active staff of its own) that no monthly exam reaches, or that more than two reach.
 */
export async function getExamCalendar(em: EntityManager, actor: Actor, year: number, now: Date, lang: Lang) {
  const scope = await scopeOf(em, actor);
  const prefix = `${year}-`;
  const exams = await query<{ id: string; title_zh: string; title_en: string; kind: string; period: string; state: string; opens_at: Date; closes_at: Date; people: number }>(em, sql`
    select e.id, e.title_zh, e.title_en, e.kind, e.period, ${stateSql(now)} as state, e.opens_at, e.closes_at,
           (select count(*) from app_user u join org_unit o on o.id = u.org_unit_id where ${REACHED}
              and ${scopeCondition(scope, sql`o.path`, sql`u.id`)})::int as people
      from exam e where e.status <> 'archived' and left(e.period, 5) = ${prefix} and ${visibleExam(scope)}
     order by e.period, e.opens_at`);
  const counts = await query<{ unit_id: string; unit_name: string; period: string; n: number }>(em, sql`
    with units as (
      select o.id, o.name, o.path from org_unit o
       where o.archived_at is null and ${unitScopeCondition(scope, sql`o.path`)}
         and exists (select 1 from app_user u where u.org_unit_id = o.id and ${activeLearner('u')})),
    months as (select ${prefix} || lpad(m::text, 2, '0') as period from generate_series(1, 12) as g(m))
    select un.id as unit_id, un.name as unit_name, mo.period,
           (select count(distinct e.id) from exam e join app_user u on u.org_unit_id = un.id join org_unit o on o.id = u.org_unit_id
             where e.kind = 'monthly' and e.status <> 'archived' and e.period = mo.period and ${REACHED})::int as n
      from units un cross join months mo order by mo.period, un.path`);
  const months = Array.from({ length: 12 }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
  return {
    year,
    months: months.map((period) => ({
      period,
      exams: exams.filter((e) => e.period === period).map((e) => ({
        id: e.id, title: titleOf({ titleZh: e.title_zh, titleEn: e.title_en }, lang), kind: e.kind, state: e.state,
        opensAt: iso(e.opens_at)!, closesAt: iso(e.closes_at)!, people: e.people,
      })),
      warnings: counts.filter((c) => c.period === period && (c.n === 0 || c.n > 2)).map((c) => ({
        orgUnitId: c.unit_id, orgUnitName: c.unit_name, monthlyExams: c.n, reason: c.n === 0 ? 'none' as const : 'too_many' as const,
        message: t(lang, c.n === 0 ? 'exam.calendar_none' : 'exam.calendar_too_many', { unit: c.unit_name, count: c.n }),
      })),
    })),
  };
}
