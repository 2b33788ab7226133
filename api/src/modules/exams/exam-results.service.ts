/**
 * Exam results for trainers and managers: per person, per org unit and for the whole audience (participation, pass
 * rate, mean, distribution), as CSV or XLSX, and the item analysis. A manager sees the people of their own subtree
 * only, and only exams that concern it. Also `examRecords`, each person's exam results per period (missed exams as
 * such) for the assessment record.
 *
 * Which attempt counts for a person follows the exam's grading method: highest, first or last submitted attempt, or
 * the mean of all of them. Attempts still in progress count for nothing; an attempt with answers waiting for a
 * person to grade them is "ungraded" and has no result yet.
 */
import type { EntityManager } from '@mikro-orm/core';
import type { Actor } from '../../access/actor.js';
import { activeLearner, audienceOf, audienceReaches, personOf } from '../../access/audience.js';
import { scopeCondition, scopeOf, type Scope } from '../../access/scope.js';
import { notFound } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { slicer } from '../../lib/slices.js';
import { query, sql, type SqlFragment } from '../../lib/sql.js';
import { guardCell, writeCsv } from '../../lib/text-file.js';
import { Exam, type IExam } from './exam.entity.js';
import { examState, type ExamState } from './exam-rules.js';
import { itemStats, slotsByVersion, testStats, type AnalysisAttempt, type ItemStats, type TestStats } from './item-analysis.js';
import './exam-results-messages.js';

export type PersonOutcome = 'passed' | 'failed' | 'ungraded' | 'in_progress' | 'not_started' | 'missed';

export interface PersonResult {
  userId: string; username: string; displayName: string; unitId: string; unitName: string;
  /** The attempt that counts (for `mean`, the latest finished one), else the one in progress; null when none. */
  attemptId: string | null;
  attempts: number; score: number | null; maxScore: number | null; percent: number | null; outcome: PersonOutcome;
  submittedAt: string | null;
}
export interface UnitSummary { unitId: string; unitName: string; people: number; participants: number; passed: number; meanPercent: number | null }
export interface ExamResults {
  exam: { id: string; title: string; kind: string; period: string; state: ExamState; passMark: number; gradingMethod: string };
  summary: { people: number; participants: number; participation: number | null; passed: number; passRate: number | null; meanPercent: number | null; ungraded: number };
  /** People by percent, in ten bands: 0–9, 10–19, … 90–100. */
  distribution: number[];
  units: UnitSummary[];
  people: PersonResult[];
}

/** The exam, if the actor may see its results; a manager may when it was made in their subtree or reaches into it. */
async function examForResults(em: EntityManager, actor: Actor, examId: string): Promise<{ exam: IExam; scope: Scope }> {
  const scope = await scopeOf(em, actor);
  const exam = await em.findOne(Exam, { id: examId });
  if (!exam || exam.status === 'draft' || scope.kind === 'none' || scope.kind === 'self') throw notFound('exam');
  if (scope.kind === 'subtree' && exam.scopePath && !exam.scopePath.startsWith(scope.path) && !scope.path.startsWith(exam.scopePath)) {
    throw notFound('exam');
  }
  return { exam, scope };
}

const titleOf = (e: Pick<IExam, 'titleZh' | 'titleEn'>, lang: Lang) => (lang === 'en' && e.titleEn ? e.titleEn : e.titleZh);

/** The order in which a person's finished attempts are ranked, so that the first is the one that counts. */
function countingOrder(method: IExam['gradingMethod']): SqlFragment {
  return method === 'highest' ? sql.raw('a.score desc nulls last, a.number') : method === 'last' ? sql.raw('a.number desc') : sql.raw('a.number');
}

/** A person's outcome from their counted result (null when they finished no attempt) and the exam's state. */
function outcomeOf(result: { score: number | null; needsGrading: boolean | null } | null, inProgress: boolean, state: ExamState, passMark: number): PersonOutcome {
  if (result) return result.needsGrading ? 'ungraded' : (result.score ?? 0) >= passMark ? 'passed' : 'failed';
  return inProgress ? 'in_progress' : state === 'closed' ? 'missed' : 'not_started';
}

const percentOf = (score: number | null, max: number | null) => (max ? Math.round((1000 * (score ?? 0)) / max) / 10 : 0);

