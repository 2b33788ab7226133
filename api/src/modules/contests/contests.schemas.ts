import { Type, type Static } from '@sinclair/typebox';
import { Month, Obj, Uuid } from '../../lib/schema.js';
import { LearnerQuestion, ResponseSchema } from '../exams/attempts.schemas.js';

const DateTime = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);
const Positions = Type.Array(Type.Union([Type.Literal('account_manager'), Type.Literal('marketing_manager')]), { maxItems: 5 });

export const ContestParams = Obj({ contestId: Uuid });

/** Questions drawn from the bank: active questions of these categories and/or tags, optionally of one difficulty. */
export const DrawSchema = Obj({
  categoryIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
  difficulty: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()])),
  count: Type.Integer({ minimum: 1, maximum: 100 }),
});

export const CreateContestBody = Obj({
  kind: Type.Union([Type.Literal('live'), Type.Literal('timed')]),
  titleZh: Type.String({ minLength: 1, maxLength: 200 }),
  titleEn: Type.Optional(Type.String({ maxLength: 200 })),
  descriptionZh: Type.Optional(Type.String({ maxLength: 5000 })),
  descriptionEn: Type.Optional(Type.String({ maxLength: 5000 })),
  /** The month its results count for in the assessment record. */
  period: Month(),
  mode: Type.Optional(Type.Union([Type.Literal('individual'), Type.Literal('team')])),
  /** Live: when it is planned to start (shown to players). */
  scheduledAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  /** Time-boxed: the period it is open. */
  opensAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  closesAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  /** Seconds to answer each question, 5 to 120. */
  answerSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 120 })),
  /** Live: chosen bank questions, in order. */
  questionIds: Type.Optional(Type.Array(Uuid, { maxItems: 100 })),
  /** Live: questions drawn at creation (after the chosen ones); time-boxed: drawn per person when their run starts. */
  draw: Type.Optional(Type.Union([DrawSchema, Type.Null()])),
  basePoints: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  /** Most extra points for answering at once; 0 turns the speed bonus off. */
  speedBonus: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  /** Extra points per right answer in a row after the first; 0 turns the streak bonus off. */
  streakBonus: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  streakCap: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  /** Equal points: split by less total answer time, or share the place. */
  tieBreak: Type.Optional(Type.Union([Type.Literal('time'), Type.Literal('shared')])),
  /** Who may play; all empty: everyone in the maker's scope. */
  positions: Type.Optional(Positions),
  orgUnitIds: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
  userIds: Type.Optional(Type.Array(Uuid, { maxItems: 5000 })),
});
export type CreateContestInput = Static<typeof CreateContestBody>;

export const ListContestsQuery = Obj({
  kind: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('timed'), Type.Literal('speech')])),
  period: Type.Optional(Month()),
});

export const Rules = Type.Object({
  answerSeconds: Type.Integer(),
  basePoints: Type.Integer(),
  speedBonus: Type.Integer(),
  streakBonus: Type.Integer(),
  streakCap: Type.Integer(),
  tieBreak: Type.String(),
  mode: Type.String(),
});

export const ContestSummary = Type.Object({
  id: Uuid,
  kind: Type.String(),
  title: Type.String(),
  titleZh: Type.String(),
  titleEn: Type.String(),
  period: Type.String(),
  status: Type.String(),
  phase: Type.String(),
  mode: Type.String(),
  joinCode: NullableString,
  scheduledAt: NullableString,
  opensAt: NullableString,
  closesAt: NullableString,
  questionCount: Type.Integer(),
  players: Type.Integer(),
  createdAt: Type.String(),
});
export const ContestList = Type.Object({ items: Type.Array(ContestSummary) });

export const ContestDetail = Type.Object({
  ...ContestSummary.properties,
  descriptionZh: Type.String(),
  descriptionEn: Type.String(),
  rules: Rules,
  editable: Type.Boolean(),
  audience: Type.Object({ positions: Type.Array(Type.String()), orgUnitIds: Type.Array(Uuid), userIds: Type.Array(Uuid) }),
  /** A live contest's questions in order, as the host runs them (stems only; keys show on the host screen after each closes). */
  questions: Type.Array(Type.Object({ position: Type.Integer(), type: Type.String(), stemHtml: Type.String(), skipped: Type.Boolean() })),
});

export const AdvanceBody = Obj({
  /**
   * `next`: lobby → first question; an open question → close it now; its answers → the leaderboard; the leaderboard →
   * the next question, or the end after the last. `pause`/`resume` stop and restart an open question's clock. `skip`:
   * the current question does not count (its points are taken back). `finish`: end now.
   */
  action: Type.Union([Type.Literal('next'), Type.Literal('pause'), Type.Literal('resume'), Type.Literal('skip'), Type.Literal('finish')]),
  /** The question the host's screen shows; a stale screen's click (another host advanced meanwhile) changes nothing. */
  expectIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.Null()])),
});
export type AdvanceInput = Static<typeof AdvanceBody>;

