import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { AppError, invalid, notFound, type FieldIssue } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { exec, query, sql } from '../../lib/sql.js';
import { scopeCondition, scopeOf, scopePathOf, type Scope } from '../../access/scope.js';
import type { Actor } from '../../access/actor.js';
import { Contest, SpeechCriterion, SpeechJudge, SpeechSpeaker, type IContest } from './contest.entity.js';
import { rankStandings } from './contest-scoring.js';
import { writeSpeechResults } from './contest-results.service.js';
import { finalScore, isTrimmed, judgeTotal, round3, type Criterion } from './speech-scoring.js';
import type { CreateSpeechContestInput, JudgeScoreInput, SpeechContestViewT } from './speech.schemas.js';
import './speech-messages.js';

/** A 409 whose detail says why in the request's language, and names the field. */
const refused = (lang: Lang, reason: string, path: string, params: Record<string, unknown> = {}) =>
  new AppError(409, 'conflict', { reason: t(lang, reason, params) }, [{ path, reason, params }]);

const pick = (lang: Lang, zh: string, en: string) => (lang === 'en' && en ? en : zh);
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

/** Contests an actor may run as host: made within their scope. */
const hostable = (scope: Scope) =>
  scope.kind === 'all' ? sql`true` : scope.kind === 'subtree' ? sql`(c.scope_path like ${scope.path} || '%')` : sql`false`;

interface Access { contest: IContest; host: boolean; judge: boolean; speakerId: string | null }

/** The speech contest as the actor may reach it (host, judge or speaker); anything else is 404. */
async function findContest(em: EntityManager, actor: Actor, id: string): Promise<Access> {
  const scope = await scopeOf(em, actor);
  const [row] = await query<{ host: boolean; judge: boolean; speaker_id: string | null }>(em, sql`
    select ${hostable(scope)} as host,
           exists (select 1 from speech_judge j where j.contest_id = c.id and j.user_id = ${actor.id}) as judge,
           (select s.id from speech_speaker s where s.contest_id = c.id and s.user_id = ${actor.id}) as speaker_id
      from contest c where c.id = ${id} and c.kind = 'speech'`);
  if (!row || (!row.host && !row.judge && !row.speaker_id)) throw notFound('contest');
  const contest = await em.findOneOrFail(Contest, { id }, { refresh: true });
  return { contest, host: row.host, judge: row.judge, speakerId: row.speaker_id };
}

export async function createSpeechContest(em: EntityManager, actor: Actor, input: CreateSpeechContestInput, now: Date, lang: Lang) {
  const scope = await scopeOf(em, actor);
  const issues: FieldIssue[] = [];
  if (!input.titleZh.trim()) issues.push({ path: 'titleZh', reason: 'field.required' });
  const ids = [...new Set([...input.speakers.map((s) => s.userId), ...input.judges])];
  const people = new Map((await query<{ id: string; role: string }>(em, sql`
    select u.id, u.role from app_user u join org_unit o on o.id = u.org_unit_id
     where u.id = any(${ids}::uuid[]) and not u.disabled and ${scopeCondition(scope, sql`o.path`, sql`u.id`)}`)).map((r) => [r.id, r.role]));
  const seenSpeakers = new Set<string>();
  input.speakers.forEach((s, i) => {
    if (!people.has(s.userId)) issues.push({ path: `speakers.${i}.userId`, reason: 'speech.unknown_person' });
    else if (seenSpeakers.has(s.userId)) issues.push({ path: `speakers.${i}.userId`, reason: 'speech.speaker_twice' });
    seenSpeakers.add(s.userId);
  });
  const seenJudges = new Set<string>();
  input.judges.forEach((j, i) => {
    const role = people.get(j);
    if (!role) issues.push({ path: `judges.${i}`, reason: 'speech.unknown_person' });
    else if (role !== 'trainer' && role !== 'manager') issues.push({ path: `judges.${i}`, reason: 'speech.judge_role' });
    else if (seenJudges.has(j)) issues.push({ path: `judges.${i}`, reason: 'speech.judge_twice' });
    seenJudges.add(j);
  });
  input.criteria.forEach((c, i) => { if (!c.nameZh.trim()) issues.push({ path: `criteria.${i}.nameZh`, reason: 'field.required' }); });
  if (issues.length) throw invalid(issues);
  const id = randomUUID();
  await em.transactional(async (tx) => {
    tx.create(Contest, {
      id, kind: 'speech', titleZh: input.titleZh.trim(), titleEn: input.titleEn?.trim() ?? '', period: input.period, status: 'scheduled',
      scheduledAt: new Date(input.scheduledAt), tieBreak: 'shared', trimMinJudges: input.trimMinJudges ?? 5,
      speakerSeconds: input.speakerSeconds ?? null, scopePath: scopePathOf(scope), createdBy: actor.id, createdAt: now, updatedAt: now,
    });
    await tx.flush();
    input.speakers.forEach((s, position) => tx.create(SpeechSpeaker, {
      id: randomUUID(), contestId: id, userId: s.userId, position, topicZh: s.topicZh?.trim() ?? '', topicEn: s.topicEn?.trim() ?? '',
    }));
    input.judges.forEach((userId) => tx.create(SpeechJudge, { contestId: id, userId }));
    input.criteria.forEach((c, position) => tx.create(SpeechCriterion, {
      id: randomUUID(), contestId: id, position, nameZh: c.nameZh.trim(), nameEn: c.nameEn?.trim() ?? '', weight: c.weight, maxScore: c.maxScore,
    }));
  });
  return getSpeechContest(em, actor, id, lang);
}

