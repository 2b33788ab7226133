/**
 * Manual grading and regrading of finished attempts.
 *
 * The grading queue is Moodle's "manual grading" turned question by question: pick a question (one version of it),
 * see every finished attempt's answer to it, anonymous unless the grader asks for names. A person's grade goes on
 * the attempt's slot (`attempt_question`); the attempt's total always comes from its slots (attempt-score.ts).
 *
 * A regrade pins one question's slots, in every finished attempt of an exam, to another version of it (a corrected
 * key) and scores the stored responses again. A slot graded by a person keeps that grade, scaled if the points
 * changed. Each attempt whose score on the question changed is recorded with the old and the new score, so the
 * learner's review can say what changed and why. Attempts still in progress keep the version they were given.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Actor } from '../../access/actor.js';
import { scopeOf } from '../../access/scope.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { slicer } from '../../lib/slices.js';
import { exec, query, sql } from '../../lib/sql.js';
import { joinQuestion } from '../questions/question-store.js';
import { storedPreview } from '../questions/question-render.js';
import type { Lang as QuestionLang } from '../questions/question-model.js';
import { round2, scoreResponse } from '../questions/scoring.js';
import { MANUALLY_GRADED_TYPES } from '../questions/types/index.js';
import { recomputeAttempts, type AttemptTotal } from './attempt-score.js';
import { Exam, type IExam } from './exam.entity.js';
import type { GradeInput, GradingQueueFilter, RegradeInput } from './grading.schemas.js';
import './grading-messages.js';

/** Attempts a regrade reads, locks and writes at a time. */
const REGRADE_BATCH = 500;

const MANUAL: readonly string[] = MANUALLY_GRADED_TYPES;

/** A 409 whose detail says why in the request's language, and names the field. */
const refused = (lang: Lang, reason: string, path: string) =>
  new AppError(409, 'conflict', { reason: t(lang, reason) }, [{ path, reason }]);

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());
const fractionOf = (score: number, points: number) => (points > 0 ? Math.round((score / points) * 1e6) / 1e6 : null);
const titleOf = (e: Pick<IExam, 'titleZh' | 'titleEn'>, lang: Lang) => (lang === 'en' && e.titleEn ? e.titleEn : e.titleZh);

/** Grading serves the whole organisation: only whole-organisation scopes reach an exam; anyone else gets a 404. */
async function examForGrading(em: EntityManager, actor: Actor, examId: string): Promise<IExam> {
  const scope = await scopeOf(em, actor);
  const exam = scope.kind === 'all' ? await em.findOne(Exam, { id: examId }) : null;
  if (!exam) throw notFound('exam');
  return exam;
}

export interface GradedSlotView {
  attemptId: string; slot: number; points: number; score: number | null; comment: string; graded: boolean;
  gradedAt: string | null; gradedBy: string | null;
}
export interface GradingEntryView extends GradedSlotView {
  number: number; responseText: string; learner: { userId: string; username: string; displayName: string } | null;
}
export interface GradingQuestionView {
  questionId: string; versionId: string; versionNumber: number; key: string; type: string;
  stemHtml: string; rubricHtml: string; modelAnswerHtml: string; total: number; ungraded: number; entries: GradingEntryView[];
}

interface QueueRow {
  attempt_id: string; slot: number; points: number; score: number | null; needs_grading: boolean; graded_at: Date | null;
  grader_comment: string; graded_by_name: string | null; version_id: string; response_text: string;
  user_id: string; username: string; display_name: string;
}
interface VersionRow {
  id: string; question_id: string; number: number; type: string; key: string; language: QuestionLang;
  content: Record<string, unknown>; content_hash: string; rendered: unknown; first_slot: number;
}

const slotView = (r: { attempt_id: string; slot: number; points: number; score: number | null; needs_grading: boolean; graded_at: Date | null;
  grader_comment: string; graded_by_name: string | null }): GradedSlotView => ({
  attemptId: r.attempt_id, slot: r.slot, points: r.points, score: r.score, comment: r.grader_comment, graded: !r.needs_grading,
  gradedAt: iso(r.graded_at), gradedBy: r.graded_by_name,
});

