import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdStamp, textArray, tz, updatedStamp, uuidArray } from '../../db/columns.js';

// The tables of migrations/Migration20261204000100_contests.ts: knowledge contests (live and time-boxed) and speech
// contests, with the per-person results the assessment record reads.

const intArray = () => p.array((i: string) => Number(i)).columnType('integer[]');

/** A contest of any kind. A live contest's state (current question, its window, pause) lives on this row. */
export const Contest = defineEntity({
  name: 'Contest',
  tableName: 'contest',
  properties: {
    id: p.uuid().primary(),
    kind: p.enum(['live', 'timed', 'speech']).columnType('varchar(6)'),
    titleZh: p.string().length(200),
    titleEn: p.string().length(200).default(''),
    descriptionZh: p.text().default(''),
    descriptionEn: p.text().default(''),
    period: p.string().length(7),
    status: p.enum(['scheduled', 'running', 'finished', 'published', 'archived']).columnType('varchar(10)').default('scheduled'),
    mode: p.enum(['individual', 'team']).columnType('varchar(10)').default('individual'),
    joinCode: p.string().length(8).nullable().unique(),
    scheduledAt: tz().nullable(),
    opensAt: tz().nullable(),
    closesAt: tz().nullable(),
    answerSeconds: p.integer().default(20),
    questionCount: p.integer().default(0),
    drawCategoryIds: uuidArray(),
    drawTags: textArray(),
    drawDifficulty: p.smallint().nullable(),
    basePoints: p.integer().default(1000),
    speedBonus: p.integer().default(0),
    streakBonus: p.integer().default(0),
    streakCap: p.integer().default(5),
    tieBreak: p.enum(['time', 'shared']).columnType('varchar(6)').default('time'),
    trimMinJudges: p.integer().default(5),
    speakerSeconds: p.integer().nullable(),
    positions: textArray(),
    orgUnitIds: uuidArray(),
    userIds: uuidArray(),
    scopePath: p.text().nullable(),
    currentIndex: p.integer().nullable(),
    phase: p.enum(['lobby', 'question', 'reveal', 'board', 'finished']).columnType('varchar(8)').default('lobby'),
    questionOpenedAt: tz().nullable(),
    questionClosesAt: tz().nullable(),
    pausedRemainingMs: p.integer().nullable(),
    stateVersion: p.integer().default(0),
    createdBy: p.uuid(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
    startedAt: tz().nullable(),
    finishedAt: tz().nullable(),
    publishedAt: tz().nullable(),
  },
});
export type IContest = InferEntity<typeof Contest>;

/** A live contest's question, in order, pinned to a question version. */
export const ContestQuestion = defineEntity({
  name: 'ContestQuestion',
  tableName: 'contest_question',
  properties: {
    contestId: p.uuid().primary(),
    position: p.integer().primary(),
    questionVersionId: p.uuid(),
    optionOrder: intArray().nullable(),
    openedAt: tz().nullable(),
    closedAt: tz().nullable(),
    skipped: p.boolean().default(false),
  },
});
export type IContestQuestion = InferEntity<typeof ContestQuestion>;

/** A player's standing in a contest (live or time-boxed). */
export const ContestPlayer = defineEntity({
  name: 'ContestPlayer',
  tableName: 'contest_player',
  properties: {
    contestId: p.uuid().primary(),
    userId: p.uuid().primary(),
    teamUnitId: p.uuid().nullable(),
    joinedAt: createdStamp(),
    score: p.integer().default(0),
    streak: p.integer().default(0),
    bestStreak: p.integer().default(0),
    correctCount: p.integer().default(0),
    answeredCount: p.integer().default(0),
    totalMs: p.bigint('number').default(0),
    runStartedAt: tz().nullable(),
    runFinishedAt: tz().nullable(),
  },
});
export type IContestPlayer = InferEntity<typeof ContestPlayer>;

/** One player's answer to one live question: the first one counts. */
export const ContestAnswer = defineEntity({
  name: 'ContestAnswer',
  tableName: 'contest_answer',
  properties: {
    contestId: p.uuid().primary(),
    position: p.integer().primary(),
    userId: p.uuid().primary(),
    response: p.json<Record<string, unknown>>(),
    answeredAt: createdStamp(),
    elapsedMs: p.integer(),
    fraction: p.decimal('number').precision(9).scale(6).default(0),
    correct: p.boolean().default(false),
    points: p.integer().default(0),
  },
});
export type IContestAnswer = InferEntity<typeof ContestAnswer>;

/** A question of one person's time-boxed run, with its own deadline. */
export const ContestRunQuestion = defineEntity({
  name: 'ContestRunQuestion',
  tableName: 'contest_run_question',
  properties: {
    contestId: p.uuid().primary(),
    userId: p.uuid().primary(),
    slot: p.integer().primary(),
    questionVersionId: p.uuid(),
    optionOrder: intArray().nullable(),
    shownAt: tz().nullable(),
    deadlineAt: tz().nullable(),
    response: p.json<Record<string, unknown>>().nullable(),
    answeredAt: tz().nullable(),
    elapsedMs: p.integer().nullable(),
    correct: p.boolean().nullable(),
    points: p.integer().default(0),
  },
});
export type IContestRunQuestion = InferEntity<typeof ContestRunQuestion>;

/** A speaker of a speech contest, in order, with their topic and, once scored, final score and rank. */
export const SpeechSpeaker = defineEntity({
  name: 'SpeechSpeaker',
  tableName: 'speech_speaker',
  properties: {
    id: p.uuid().primary(),
    contestId: p.uuid(),
    userId: p.uuid(),
    position: p.integer(),
    topicZh: p.string().length(300).default(''),
    topicEn: p.string().length(300).default(''),
    scoringClosedAt: tz().nullable(),
    finalScore: p.decimal('number').precision(8).scale(3).nullable(),
    rank: p.integer().nullable(),
  },
});
export type ISpeechSpeaker = InferEntity<typeof SpeechSpeaker>;

/** A member of a speech contest's judging panel. */
export const SpeechJudge = defineEntity({
  name: 'SpeechJudge',
  tableName: 'speech_judge',
  properties: {
    contestId: p.uuid().primary(),
    userId: p.uuid().primary(),
  },
});
export type ISpeechJudge = InferEntity<typeof SpeechJudge>;

/** A weighted rubric criterion of a speech contest. */
export const SpeechCriterion = defineEntity({
  name: 'SpeechCriterion',
  tableName: 'speech_criterion',
  properties: {
    id: p.uuid().primary(),
    contestId: p.uuid(),
    position: p.integer(),
    nameZh: p.string().length(100),
    nameEn: p.string().length(100).default(''),
    weight: p.decimal('number').precision(6).scale(2),
    maxScore: p.integer().default(10),
  },
});
export type ISpeechCriterion = InferEntity<typeof SpeechCriterion>;

/** One judge's mark for one criterion of one speaker. */
export const SpeechScore = defineEntity({
  name: 'SpeechScore',
  tableName: 'speech_score',
  properties: {
    speakerId: p.uuid().primary(),
    judgeId: p.uuid().primary(),
    criterionId: p.uuid().primary(),
    score: p.decimal('number').precision(8).scale(2),
    comment: p.text().default(''),
    scoredAt: createdStamp(),
  },
});
export type ISpeechScore = InferEntity<typeof SpeechScore>;

/** One person's result in one finished contest, for the assessment record. */
export const ContestResult = defineEntity({
  name: 'ContestResult',
  tableName: 'contest_result',
  properties: {
    contestId: p.uuid().primary(),
    userId: p.uuid().primary(),
    period: p.string().length(7),
    kind: p.string().length(6),
    points: p.decimal('number').precision(10).scale(3),
    rank: p.integer(),
    players: p.integer(),
    percentile: p.decimal('number').precision(6).scale(2),
    teamUnitId: p.uuid().nullable(),
  },
});
export type IContestResult = InferEntity<typeof ContestResult>;

export const contestEntities = [Contest, ContestQuestion, ContestPlayer, ContestAnswer, ContestRunQuestion,
  SpeechSpeaker, SpeechJudge, SpeechCriterion, SpeechScore, ContestResult];