interface ScoreRow { speaker_id: string; judge_id: string; judge_name: string; criterion_id: string; score: string | number; comment: string; scored_at: Date | string }

async function contestData(em: EntityManager, contestId: string) {
  const criteria = (await query<{ id: string; name_zh: string; name_en: string; weight: string | number; max_score: number }>(em, sql`
    select id, name_zh, name_en, weight, max_score from speech_criterion where contest_id = ${contestId} order by position`))
    .map((c) => ({ id: c.id, nameZh: c.name_zh, nameEn: c.name_en, weight: Number(c.weight), maxScore: c.max_score }));
  const speakers = await query<{ id: string; user_id: string; display_name: string; position: number; topic_zh: string; topic_en: string;
    scoring_closed_at: Date | null; final_score: string | number | null; rank: number | null }>(em, sql`
    select s.id, s.user_id, u.display_name, s.position, s.topic_zh, s.topic_en, s.scoring_closed_at, s.final_score, s.rank
      from speech_speaker s join app_user u on u.id = s.user_id where s.contest_id = ${contestId} order by s.position`);
  const judges = await query<{ user_id: string; display_name: string }>(em, sql`
    select j.user_id, u.display_name from speech_judge j join app_user u on u.id = j.user_id where j.contest_id = ${contestId} order by u.display_name, j.user_id`);
  const scores = await query<ScoreRow>(em, sql`
    select sc.speaker_id, sc.judge_id, u.display_name as judge_name, sc.criterion_id, sc.score, sc.comment, sc.scored_at
      from speech_score sc join speech_speaker s on s.id = sc.speaker_id join app_user u on u.id = sc.judge_id
     where s.contest_id = ${contestId} order by u.display_name, sc.judge_id`);
  return { criteria, speakers, judges, scores };
}

type Marks = { judgeId: string; judgeName: string; marks: { criterionId: string; score: number }[]; total: number; comment: string; scoredAt: string | null };

/** Each judge's marks for one speaker, with their total. */
function marksBySpeaker(criteria: readonly Criterion[], scores: readonly ScoreRow[]): Map<string, Marks[]> {
  const out = new Map<string, Map<string, Marks>>();
  for (const r of scores) {
    const bySpeaker = out.get(r.speaker_id) ?? new Map<string, Marks>();
    out.set(r.speaker_id, bySpeaker);
    const m = bySpeaker.get(r.judge_id) ?? { judgeId: r.judge_id, judgeName: r.judge_name, marks: [], total: 0, comment: r.comment, scoredAt: iso(r.scored_at) };
    bySpeaker.set(r.judge_id, m);
    m.marks.push({ criterionId: r.criterion_id, score: Number(r.score) });
    if (r.comment) m.comment = r.comment;
  }
  const order = new Map(criteria.map((c, i) => [c.id, i]));
  return new Map([...out].map(([speakerId, byJudge]) => [speakerId, [...byJudge.values()].map((m) => {
    m.marks.sort((a, b) => (order.get(a.criterionId) ?? 0) - (order.get(b.criterionId) ?? 0));
    m.total = judgeTotal(criteria, new Map(m.marks.map((x) => [x.criterionId, x.score])));
    return m;
  })]));
}