/**
 * The answers of an exam's finished attempts that a person grades (short answer, essay), question by question. An
 * answer's number is fixed within its question (attempts in id order, which says nothing about who wrote them), so
 * "Answer 3" stays answer 3 whichever status is filtered.
 */
export async function listGradingQueue(em: EntityManager, actor: Actor, examId: string, filter: GradingQueueFilter, lang: Lang) {
  const exam = await examForGrading(em, actor, examId);
  const status = filter.status ?? 'ungraded';
  const onlyVersion = filter.versionId ? sql`and v.id = ${filter.versionId}` : sql``;
  const rows = await query<QueueRow>(em, sql`
    select q.attempt_id, q.slot, q.points::float as points, q.score::float as score, q.needs_grading, q.graded_at, q.grader_comment,
           g.display_name as graded_by_name, q.question_version_id as version_id,
           coalesce(aa.response->>'text', '') as response_text, a.user_id, u.username, u.display_name
      from exam_attempt a
      join attempt_question q on q.attempt_id = a.id
      join question_version v on v.id = q.question_version_id
      join app_user u on u.id = a.user_id
      left join app_user g on g.id = q.graded_by
      left join attempt_answer aa on aa.attempt_id = q.attempt_id and aa.slot = q.slot
     where a.exam_id = ${exam.id} and a.status <> 'in_progress' and v.type = any(${MANUAL}::text[]) ${onlyVersion}
     order by q.question_version_id, a.id, q.slot`);
  const versionIds = [...new Set(rows.map((r) => r.version_id))];
  const versions = await query<VersionRow>(em, sql`
    select v.id, v.question_id, v.number, v.type, qq.key, qq.language, v.content, v.content_hash, v.rendered,
           (select min(q.slot) from attempt_question q join exam_attempt a on a.id = q.attempt_id
             where a.exam_id = ${exam.id} and q.question_version_id = v.id)::int as first_slot
      from question_version v join question qq on qq.id = v.question_id
     where v.id = any(${versionIds}::uuid[])
     order by first_slot, qq.key, v.number`);
  const byVersion = new Map<string, QueueRow[]>();
  for (const r of rows) {
    const list = byVersion.get(r.version_id) ?? [];
    list.push(r);
    byVersion.set(r.version_id, list);
  }
  const questions: GradingQuestionView[] = versions.map((v) => {
    const all = byVersion.get(v.id) ?? [];
    const question = joinQuestion(v.content, { key: v.key, language: v.language, tags: [], modules: [] });
    const preview = storedPreview(v.rendered, question, v.content_hash);
    const answer = preview.answer as { rubricHtml?: string; modelAnswerHtml?: string };
    const entries = all
      .map((r, i): GradingEntryView => ({
        ...slotView(r), number: i + 1, responseText: r.response_text,
        learner: filter.names ? { userId: r.user_id, username: r.username, displayName: r.display_name } : null,
      }))
      .filter((e) => status === 'all' || (status === 'graded') === e.graded);
    return {
      questionId: v.question_id, versionId: v.id, versionNumber: v.number, key: v.key, type: v.type,
      stemHtml: preview.learner.stemHtml, rubricHtml: answer.rubricHtml ?? '', modelAnswerHtml: answer.modelAnswerHtml ?? '',
      total: all.length, ungraded: all.filter((r) => r.needs_grading).length, entries,
    };
  });
  return { exam: { id: exam.id, title: titleOf(exam, lang) }, questions };
}

/**
 * A person's grade for one slot of a finished attempt: a score between 0 and the slot's points and a comment. A new
 * grade replaces the one before. The attempt row is locked first, so two graders finishing two slots of one attempt
 * at once total it one after the other, each seeing the other's grade.
 */