/** The attempt that counts for each person (or, for `mean`, the mean of their finished attempts). */
function countedAttempts(exam: Pick<IExam, 'id' | 'gradingMethod'>): SqlFragment {
  if (exam.gradingMethod === 'mean') {
    return sql`
      select a.user_id, (array_agg(a.id order by a.number desc))[1] as attempt_id, count(*)::int as attempts, avg(a.score)::float as score, avg(a.max_score)::float as max_score,
             bool_or(a.needs_grading) as needs_grading, max(a.submitted_at) as submitted_at
        from exam_attempt a where a.exam_id = ${exam.id} and a.status <> 'in_progress' group by a.user_id`;
  }
  const order = countingOrder(exam.gradingMethod);
  return sql`
    select distinct on (a.user_id) a.user_id, a.id as attempt_id, count(*) over (partition by a.user_id)::int as attempts, a.score::float as score,
           a.max_score::float as max_score, a.needs_grading, a.submitted_at
      from exam_attempt a where a.exam_id = ${exam.id} and a.status <> 'in_progress'
     order by a.user_id, ${order}`;
}

interface ResultRow {
  user_id: string; username: string; display_name: string; unit_id: string; unit_name: string; unit_name_en: string | null;
  attempt_id: string | null; in_progress_id: string | null; attempts: number | null; score: number | null; max_score: number | null; needs_grading: boolean | null; submitted_at: Date | null;
}