export async function getSpeechContest(em: EntityManager, actor: Actor, contestId: string, lang: Lang): Promise<SpeechContestViewT> {
  const { contest: c, host, judge } = await findContest(em, actor, contestId);
  const { criteria, speakers, judges, scores } = await contestData(em, contestId);
  const marks = marksBySpeaker(criteria, scores);
  const published = c.status === 'published';
  return {
    id: c.id, titleZh: c.titleZh, titleEn: c.titleEn, title: pick(lang, c.titleZh, c.titleEn), period: c.period, status: c.status,
    scheduledAt: iso(c.scheduledAt), publishedAt: iso(c.publishedAt), trimMinJudges: c.trimMinJudges, speakerSeconds: c.speakerSeconds ?? null,
    host, judge,
    criteria: criteria.map((x) => ({ ...x, name: pick(lang, x.nameZh, x.nameEn) })),
    judges: judges.map((j) => ({ userId: j.user_id, displayName: j.display_name })),
    speakers: speakers.map((s) => {
      const all = marks.get(s.id) ?? [];
      const closed = s.scoring_closed_at !== null;
      const final = closed ? finalScore(all.map((m) => m.total), c.trimMinJudges) : null;
      return {
        id: s.id, userId: s.user_id, displayName: s.display_name, position: s.position, topicZh: s.topic_zh, topicEn: s.topic_en,
        topic: pick(lang, s.topic_zh, s.topic_en), closed, judgesScored: all.length,
        canScore: judge && !closed && !published && s.user_id !== actor.id,
        mine: all.find((m) => m.judgeId === actor.id) ?? null,
        marks: closed && (host || judge) ? all : [],
        finalScore: closed && (host || judge) ? final : null,
        trimmed: closed && isTrimmed(all.length, c.trimMinJudges),
        rank: published ? s.rank : null,
      };
    }),
  };
}

export async function listSpeechContests(em: EntityManager, actor: Actor, lang: Lang) {
  const scope = await scopeOf(em, actor);
  const rows = await query<{ id: string; title_zh: string; title_en: string; period: string; status: IContest['status']; scheduled_at: Date | null;
    host: boolean; judge: boolean; speaker: boolean }>(em, sql`
    select * from (select c.id, c.title_zh, c.title_en, c.period, c.status, c.scheduled_at, ${hostable(scope)} as host,
           exists (select 1 from speech_judge j where j.contest_id = c.id and j.user_id = ${actor.id}) as judge,
           exists (select 1 from speech_speaker s where s.contest_id = c.id and s.user_id = ${actor.id}) as speaker
      from contest c where c.kind = 'speech' and c.status <> 'archived') x
     where x.host or x.judge or x.speaker order by x.scheduled_at desc nulls last, x.id limit 200`);
  return { items: rows.map((r) => ({ id: r.id, title: pick(lang, r.title_zh, r.title_en), period: r.period, status: r.status,
    scheduledAt: iso(r.scheduled_at), host: r.host, judge: r.judge, speaker: r.speaker })) };
}

async function findSpeaker(em: EntityManager, contestId: string, speakerId: string) {
  const s = await em.findOne(SpeechSpeaker, { id: speakerId, contestId }, { refresh: true });
  if (!s) throw notFound('speaker');
  return s;
}

export async function submitJudgeScore(em: EntityManager, actor: Actor, contestId: string, speakerId: string, input: JudgeScoreInput, now: Date, lang: Lang) {
  const { contest, judge } = await findContest(em, actor, contestId);
  const speaker = await findSpeaker(em, contestId, speakerId);
  if (!judge) throw refused(lang, 'speech.not_judge', 'judge');
  if (speaker.userId === actor.id) throw refused(lang, 'speech.self_scoring', 'speakerId');
  if (contest.status === 'published') throw refused(lang, 'speech.already_published', 'status');
  if (speaker.scoringClosedAt) throw refused(lang, 'speech.scoring_closed', 'speakerId');
  const criteria = await em.find(SpeechCriterion, { contestId }, { orderBy: { position: 'asc' } });
  const byId = new Map(criteria.map((c) => [c.id, c]));
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  input.marks.forEach((m, i) => {
    const c = byId.get(m.criterionId);
    if (!c) issues.push({ path: `marks.${i}.criterionId`, reason: 'speech.unknown_criterion' });
    else if (seen.has(m.criterionId)) issues.push({ path: `marks.${i}.criterionId`, reason: 'speech.criterion_twice' });
    else if (m.score > c.maxScore) issues.push({ path: `marks.${i}.score`, reason: 'speech.above_max', params: { max: c.maxScore } });
    seen.add(m.criterionId);
  });
  if (!issues.length && criteria.some((c) => !seen.has(c.id))) issues.push({ path: 'marks', reason: 'speech.criterion_missing' });
  if (issues.length) throw invalid(issues);
  const comment = input.comment?.trim() ?? '';
  await em.transactional(async (tx) => {
    // Closing takes this row's lock too, so a mark cannot land after the close that should refuse it.
    const [open] = await query<{ id: string }>(tx, sql`select id from speech_speaker where id = ${speakerId} and scoring_closed_at is null for update`);
    if (!open) throw refused(lang, 'speech.scoring_closed', 'speakerId');
    for (const m of input.marks) {
      await exec(tx, sql`insert into speech_score (speaker_id, judge_id, criterion_id, score, comment, scored_at)
        values (${speakerId}, ${actor.id}, ${m.criterionId}, ${Math.round(m.score * 100) / 100}, ${comment}, ${now})
        on conflict (speaker_id, judge_id, criterion_id) do update set score = excluded.score, comment = excluded.comment, scored_at = excluded.scored_at`);
    }
  });
  return getSpeechContest(em, actor, contestId, lang);
}