export async function gradeAnswer(em: EntityManager, actor: Actor, attemptId: string, slot: number, input: GradeInput, now: Date, lang: Lang):
  Promise<{ entry: GradedSlotView; attempt: AttemptTotal }> {
  const scope = await scopeOf(em, actor);
  if (scope.kind !== 'all') throw notFound('attempt');
  return em.transactional(async (tx) => {
    const [attempt] = await query<{ status: string }>(tx, sql`select status from exam_attempt where id = ${attemptId} for update`);
    if (!attempt) throw notFound('attempt');
    const [target] = await query<{ points: number; type: string }>(tx, sql`
      select q.points::float as points, v.type from attempt_question q join question_version v on v.id = q.question_version_id
       where q.attempt_id = ${attemptId} and q.slot = ${slot}`);
    if (!target) throw notFound('question');
    if (attempt.status === 'in_progress') throw refused(lang, 'grading.attempt_not_finished', 'attemptId');
    if (!MANUAL.includes(target.type)) throw refused(lang, 'grading.not_manual', 'slot');
    const { score } = input;
    if (!(score >= 0 && score <= target.points)) throw invalid([{ path: 'score', reason: 'grading.score_range', params: { max: target.points } }]);
    if (Math.abs(score * 100 - Math.round(score * 100)) > 1e-6) throw invalid([{ path: 'score', reason: 'grading.score_precision' }]);
    const value = round2(score);
    const [row] = await query<{ attempt_id: string; slot: number; points: number; score: number | null; needs_grading: boolean;
      graded_at: Date | null; grader_comment: string; graded_by_name: string | null }>(tx, sql`
      with graded as (
        update attempt_question
           set score = ${value}, fraction = ${fractionOf(value, target.points)}, correct = ${value === target.points},
               needs_grading = false, graded_by = ${actor.id}, graded_at = ${now}, grader_comment = ${input.comment ?? ''}
         where attempt_id = ${attemptId} and slot = ${slot}
     returning attempt_id, slot, points, score, needs_grading, graded_at, grader_comment, graded_by)
      select g.attempt_id, g.slot, g.points::float as points, g.score::float as score, g.needs_grading, g.graded_at, g.grader_comment,
             u.display_name as graded_by_name
        from graded g left join app_user u on u.id = g.graded_by`);
    const [total] = await recomputeAttempts(tx, [attemptId]);
    return { entry: slotView(row), attempt: total };
  });
}

interface RegradeSlotRow {
  attempt_id: string; slot: number; points: number; score: number | null; fraction: number | null; needs_grading: boolean;
  item_points: number | null; response: unknown; order_length: number | null;
}

export interface RegradeView {
  id: string; questionId: string; questionKey: string; fromVersion: number | null; toVersion: number; reason: string;
  regradedBy: { id: string; displayName: string }; regradedAt: string; attemptsChanged: number;
}

interface RegradeRow {
  id: string; question_id: string; key: string; from_number: number | null; to_number: number; reason: string;
  regraded_by: string; display_name: string; regraded_at: Date; changed: number;
}

const REGRADE_SELECT = sql`
  select r.id, r.question_id, q.key, fv.number as from_number, tv.number as to_number, r.reason, r.regraded_by, u.display_name,
         r.regraded_at, (select count(*)::int from exam_regrade_attempt x where x.regrade_id = r.id) as changed
    from exam_regrade r
    join question q on q.id = r.question_id
    join question_version tv on tv.id = r.to_version_id
    left join question_version fv on fv.id = r.from_version_id
    join app_user u on u.id = r.regraded_by`;

const regradeView = (r: RegradeRow): RegradeView => ({
  id: r.id, questionId: r.question_id, questionKey: r.key, fromVersion: r.from_number, toVersion: r.to_number, reason: r.reason,
  regradedBy: { id: r.regraded_by, displayName: r.display_name }, regradedAt: iso(r.regraded_at)!, attemptsChanged: r.changed,
});

/** A slot's new grade under the new version (see the module's comment for the rules). */
function regradeSlot(s: RegradeSlotRow, manual: boolean, question: ReturnType<typeof joinQuestion>, newPoints: number) {
  if (manual) {
    if (s.needs_grading) return { score: s.score, fraction: s.fraction, correct: null, needsGrading: true };
    const score = s.points === newPoints || s.points <= 0 ? Math.min(s.score ?? 0, newPoints) : round2(((s.score ?? 0) * newPoints) / s.points);
    return { score, fraction: fractionOf(score, newPoints), correct: score === newPoints, needsGrading: false };
  }
  const r = scoreResponse({ ...question, points: newPoints }, s.response);
  return { score: r.score, fraction: r.fraction, correct: r.correct, needsGrading: r.needsGrading === true };
}

const sameScore = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) < 0.005);