export async function getExamResults(em: EntityManager, actor: Actor, examId: string, now: Date, lang: Lang): Promise<ExamResults> {
  const { exam, scope } = await examForResults(em, actor, examId);
  const rows = await query<ResultRow>(em, sql`
    with counted as (${countedAttempts(exam)})
    select u.id as user_id, u.username, u.display_name, o.id as unit_id, o.name as unit_name, o.name_en as unit_name_en,
           c.attempt_id, c.attempts, c.score, c.max_score, c.needs_grading, c.submitted_at,
           (select p.id from exam_attempt p where p.exam_id = ${exam.id} and p.user_id = u.id and p.status = 'in_progress'
             order by p.number desc limit 1) as in_progress_id
      from exam e cross join app_user u join org_unit o on o.id = u.org_unit_id
      left join counted c on c.user_id = u.id
     where e.id = ${exam.id}
       and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}
       and (c.user_id is not null
            or (${activeLearner('u')} and (${audienceReaches(audienceOf('e'), personOf('u', 'o'))}
                or exists (select 1 from exam_override x where x.exam_id = e.id and x.user_id = u.id))))
     order by o.path, u.username`);
  const state = examState(exam, now);
  const passMark = Number(exam.passMark);
  const people: PersonResult[] = rows.map((r) => {
    const finished = r.attempts !== null;
    const percent = finished ? percentOf(r.score, r.max_score) : null;
    const outcome = outcomeOf(finished ? { score: r.score, needsGrading: r.needs_grading } : null, r.in_progress_id !== null, state, passMark);
    return {
      userId: r.user_id, username: r.username, displayName: r.display_name, unitId: r.unit_id, attemptId: r.attempt_id ?? r.in_progress_id,
      unitName: lang === 'en' && r.unit_name_en ? r.unit_name_en : r.unit_name,
      attempts: r.attempts ?? 0, score: finished ? Math.round((r.score ?? 0) * 100) / 100 : null,
      maxScore: finished ? r.max_score : null, percent, outcome, submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
    };
  });
  const graded = people.filter((p) => p.outcome === 'passed' || p.outcome === 'failed');
  const participants = people.filter((p) => p.attempts > 0);
  const passed = people.filter((p) => p.outcome === 'passed').length;
  const meanOf = (list: PersonResult[]) => (list.length ? Math.round((10 * list.reduce((s, p) => s + (p.percent ?? 0), 0)) / list.length) / 10 : null);
  const distribution = Array.from({ length: 10 }, () => 0);
  for (const p of graded) distribution[Math.min(9, Math.floor((p.percent ?? 0) / 10))]++;
  const units = new Map<string, UnitSummary & { graded: PersonResult[] }>();
  for (const p of people) {
    const u = units.get(p.unitId) ?? { unitId: p.unitId, unitName: p.unitName, people: 0, participants: 0, passed: 0, meanPercent: null, graded: [] };
    u.people++;
    if (p.attempts > 0) u.participants++;
    if (p.outcome === 'passed') u.passed++;
    if (p.outcome === 'passed' || p.outcome === 'failed') u.graded.push(p);
    units.set(p.unitId, u);
  }
  return {
    exam: { id: exam.id, title: titleOf(exam, lang), kind: exam.kind, period: exam.period, state, passMark, gradingMethod: exam.gradingMethod },
    summary: {
      people: people.length, participants: participants.length,
      participation: people.length ? Math.round((1000 * participants.length) / people.length) / 10 : null,
      passed, passRate: graded.length ? Math.round((1000 * passed) / graded.length) / 10 : null, meanPercent: meanOf(graded),
      ungraded: people.filter((p) => p.outcome === 'ungraded').length,
    },
    distribution,
    units: [...units.values()].map(({ graded: g, ...u }) => ({ ...u, meanPercent: meanOf(g) })),
    people,
  };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let excel: Promise<typeof import('exceljs')> | undefined;
const loadExcel = () => (excel ??= import('exceljs').then((m) => m.default as unknown as typeof import('exceljs')));

/** The per-person results as a file: CSV (UTF-8 with BOM) or XLSX, headers in the user's language. */
export async function exportExamResults(em: EntityManager, actor: Actor, examId: string, format: 'csv' | 'xlsx', now: Date, lang: Lang) {
  const results = await getExamResults(em, actor, examId, now, lang);
  const header = ['username', 'name', 'unit', 'attempts', 'score', 'max', 'percent', 'outcome', 'submitted'].map((k) => t(lang, `results.col.${k}`));
  const rows = results.people.map((p) => [
    p.username, p.displayName, p.unitName, String(p.attempts), p.score === null ? '' : String(p.score), p.maxScore === null ? '' : String(p.maxScore),
    p.percent === null ? '' : String(p.percent), t(lang, `results.outcome.${p.outcome}`), p.submittedAt ?? '',
  ]);
  const base = `${results.exam.period}-${results.exam.title}`.replace(/[\\/:*?"<>|\s]+/g, '-');
  if (format === 'csv') return { mime: 'text/csv; charset=utf-8', filename: `${base}.csv`, data: writeCsv([header, ...rows]) };
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(lang === 'zh' ? '成绩' : 'results', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(header).font = { bold: true };
  for (const p of results.people) {
    ws.addRow([guardCell(p.username), guardCell(p.displayName), guardCell(p.unitName), p.attempts, p.score ?? '', p.maxScore ?? '', p.percent ?? '',
      t(lang, `results.outcome.${p.outcome}`), p.submittedAt ?? '']);
  }
  ws.columns.forEach((c) => { c.width = 16; });
  return { mime: XLSX, filename: `${base}.xlsx`, data: Buffer.from(await wb.xlsx.writeBuffer()) };
}

export interface ItemAnalysis {
  exam: { id: string; title: string };
  test: TestStats;
  questions: (ItemStats & { questionId: string; key: string; type: string; excerpt: string; responses: { key: string; label: string; count: number; meanFraction: number | null }[] })[];
}

interface SlotRow {
  attempt_id: string; slot: number; exam_item_id: string | null; question_version_id: string; score: number | null; points: number;
  fraction: number | null; response: Record<string, unknown> | null;
}
interface VersionRow { id: string; question_id: string; key: string; type: string; content: Record<string, unknown> }

/** What an answer was, as the keys response frequencies count: an option's index, true/false, or the value given. */
function responseKeys(type: string, response: Record<string, unknown> | null): string[] {
  if (!response) return ['none'];
  switch (type) {
    case 'single_choice': return typeof response.choice === 'number' ? [`option:${response.choice}`] : ['none'];
    case 'multiple_choice': return Array.isArray(response.choices) && response.choices.length
      ? response.choices.filter((c): c is number => typeof c === 'number').map((c) => `option:${c}`) : ['none'];
    case 'true_false': return typeof response.answer === 'boolean' ? [`tf:${response.answer}`] : ['none'];
    case 'fill_blank': return Array.isArray(response.blanks) ? [`value:${response.blanks.map((b) => String(b).trim()).join(' / ')}`] : ['none'];
    case 'numeric': return response.value === null || response.value === undefined ? ['none'] : [`value:${String(response.value)}`];
    default: return [`value:${JSON.stringify(Object.values(response)[0] ?? '').slice(0, 80)}`];
  }
}

const plain = (s: unknown) => String(s ?? '').replace(/[*_`>#|]+/g, '').replace(/\s+/g, ' ').trim();

function responseLabel(key: string, v: VersionRow, lang: Lang): string {
  if (key === 'none') return t(lang, 'results.no_answer');
  if (key.startsWith('option:')) {
    const i = Number(key.slice(7));
    const options = Array.isArray(v.content.options) ? (v.content.options as { text?: unknown }[]) : [];
    return `${String.fromCharCode(65 + i)}. ${plain(options[i]?.text).slice(0, 80)}`;
  }
  if (key.startsWith('tf:')) return t(lang, key === 'tf:true' ? 'results.true' : 'results.false');
  return key.slice(6);
}

/**
 * The item analysis of an exam over the attempts that count (see the grading method), each fully graded. The rows
 * are read in one statement; the arithmetic yields between questions, so a large exam does not hold the loop.
 */
export async function getItemAnalysis(em: EntityManager, actor: Actor, examId: string, lang: Lang): Promise<ItemAnalysis> {
  const { exam, scope } = await examForResults(em, actor, examId);
  const attemptFilter = exam.gradingMethod === 'mean'
    ? sql`select a.id from exam_attempt a where a.exam_id = ${exam.id} and a.status <> 'in_progress' and not a.needs_grading`
    : sql`select distinct on (a.user_id) a.id from exam_attempt a where a.exam_id = ${exam.id} and a.status <> 'in_progress' and not a.needs_grading
           order by a.user_id, ${countingOrder(exam.gradingMethod)}`;
  const slots = await query<SlotRow>(em, sql`
    with counted as (${attemptFilter})
    select q.attempt_id, q.slot, q.exam_item_id, q.question_version_id, q.score::float as score, q.points::float as points,
           q.fraction::float as fraction, aa.response
      from counted c join exam_attempt a on a.id = c.id join app_user u on u.id = a.user_id join org_unit o on o.id = u.org_unit_id
      join attempt_question q on q.attempt_id = c.id
      left join attempt_answer aa on aa.attempt_id = q.attempt_id and aa.slot = q.slot
     where ${scopeCondition(scope, sql`o.path`, sql`u.id`)}
     order by q.attempt_id, q.slot`);
  const versionIds = [...new Set(slots.map((s) => s.question_version_id))];
  const versions = new Map((await query<VersionRow>(em, sql`
    select v.id, v.question_id, q.key, v.type, v.content from question_version v join question q on q.id = v.question_id
     where v.id = any(${versionIds}::uuid[])`)).map((v) => [v.id, v]));
  const pause = slicer();
  // Attempts, each with its slots placed by blueprint position: the item and the rank of the draw within it.
  const attempts: AnalysisAttempt[] = [];
  let current: { id: string; slots: AnalysisAttempt['slots']; rank: Map<string, number> } | undefined;
  for (const s of slots) {
    if (current?.id !== s.attempt_id) {
      current = { id: s.attempt_id, slots: [], rank: new Map() };
      attempts.push({ slots: current.slots });
    }
    const item = s.exam_item_id ?? `slot:${s.slot}`;
    const rank = current.rank.get(item) ?? 0;
    current.rank.set(item, rank + 1);
    const type = versions.get(s.question_version_id)?.type ?? '';
    current.slots.push({
      position: `${item}#${rank}`, versionId: s.question_version_id, score: s.score ?? 0, max: s.points,
      responseKeys: responseKeys(type, s.response), fraction: s.fraction,
    });
    await pause();
  }
  const questions: ItemAnalysis['questions'] = [];
  for (const [versionId, g] of slotsByVersion(attempts)) {
    await pause();
    const v = versions.get(versionId);
    if (!v) continue;
    const stats = itemStats(versionId, g.scores, g.rests, g.max, g.keys);
    questions.push({
      ...stats, questionId: v.question_id, key: v.key, type: v.type, excerpt: plain(v.content.stem).slice(0, 120),
      responses: stats.responses.map((r) => ({ ...r, label: responseLabel(r.key, v, lang) })),
    });
  }
  questions.sort((a, b) => (b.flags.length - a.flags.length) || (a.facility ?? 0) - (b.facility ?? 0) || a.key.localeCompare(b.key));
  return { exam: { id: exam.id, title: titleOf(exam, lang) }, test: testStats(attempts), questions };
}

export interface PeriodExamResult {
  examId: string; title: string; kind: string; period: string; closesAt: string;
  outcome: PersonOutcome; score: number | null; maxScore: number | null; percent: number | null;
}

/**
 * Each person's exams per period, for the assessment record: every published exam whose audience reaches them (or
 * that they took) with a period in [from, to], with the result that counts, or `missed` for a closed exam they never
 * finished. Keyed by user id, in period order.
 */
export async function examRecords(em: EntityManager, userIds: readonly string[], from: string, to: string, now: Date, lang: Lang): Promise<Map<string, PeriodExamResult[]>> {
  const out = new Map<string, PeriodExamResult[]>(userIds.map((id) => [id, []]));
  if (!userIds.length) return out;
  const rows = await query<{
    user_id: string; exam_id: string; title_zh: string; title_en: string; kind: string; period: string; status: 'draft' | 'published' | 'archived';
    opens_at: Date; closes_at: Date; pass_mark: number; grading_method: string; attempts: number; score: number | null; max_score: number | null;
    needs_grading: boolean | null; in_progress: boolean;
  }>(em, sql`
    select u.id as user_id, e.id as exam_id, e.title_zh, e.title_en, e.kind, e.period, e.status, e.opens_at, e.closes_at,
           e.pass_mark::float as pass_mark, e.grading_method,
           (select count(*)::int from exam_attempt a where a.exam_id = e.id and a.user_id = u.id and a.status <> 'in_progress') as attempts,
           (select case e.grading_method when 'mean' then avg(a.score)
                     when 'highest' then max(a.score)
                     when 'first' then (array_agg(a.score order by a.number))[1]
                     else (array_agg(a.score order by a.number desc))[1] end::float
              from exam_attempt a where a.exam_id = e.id and a.user_id = u.id and a.status <> 'in_progress') as score,
           (select max(a.max_score)::float from exam_attempt a where a.exam_id = e.id and a.user_id = u.id and a.status <> 'in_progress') as max_score,
           (select bool_or(a.needs_grading) from exam_attempt a where a.exam_id = e.id and a.user_id = u.id and a.status <> 'in_progress') as needs_grading,
           exists (select 1 from exam_attempt a where a.exam_id = e.id and a.user_id = u.id and a.status = 'in_progress') as in_progress
      from app_user u join org_unit o on o.id = u.org_unit_id
      join exam e on e.status = 'published' and e.kind <> 'practice' and e.period between ${from} and ${to}
     where u.id = any(${[...userIds]}::uuid[])
       and (${audienceReaches(audienceOf('e'), personOf('u', 'o'))}
            or exists (select 1 from exam_override x where x.exam_id = e.id and x.user_id = u.id)
            or exists (select 1 from exam_attempt a where a.exam_id = e.id and a.user_id = u.id))
     order by e.period, e.opens_at`);
  for (const r of rows) {
    const state = examState({ status: r.status, opensAt: new Date(r.opens_at), closesAt: new Date(r.closes_at) }, now);
    const finished = r.attempts > 0;
    const outcome = outcomeOf(finished ? { score: r.score, needsGrading: r.needs_grading } : null, r.in_progress, state, r.pass_mark);
    out.get(r.user_id)?.push({
      examId: r.exam_id, title: lang === 'en' && r.title_en ? r.title_en : r.title_zh, kind: r.kind, period: r.period,
      closesAt: new Date(r.closes_at).toISOString(), outcome,
      score: finished ? Math.round((r.score ?? 0) * 100) / 100 : null, maxScore: finished ? r.max_score : null,
      percent: finished && r.max_score ? percentOf(r.score, r.max_score) : null,
    });
  }
  return out;
}