export const JoinBody = Obj({
  /** The short code shown on the host's screen, or the contest's id from the home page. */
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 12 })),
  contestId: Type.Optional(Uuid),
});
export type JoinInput = Static<typeof JoinBody>;

export const AnswerBody = Obj({
  position: Type.Integer({ minimum: 0, maximum: 1000 }),
  response: ResponseSchema,
});
export type AnswerInput = Static<typeof AnswerBody>;

export const AnswerAck = Type.Object({
  position: Type.Integer(),
  /** true: this answer was recorded now; false: an earlier answer of yours to this question counts (a repeat changes nothing). */
  recorded: Type.Boolean(),
  answeredAt: Type.String(),
  elapsedMs: Type.Integer(),
});

const Line = Type.Object({
  userId: Uuid, name: Type.String(), unit: Type.String(), teamUnitId: NullableString, points: Type.Integer(), rank: Type.Integer(),
  correct: Type.Integer(), totalMs: Type.Integer(),
});
const TeamLine = Type.Object({ teamUnitId: Uuid, name: Type.String(), members: Type.Integer(), points: Type.Number(), rank: Type.Integer() });

export const Leaderboard = Type.Object({
  contestId: Uuid,
  players: Type.Integer(),
  tieBreak: Type.String(),
  lines: Type.Array(Line),
  teams: Type.Array(TeamLine),
});

/**
 * What a screen shows now, for the one asking: a player's (their own standing, their answer) or the host's (who joined,
 * how many answered). Before a question closes nobody receives its key or the distribution of answers.
 */
export const ContestState = Type.Object({
  contestId: Uuid,
  kind: Type.String(),
  title: Type.String(),
  status: Type.String(),
  /** lobby, question (open or paused), reveal (closed: distribution and right answer), board (leaderboard), finished. */
  phase: Type.String(),
  index: NullableInt,
  total: Type.Integer(),
  serverNow: Type.String(),
  rules: Rules,
  joined: Type.Integer(),
  joinCode: NullableString,
  host: Type.Boolean(),
  question: Type.Union([Type.Object({ ...LearnerQuestion.properties, position: Type.Integer() }), Type.Null()]),
  openedAt: NullableString,
  closesAt: NullableString,
  /** While paused: the time left when the host paused. */
  pausedRemainingMs: NullableInt,
  answeredCount: Type.Integer(),
  /** After the question closes: how many chose each option (choice questions), right and wrong counts. */
  reveal: Type.Union([Type.Object({
    key: Type.Record(Type.String(), Type.Unknown()),
    explanationHtml: Type.String(),
    distribution: Type.Array(Type.Object({ optionId: Type.String(), count: Type.Integer() })),
    right: Type.Integer(),
    wrong: Type.Integer(),
    unanswered: Type.Integer(),
  }), Type.Null()]),
  /** The player's own: their answer to this question (and, after it closes, whether it was right and its points). */
  me: Type.Union([Type.Object({
    joined: Type.Boolean(),
    answered: Type.Boolean(),
    response: Type.Union([ResponseSchema, Type.Null()]),
    correct: Type.Union([Type.Boolean(), Type.Null()]),
    points: NullableInt,
    score: Type.Integer(),
    streak: Type.Integer(),
    rank: NullableInt,
    teamUnitId: NullableString,
  }), Type.Null()]),
  /** The top of the leaderboard, from the moment a question closes, between questions and at the end. */
  leaderboard: Type.Union([Leaderboard, Type.Null()]),
  /** The host's screen: who joined. */
  playerNames: Type.Array(Type.String()),
});
export type ContestStateT = Static<typeof ContestState>;

/** A person's run of a time-boxed contest: the current question and its server deadline, their score so far. */
export const RunView = Type.Object({
  contestId: Uuid,
  title: Type.String(),
  total: Type.Integer(),
  answered: Type.Integer(),
  finished: Type.Boolean(),
  serverNow: Type.String(),
  closesAt: NullableString,
  rules: Rules,
  question: Type.Union([Type.Object({ ...LearnerQuestion.properties, position: Type.Integer() }), Type.Null()]),
  deadlineAt: NullableString,
  /** The question answered last (or run out): whether it was right and its points. */
  last: Type.Union([Type.Object({ slot: Type.Integer(), correct: Type.Boolean(), points: Type.Integer() }), Type.Null()]),
  score: Type.Integer(),
  streak: Type.Integer(),
  correct: Type.Integer(),
  totalMs: Type.Integer(),
});