/**
 * Regrades one question of an exam: every finished attempt whose slot holds a version of it is pinned to `toVersionId`
 * (default: the question's current version) and scored again; the exam's fixed line for the question is pinned to it
 * too, so attempts started from now on get the same version. One transaction, in batches of attempts.
 */
export async function regradeExam(em: EntityManager, actor: Actor, examId: string, input: RegradeInput, now: Date, lang: Lang) {
  const exam = await examForGrading(em, actor, examId);
  const reason = input.reason.trim();
  if (!reason) throw invalid([{ path: 'reason', reason: 'field.required' }]);
  return em.transactional(async (tx) => {
    const [question] = await query<{ id: string; key: string; language: QuestionLang; current_version_id: string | null }>(tx, sql`
      select id, key, language, current_version_id from question where id = ${input.questionId}`);
    if (!question) throw new AppError(404, 'not_found', { what: 'question' }, [{ path: 'questionId', reason: 'exam.unknown_question' }]);
    const toVersionId = input.toVersionId ?? question.current_version_id;
    if (!toVersionId) throw refused(lang, 'grading.no_current_version', 'toVersionId');
    const [version] = await query<{ id: string; question_id: string; type: string; points: number; content: Record<string, unknown> }>(tx, sql`
      select id, question_id, type, points::float as points, content from question_version where id = ${toVersionId}`);
    if (!version || version.question_id !== question.id) throw refused(lang, 'grading.version_not_of_question', 'toVersionId');
    const [found] = await query<{ in_items: boolean; types: string[]; versions: string[] }>(tx, sql`
      select exists (select 1 from exam_item i where i.exam_id = ${exam.id} and i.question_id = ${question.id}) as in_items,
             coalesce(array_agg(distinct v.type::text), '{}'::text[]) as types, coalesce(array_agg(distinct v.id::text), '{}'::text[]) as versions
        from exam_attempt a join attempt_question q on q.attempt_id = a.id join question_version v on v.id = q.question_version_id
       where a.exam_id = ${exam.id} and a.status <> 'in_progress' and v.question_id = ${question.id}`);
    if (!found.in_items && !found.versions.length) throw refused(lang, 'grading.question_not_in_exam', 'questionId');
    if (found.types.some((type) => type !== version.type)) throw refused(lang, 'grading.type_changed', 'toVersionId');

    const regradeId = randomUUID();
    await exec(tx, sql`
      insert into exam_regrade (id, exam_id, question_id, from_version_id, to_version_id, reason, regraded_by, regraded_at)
      values (${regradeId}, ${exam.id}, ${question.id}, ${found.versions.length === 1 ? found.versions[0] : null}, ${version.id}, ${reason},
              ${actor.id}, ${now})`);
    await exec(tx, sql`update exam_item set question_version_id = ${version.id}
      where exam_id = ${exam.id} and kind = 'fixed' and question_id = ${question.id}`);

    const base = joinQuestion(version.content, { key: question.key, language: question.language, tags: [], modules: [] });
    const manual = MANUAL.includes(version.type);
    const optionCount = Array.isArray(version.content.options) ? version.content.options.length : null;
    const pause = slicer();
    let after = '00000000-0000-0000-0000-000000000000';
    let regraded = 0;
    for (;;) {
      const batch = (await query<{ id: string }>(tx, sql`
        select a.id from exam_attempt a
         where a.exam_id = ${exam.id} and a.status <> 'in_progress' and a.id > ${after}::uuid
           and exists (select 1 from attempt_question q join question_version v on v.id = q.question_version_id
                        where q.attempt_id = a.id and v.question_id = ${question.id})
         order by a.id limit ${REGRADE_BATCH}
           for update`)).map((r) => r.id);
      if (!batch.length) break;
      const slots = await query<RegradeSlotRow>(tx, sql`
        select q.attempt_id, q.slot, q.points::float as points, q.score::float as score, q.fraction::float as fraction, q.needs_grading,
               i.points::float as item_points, aa.response, cardinality(q.option_order) as order_length
          from attempt_question q
          join question_version v on v.id = q.question_version_id
          left join exam_item i on i.id = q.exam_item_id
          left join attempt_answer aa on aa.attempt_id = q.attempt_id and aa.slot = q.slot
         where q.attempt_id = any(${batch}::uuid[]) and v.question_id = ${question.id}
         order by q.attempt_id, q.slot`);
      const updates: Record<string, unknown>[] = [];
      const before = new Map<string, number | null>();
      const afterScores = new Map<string, number | null>();
      const add = (m: Map<string, number | null>, id: string, v: number | null) =>
        m.set(id, v === null && !m.has(id) ? null : round2((m.get(id) ?? 0) + (v ?? 0)));
      for (const s of slots) {
        await pause();
        // Points an exam line set stay; otherwise the slot takes the new version's own points.
        const newPoints = s.item_points ?? version.points;
        const next = regradeSlot(s, manual, base, newPoints);
        add(before, s.attempt_id, s.score);
        add(afterScores, s.attempt_id, next.score);
        updates.push({
          attempt_id: s.attempt_id, slot: s.slot, points: newPoints, score: next.score, fraction: next.fraction, correct: next.correct,
          needs_grading: next.needsGrading, keep_order: s.order_length === null || optionCount === null || s.order_length === optionCount,
        });
      }
      await exec(tx, sql`
        update attempt_question q
           set question_version_id = ${version.id}, points = x.points, score = x.score, fraction = x.fraction, correct = x.correct,
               needs_grading = x.needs_grading, option_order = case when x.keep_order then q.option_order else null end
          from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
               as x(attempt_id uuid, slot int, points numeric, score numeric, fraction numeric, correct boolean, needs_grading boolean, keep_order boolean)
         where q.attempt_id = x.attempt_id and q.slot = x.slot`);
      await exec(tx, sql`
        insert into question_usage (id, question_version_id, used_by_type, used_by_id)
        select gen_random_uuid(), ${version.id}, 'exam_attempt', a from unnest(${batch}::uuid[]) as a
        on conflict do nothing`);
      const changed = [...before.keys()].filter((id) => !sameScore(before.get(id)!, afterScores.get(id)!));
      if (changed.length) {
        await exec(tx, sql`
          insert into exam_regrade_attempt (regrade_id, attempt_id, old_score, new_score)
          select ${regradeId}, x.attempt_id, x.old_score, x.new_score
            from jsonb_to_recordset(${JSON.stringify(changed.map((id) => ({ attempt_id: id, old_score: before.get(id), new_score: afterScores.get(id) })))}::jsonb)
                 as x(attempt_id uuid, old_score numeric, new_score numeric)`);
      }
      await recomputeAttempts(tx, batch);
      regraded += batch.length;
      after = batch[batch.length - 1];
      if (batch.length < REGRADE_BATCH) break;
    }
    const [row] = await query<RegradeRow>(tx, sql`${REGRADE_SELECT} where r.id = ${regradeId}`);
    return { ...regradeView(row), attemptsRegraded: regraded };
  });
}

