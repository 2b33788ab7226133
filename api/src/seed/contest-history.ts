/**
 * The demo organisation's contest history: over the last twelve months a live knowledge contest about every month
 * (played by nearly every staff member, every other one in county teams) and a speech contest about every four
 * months (six speakers, a panel of trainers and managers, a weighted rubric), each with the results the assessment
 * record reads; and one live contest scheduled next week, with its join code and questions.
 *
 * Answers are right or wrong by a person's chance (their ability, the question's difficulty, a little progress month
 * by month), scored by the product's own scoring (`scoreResponse`, `answerPoints`), so every player's score, streak
 * and time is what their stored answers give; results are written by the same functions the live engine and speech
 * results use. Everything is drawn from a seeded generator, inserted set-wise, once.
 *
 * Runs once, on a database the demo organisation was loaded into, after the question bank is synchronised.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { seededRandom } from '../lib/seeded-random.js';
import { exec, query, queryOne, sql } from '../lib/sql.js';
import { answerPoints, type ScoringRule } from '../modules/contests/contest-scoring.js';
import { writeKnowledgeResults, writeSpeechResults } from '../modules/contests/contest-results.service.js';
import { scoreResponse } from '../modules/questions/scoring.js';
import { loadQuestions } from '../modules/questions/question-store.js';
import type { Question } from '../modules/questions/question-model.js';
import { lastFingerprint, recordFingerprint } from '../modules/content/sync-state.js';
import { demoResponse } from './exam-history.js';

const MARKER = 'demo_contest_history';
const QUESTIONS = 8;
const ANSWER_SECONDS = 20;
const CONTEST_TYPES = ['single_choice', 'multiple_choice', 'true_false', 'fill_blank'];
const SPEECH_MONTHS = [11, 7, 3];
const CRITERIA = [
  { zh: '内容', en: 'Content', weight: 4 }, { zh: '表达', en: 'Delivery', weight: 3 },
  { zh: '政策准确', en: 'Policy accuracy', weight: 2 }, { zh: '时间把控', en: 'Timing', weight: 1 },
];
const TOPICS = [
  ['卷烟零售终端建设的做法与体会', 'Building up retail outlets: what worked'],
  ['客户经理如何做好市场走访', 'How an account manager visits the market'],
  ['货源投放政策解读', 'The supply allocation policy explained'],
  ['数据分析在营销中的应用', 'Using data in marketing'],
  ['诚信经营与规范服务', 'Honest business and proper service'],
  ['新零售形势下的客户服务', 'Customer service in the new retail'],
];

function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function pick<T>(items: readonly T[], n: number, rnd: () => number): T[] {
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}

interface Person { id: string; teamId: string; ability: number; growth: number }
interface PoolQuestion { versionId: string; question: Question; difficulty: number }
interface AnswerRow { position: number; userId: string; response: Record<string, unknown>; answeredAt: Date; elapsedMs: number; fraction: number; correct: boolean; points: number }
interface PlayerRow { userId: string; teamId: string | null; joinedAt: Date; score: number; streak: number; best: number; correct: number; answered: number; totalMs: number }

const monthKey = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Seeds the history unless it was seeded before or the database holds no demo organisation. Returns what it made. */
export async function seedContestHistory(em: EntityManager, now: Date): Promise<{ contests: number; results: number } | null> {
  if (await lastFingerprint(em, MARKER)) return null;
  const trainer = await queryOne<{ id: string }>(em, sql`select id from app_user where username = 'trainer'`);
  const root = await queryOne<{ id: string }>(em, sql`select id from org_unit where parent_id is null order by created_at limit 1`);
  if (!trainer || !root) return null;
  if ((await queryOne<{ n: number }>(em, sql`select count(*)::int as n from contest`))!.n > 0) return null;

  // Teams are counties: a person's unit's ancestor just below the company (their own unit when it is the company).
  const staff = await query<{ id: string; team_id: string }>(em, sql`
    select u.id, coalesce(nullif(split_part(o.path, '/', 3), ''), o.id::text)::uuid as team_id
      from app_user u join org_unit o on o.id = u.org_unit_id
     where u.role = 'staff' and not u.disabled order by u.username`);
  const judges = (await query<{ id: string }>(em, sql`
    select id from app_user where role in ('trainer', 'manager') and not disabled order by role desc, username`)).map((r) => r.id);
  const ids = (await query<{ id: string }>(em, sql`
    select q.id from question q join question_version v on v.id = q.current_version_id
     where q.status = 'active' and q.language = 'zh' and v.type = any(${CONTEST_TYPES}::text[]) order by q.key`)).map((r) => r.id);
  const pool: PoolQuestion[] = (await loadQuestions(em, ids)).map((s) => ({
    versionId: s.version.id, question: s.question, difficulty: Number(s.question.difficulty) || 3,
  }));
  if (pool.length < QUESTIONS || staff.length < 2) return null;

  const rnd = seededRandom(`contest-history ${monthKey(now)}`);
  const people: Person[] = staff.map((s) => ({ id: s.id, teamId: s.team_id, ability: normal(rnd) * 0.8, growth: normal(rnd) * 0.04 + 0.02 }));
  let contests = 0;
  let results = 0;

  const insertContest = async (c: {
    id: string; kind: 'live' | 'speech'; titleZh: string; titleEn: string; period: string; status: 'scheduled' | 'finished' | 'published';
    mode: 'individual' | 'team'; at: Date; joinCode: string | null; rule?: ScoringRule; tieBreak?: 'time' | 'shared'; trimMinJudges?: number;
    finished: boolean; lastIndex: number | null;
  }) => {
    const end = new Date(c.at.getTime() + 40 * 60_000);
    await exec(em, sql`
      insert into contest (id, kind, title_zh, title_en, period, status, mode, join_code, scheduled_at, answer_seconds, question_count,
                           base_points, speed_bonus, streak_bonus, streak_cap, tie_break, trim_min_judges, speaker_seconds, org_unit_ids,
                           current_index, phase, created_by, created_at, updated_at, started_at, finished_at, published_at)
      values (${c.id}, ${c.kind}, ${c.titleZh}, ${c.titleEn}, ${c.period}, ${c.status}, ${c.mode}, ${c.joinCode}, ${c.at}, ${ANSWER_SECONDS},
              ${c.kind === 'live' ? QUESTIONS : 0}, ${c.rule?.basePoints ?? 1000}, ${c.rule?.speedBonus ?? 0}, ${c.rule?.streakBonus ?? 0},
              ${c.rule?.streakCap ?? 5}, ${c.tieBreak ?? 'shared'}, ${c.trimMinJudges ?? 5}, ${c.kind === 'speech' ? 300 : null},
              ${[root.id]}::uuid[], ${c.lastIndex}, ${c.finished ? 'finished' : 'lobby'}, ${trainer.id},
              ${new Date(c.at.getTime() - 7 * 86_400_000)}, ${c.finished ? end : new Date(c.at.getTime() - 7 * 86_400_000)},
              ${c.finished ? c.at : null}, ${c.finished ? end : null}, ${c.status === 'published' ? end : null})`);
    contests++;
  };

  const insertQuestions = async (contestId: string, questions: PoolQuestion[], at: Date | null) => {
    const step = (ANSWER_SECONDS + 40) * 1000;
    await exec(em, sql`
      insert into contest_question (contest_id, position, question_version_id, opened_at, closed_at)
      select ${contestId}, q.position, q.version_id, nullif(q.opened_at, '')::timestamptz, nullif(q.closed_at, '')::timestamptz
        from unnest(${questions.map((_, i) => String(i))}::int[], ${questions.map((q) => q.versionId)}::uuid[],
                    ${questions.map((_, i) => (at ? new Date(at.getTime() + i * step).toISOString() : ''))}::text[],
                    ${questions.map((_, i) => (at ? new Date(at.getTime() + i * step + ANSWER_SECONDS * 1000).toISOString() : ''))}::text[])
             as q(position, version_id, opened_at, closed_at)`);
    await exec(em, sql`
      insert into question_usage (id, question_version_id, used_by_type, used_by_id)
      select gen_random_uuid(), v, 'contest', ${contestId}::uuid from unnest(${questions.map((q) => q.versionId)}::uuid[]) as v
      on conflict do nothing`);
  };

  const liveContest = async (monthsAgo: number) => {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
    const [y, m] = [month.getUTCFullYear(), month.getUTCMonth()];
    // The tenth of the month, 15:00 in UTC+8.
    const at = new Date(Date.UTC(y, m, 10, 7));
    const team = monthsAgo % 2 === 0;
    const rule: ScoringRule = { basePoints: 1000, speedBonus: monthsAgo % 3 === 0 ? 0 : 500, streakBonus: monthsAgo % 4 === 1 ? 0 : 100, streakCap: 5 };
    const id = randomUUID();
    await insertContest({
      id, kind: 'live', titleZh: `${y}年${m + 1}月${team ? '县区团体' : ''}知识竞赛`, titleEn: `${EN_MONTHS[m]} ${y} ${team ? 'county team ' : ''}knowledge contest`,
      period: monthKey(month), status: 'finished', mode: team ? 'team' : 'individual', at, joinCode: null, rule,
      tieBreak: monthsAgo % 2 === 1 ? 'time' : 'shared', finished: true, lastIndex: QUESTIONS - 1,
    });
    const questions = pick(pool, QUESTIONS, rnd);
    await insertQuestions(id, questions, at);
    const players: PlayerRow[] = [];
    const answers: AnswerRow[] = [];
    for (const p of people) {
      if (rnd() < 0.06) continue; // away that day
      const player: PlayerRow = { userId: p.id, teamId: team ? p.teamId : null, joinedAt: new Date(at.getTime() - Math.floor(rnd() * 300_000)),
        score: 0, streak: 0, best: 0, correct: 0, answered: 0, totalMs: 0 };
      // One in fifty joins and never answers: a player without a result.
      const silent = rnd() < 0.02;
      questions.forEach((q, position) => {
        if (silent || rnd() < 0.04) { player.streak = 0; return; }
        const skill = 1.0 + p.ability + p.growth * (12 - monthsAgo) - 0.45 * (q.difficulty - 3);
        const right = rnd() < 1 / (1 + Math.exp(-skill));
        const response = demoResponse(q.question, right, rnd);
        const scored = scoreResponse(q.question, response);
        const fraction = Math.min(1, Math.max(0, scored.fraction ?? 0));
        const elapsedMs = Math.min(ANSWER_SECONDS * 1000 - 50, 1500 + Math.floor(rnd() * 12_000 * (right ? 0.7 : 1)));
        const a = answerPoints(rule, fraction, elapsedMs, ANSWER_SECONDS * 1000, player.streak);
        const openedAt = at.getTime() + position * (ANSWER_SECONDS + 40) * 1000;
        answers.push({ position, userId: p.id, response, answeredAt: new Date(openedAt + elapsedMs), elapsedMs, fraction, correct: a.correct, points: a.points });
        player.score += a.points;
        player.streak = a.streak;
        player.best = Math.max(player.best, a.streak);
        player.correct += a.correct ? 1 : 0;
        player.answered += 1;
        player.totalMs += elapsedMs;
      });
      players.push(player);
    }
    await exec(em, sql`
      insert into contest_player (contest_id, user_id, team_unit_id, joined_at, score, streak, best_streak, correct_count, answered_count, total_ms)
      select ${id}, p.user_id, nullif(p.team_id, '')::uuid, p.joined_at, p.score, p.streak, p.best, p.correct, p.answered, p.total_ms
        from unnest(${players.map((p) => p.userId)}::uuid[], ${players.map((p) => p.teamId ?? '')}::text[], ${players.map((p) => p.joinedAt.toISOString())}::timestamptz[],
                    ${players.map((p) => String(p.score))}::int[], ${players.map((p) => String(p.streak))}::int[], ${players.map((p) => String(p.best))}::int[],
                    ${players.map((p) => String(p.correct))}::int[], ${players.map((p) => String(p.answered))}::int[], ${players.map((p) => String(p.totalMs))}::bigint[])
             as p(user_id, team_id, joined_at, score, streak, best, correct, answered, total_ms)`);
    await exec(em, sql`
      insert into contest_answer (contest_id, position, user_id, response, answered_at, elapsed_ms, fraction, correct, points)
      select ${id}, a.position, a.user_id, a.response, a.answered_at, a.elapsed_ms, a.fraction, a.correct, a.points
        from unnest(${answers.map((a) => String(a.position))}::int[], ${answers.map((a) => a.userId)}::uuid[], ${answers.map((a) => JSON.stringify(a.response))}::jsonb[],
                    ${answers.map((a) => a.answeredAt.toISOString())}::timestamptz[], ${answers.map((a) => String(a.elapsedMs))}::int[],
                    ${answers.map((a) => String(a.fraction))}::numeric[], ${answers.map((a) => String(a.correct))}::boolean[], ${answers.map((a) => String(a.points))}::int[])
             as a(position, user_id, response, answered_at, elapsed_ms, fraction, correct, points)`);
    results += await writeKnowledgeResults(em, id);
  };

  const speechContest = async (monthsAgo: number, n: number) => {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
    const [y, m] = [month.getUTCFullYear(), month.getUTCMonth()];
    const at = new Date(Date.UTC(y, m, 18, 6));
    const id = randomUUID();
    const panel = judges;
    // Trim the highest and lowest totals from five judges, or from the whole panel when it is smaller (at least three).
    const trimMinJudges = Math.max(3, Math.min(5, panel.length));
    await insertContest({
      id, kind: 'speech', titleZh: `${y}年${m + 1}月营销业务演讲比赛`, titleEn: `${EN_MONTHS[m]} ${y} speech contest`, period: monthKey(month),
      status: 'published', mode: 'individual', at, joinCode: null, trimMinJudges, finished: true, lastIndex: null,
    });
    const criteria = CRITERIA.map((c, position) => ({ ...c, id: randomUUID(), position }));
    await exec(em, sql`
      insert into speech_criterion (id, contest_id, position, name_zh, name_en, weight, max_score)
      select c.id, ${id}, c.position, c.name_zh, c.name_en, c.weight, 10
        from unnest(${criteria.map((c) => c.id)}::uuid[], ${criteria.map((c) => String(c.position))}::int[], ${criteria.map((c) => c.zh)}::text[],
                    ${criteria.map((c) => c.en)}::text[], ${criteria.map((c) => String(c.weight))}::numeric[]) as c(id, position, name_zh, name_en, weight)`);
    await exec(em, sql`insert into speech_judge (contest_id, user_id) select ${id}, j from unnest(${panel}::uuid[]) as j`);
    const speakers = pick(people, Math.min(6, people.length), rnd).map((p, position) => ({ p, position, id: randomUUID(), topic: TOPICS[(position + n) % TOPICS.length]! }));
    const scores: { speakerId: string; judgeId: string; criterionId: string; score: number; comment: string; at: Date }[] = [];
    const finals: number[] = [];
    const weightSum = criteria.reduce((s, c) => s + c.weight, 0);
    const trim = panel.length >= trimMinJudges;
    for (const s of speakers) {
      const closedAt = new Date(at.getTime() + (s.position + 1) * 8 * 60_000);
      const totals: number[] = [];
      for (const judge of panel) {
        const harshness = normal(rnd) * 0.4;
        let total = 0;
        for (const c of criteria) {
          const score = Math.max(3, Math.min(10, Math.round((7.2 + s.p.ability * 1.1 + harshness + normal(rnd) * 0.7) * 2) / 2));
          total += score * c.weight;
          scores.push({ speakerId: s.id, judgeId: judge, criterionId: c.id, score, comment: score >= 9 ? '很好' : score <= 5 ? '还需加强' : '', at: closedAt });
        }
        // The judge's total on a 0-100 scale: Σ(weight × mark / max) / Σ weight × 100, as speech results count it.
        totals.push((total / 10 / weightSum) * 100);
      }
      // The weighted mean of the judges' totals, their highest and lowest dropped when the panel is large enough.
      const kept = trim && totals.length >= 3 ? [...totals].sort((a, b) => a - b).slice(1, -1) : totals;
      finals.push(Math.round((kept.reduce((a, b) => a + b, 0) / kept.length) * 1000) / 1000);
    }
    const order = finals.map((f, i) => [f, i] as const).sort((a, b) => b[0] - a[0]);
    const rankOf = new Map<number, number>();
    order.forEach(([f, i], k) => rankOf.set(i, k > 0 && order[k - 1]![0] === f ? rankOf.get(order[k - 1]![1])! : k + 1));
    await exec(em, sql`
      insert into speech_speaker (id, contest_id, user_id, position, topic_zh, topic_en, scoring_closed_at, final_score, rank)
      select s.id, ${id}, s.user_id, s.position, s.topic_zh, s.topic_en, s.closed_at, s.final_score, s.rank
        from unnest(${speakers.map((s) => s.id)}::uuid[], ${speakers.map((s) => s.p.id)}::uuid[], ${speakers.map((s) => String(s.position))}::int[],
                    ${speakers.map((s) => s.topic[0])}::text[], ${speakers.map((s) => s.topic[1])}::text[],
                    ${speakers.map((s) => new Date(at.getTime() + (s.position + 1) * 8 * 60_000).toISOString())}::timestamptz[],
                    ${finals.map(String)}::numeric[], ${speakers.map((_, i) => String(rankOf.get(i)))}::int[])
             as s(id, user_id, position, topic_zh, topic_en, closed_at, final_score, rank)`);
    await exec(em, sql`
      insert into speech_score (speaker_id, judge_id, criterion_id, score, comment, scored_at)
      select s.speaker_id, s.judge_id, s.criterion_id, s.score, s.comment, s.scored_at
        from unnest(${scores.map((s) => s.speakerId)}::uuid[], ${scores.map((s) => s.judgeId)}::uuid[], ${scores.map((s) => s.criterionId)}::uuid[],
                    ${scores.map((s) => String(s.score))}::numeric[], ${scores.map((s) => s.comment)}::text[], ${scores.map((s) => s.at.toISOString())}::timestamptz[])
             as s(speaker_id, judge_id, criterion_id, score, comment, scored_at)`);
    results += await writeSpeechResults(em, id);
  };

  await em.transactional(async (tx) => {
    em = tx;
    for (let monthsAgo = 12; monthsAgo >= 1; monthsAgo--) {
      await liveContest(monthsAgo);
      const speech = SPEECH_MONTHS.indexOf(monthsAgo);
      if (speech >= 0 && judges.length) await speechContest(monthsAgo, speech);
    }
    // Next week's live contest, open to everyone, with its questions chosen and its join code out.
    const at = new Date(Math.ceil((now.getTime() + 7 * 86_400_000) / 3_600_000) * 3_600_000);
    const code = Array.from({ length: 6 }, () => CODE_CHARS[Math.floor(rnd() * CODE_CHARS.length)]).join('');
    const id = randomUUID();
    await insertContest({
      id, kind: 'live', titleZh: `${at.getUTCFullYear()}年${at.getUTCMonth() + 1}月知识竞赛`, titleEn: `${EN_MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()} knowledge contest`,
      period: monthKey(at), status: 'scheduled', mode: 'individual', at, joinCode: code,
      rule: { basePoints: 1000, speedBonus: 500, streakBonus: 100, streakCap: 5 }, tieBreak: 'time', finished: false, lastIndex: null,
    });
    await insertQuestions(id, pick(pool, QUESTIONS, rnd), null);
    await recordFingerprint(tx, MARKER, 'seeded');
  });
  return { contests, results };
}