export async function closeSpeakerScoring(em: EntityManager, actor: Actor, contestId: string, speakerId: string, now: Date, lang: Lang) {
  const { contest, host } = await findContest(em, actor, contestId);
  if (!host) throw notFound('contest');
  await findSpeaker(em, contestId, speakerId);
  if (contest.status === 'published') throw refused(lang, 'speech.already_published', 'status');
  const closed = await query<{ id: string }>(em, sql`update speech_speaker set scoring_closed_at = ${now}
    where id = ${speakerId} and scoring_closed_at is null returning id`);
  if (!closed.length) throw refused(lang, 'speech.scoring_closed', 'speakerId');
  await exec(em, sql`update contest set status = 'running', started_at = coalesce(started_at, ${now}), updated_at = ${now}
    where id = ${contestId} and status = 'scheduled'`);
  return getSpeechContest(em, actor, contestId, lang);
}

export async function publishSpeechResults(em: EntityManager, actor: Actor, contestId: string, now: Date, lang: Lang) {
  const { contest, host } = await findContest(em, actor, contestId);
  if (!host) throw notFound('contest');
  if (contest.status === 'published') throw refused(lang, 'speech.already_published', 'status');
  await em.transactional(async (tx) => {
    const [locked] = await query<{ status: string }>(tx, sql`select status from contest where id = ${contestId} for update`);
    if (locked?.status === 'published') throw refused(lang, 'speech.already_published', 'status');
    const { criteria, speakers, scores } = await contestData(tx, contestId);
    const open = speakers.filter((s) => s.scoring_closed_at === null).length;
    if (open) throw refused(lang, 'speech.speakers_open', 'speakers', { count: open });
    const marks = marksBySpeaker(criteria, scores);
    const standings = speakers.map((s) => ({
      id: s.id, totalMs: 0, points: finalScore((marks.get(s.id) ?? []).map((m) => m.total), contest.trimMinJudges),
    }));
    // A speaker no judge scored gets no final score, no rank and no result.
    const ranked = rankStandings(standings.filter((r) => r.points !== null).map((r) => ({ ...r, points: r.points! })), 'shared');
    for (const r of ranked) {
      await exec(tx, sql`update speech_speaker set final_score = ${round3(r.row.points)}, rank = ${r.rank} where id = ${r.row.id}`);
    }
    // The assessment record's rows, ranked the same way from the final scores just written.
    await writeSpeechResults(tx, contestId);
    await exec(tx, sql`update contest set status = 'published', published_at = ${now}, finished_at = coalesce(finished_at, ${now}), updated_at = ${now}
      where id = ${contestId}`);
  });
  return getSpeechContest(em, actor, contestId, lang);
}

export async function getMySpeechResult(em: EntityManager, actor: Actor, contestId: string, lang: Lang) {
  const { contest, speakerId } = await findContest(em, actor, contestId);
  if (!speakerId) throw notFound('speaker');
  if (contest.status !== 'published') throw refused(lang, 'speech.not_published', 'status');
  const { criteria, speakers, scores } = await contestData(em, contestId);
  const me = speakers.find((s) => s.id === speakerId)!;
  const mine = scores.filter((s) => s.speaker_id === speakerId);
  const byJudge = marksBySpeaker(criteria, mine).get(speakerId) ?? [];
  const [result] = await query<{ points: string | number; rank: number; players: number; percentile: string | number }>(em, sql`
    select points, rank, players, percentile from contest_result where contest_id = ${contestId} and user_id = ${actor.id}`);
  return {
    contestId, title: pick(lang, contest.titleZh, contest.titleEn), topic: pick(lang, me.topic_zh, me.topic_en),
    finalScore: Number(result?.points ?? me.final_score ?? 0), rank: result?.rank ?? me.rank ?? speakers.length,
    players: result?.players ?? speakers.length, percentile: Number(result?.percentile ?? 0),
    trimmed: isTrimmed(byJudge.length, contest.trimMinJudges), judgesScored: byJudge.length,
    criteria: criteria.map((c) => {
      const got = byJudge.map((j) => j.marks.find((m) => m.criterionId === c.id)?.score ?? 0);
      return { id: c.id, name: pick(lang, c.nameZh, c.nameEn), weight: c.weight, maxScore: c.maxScore,
        meanScore: got.length ? Math.round((got.reduce((a, b) => a + b, 0) / got.length) * 100) / 100 : 0 };
    }),
    comments: byJudge.map((j) => j.comment).filter((x) => x),
  };
}