export interface RegradeAttemptChange {
  attemptId: string; userId: string; username: string; displayName: string; oldScore: number | null; newScore: number | null;
}
export interface RegradeChoice {
  questionId: string; key: string; type: string; excerpt: string; heldVersions: number[];
  versions: { id: string; number: number; type: string; current: boolean; createdAt: string }[];
}

const plainStem = (s: unknown) => String(s ?? '').replace(/[*_`>#|]+/g, '').replace(/\s+/g, ' ').trim();

/**
 * An exam's regrades, newest first: who, when, why, from and to which version, and the attempts whose score changed
 * (before and after); with the questions a new regrade may choose and their versions.
 */
export async function listRegrades(em: EntityManager, actor: Actor, examId: string): Promise<{ items: (RegradeView & { changes: RegradeAttemptChange[] })[]; questions: RegradeChoice[] }> {
  const exam = await examForGrading(em, actor, examId);
  const rows = await query<RegradeRow>(em, sql`${REGRADE_SELECT} where r.exam_id = ${exam.id} order by r.regraded_at desc, r.id`);
  const changes = await query<{ regrade_id: string; attempt_id: string; user_id: string; username: string; display_name: string;
    old_score: number | null; new_score: number | null }>(em, sql`
    select x.regrade_id, x.attempt_id, a.user_id, u.username, u.display_name, x.old_score::float as old_score, x.new_score::float as new_score
      from exam_regrade_attempt x join exam_regrade r on r.id = x.regrade_id
      join exam_attempt a on a.id = x.attempt_id join app_user u on u.id = a.user_id
     where r.exam_id = ${exam.id}
     order by u.username, a.number`);
  const byRegrade = new Map<string, RegradeAttemptChange[]>();
  for (const c of changes) {
    const list = byRegrade.get(c.regrade_id) ?? [];
    list.push({ attemptId: c.attempt_id, userId: c.user_id, username: c.username, displayName: c.display_name, oldScore: c.old_score, newScore: c.new_score });
    byRegrade.set(c.regrade_id, list);
  }
  const held = await query<{ question_id: string; key: string; current_version_id: string | null; held: number[] }>(em, sql`
    with held as (
      select v.question_id, v.number from exam_attempt a join attempt_question q on q.attempt_id = a.id
        join question_version v on v.id = q.question_version_id
       where a.exam_id = ${exam.id} and a.status <> 'in_progress'),
    ids as (select question_id from held union select question_id from exam_item where exam_id = ${exam.id} and question_id is not null)
    select q.id as question_id, q.key, q.current_version_id,
           coalesce((select array_agg(distinct h.number order by h.number) from held h where h.question_id = q.id), '{}'::int[]) as held
      from ids join question q on q.id = ids.question_id
     order by q.key`);
  const ids = held.map((h) => h.question_id);
  const versions = ids.length ? await query<{ id: string; question_id: string; number: number; type: string; stem: string | null; created_at: Date }>(em, sql`
    select id, question_id, number, type, content->>'stem' as stem, created_at from question_version
     where question_id = any(${ids}::uuid[]) order by question_id, number desc`) : [];
  const questions = held.map((h): RegradeChoice => {
    const own = versions.filter((v) => v.question_id === h.question_id);
    const current = own.find((v) => v.id === h.current_version_id) ?? own[0];
    const stem = plainStem(current?.stem);
    return {
      questionId: h.question_id, key: h.key, type: current?.type ?? '', excerpt: stem.length > 90 ? `${stem.slice(0, 89)}…` : stem,
      heldVersions: h.held.map(Number),
      versions: own.map((v) => ({ id: v.id, number: v.number, type: v.type, current: v.id === h.current_version_id, createdAt: iso(v.created_at)! })),
    };
  });
  return { items: rows.map((r) => ({ ...regradeView(r), changes: byRegrade.get(r.id) ?? [] })), questions };
}

export interface RegradeChange {
  regradeId: string; questionId: string;
  /** The attempt's slots that hold the question (one, unless a blueprint drew it twice). */
  slots: number[];
  /** The attempt's score on the question before and after the regrade. */
  oldScore: number | null; newScore: number | null;
  fromVersion: number | null; toVersion: number; reason: string; regradedAt: string;
}

/**
 * What regrades changed in one attempt, oldest first, for the learner's review. No access check: the caller has
 * already decided the attempt is the actor's to see.
 */
export async function regradeChangesFor(em: EntityManager, attemptId: string): Promise<RegradeChange[]> {
  const rows = await query<{ regrade_id: string; question_id: string; slots: number[]; old_score: number | null; new_score: number | null;
    from_number: number | null; to_number: number; reason: string; regraded_at: Date }>(em, sql`
    select r.id as regrade_id, r.question_id, x.old_score::float as old_score, x.new_score::float as new_score,
           fv.number as from_number, tv.number as to_number, r.reason, r.regraded_at,
           coalesce((select array_agg(q.slot order by q.slot) from attempt_question q join question_version v on v.id = q.question_version_id
                      where q.attempt_id = x.attempt_id and v.question_id = r.question_id), '{}'::int[]) as slots
      from exam_regrade_attempt x
      join exam_regrade r on r.id = x.regrade_id
      join question_version tv on tv.id = r.to_version_id
      left join question_version fv on fv.id = r.from_version_id
     where x.attempt_id = ${attemptId}
     order by r.regraded_at, r.id`);
  return rows.map((r) => ({
    regradeId: r.regrade_id, questionId: r.question_id, slots: r.slots.map(Number), oldScore: r.old_score, newScore: r.new_score,
    fromVersion: r.from_number, toVersion: r.to_number, reason: r.reason, regradedAt: iso(r.regraded_at)!,
  }));
}
