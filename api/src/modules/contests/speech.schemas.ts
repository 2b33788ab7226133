import { Type, type Static } from '@sinclair/typebox';
import { Month, Obj, Uuid } from '../../lib/schema.js';

const DateTime = Type.String({ format: 'date-time' });
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const CreateSpeechContestBody = Obj({
  titleZh: Type.String({ minLength: 1, maxLength: 200 }),
  titleEn: Type.Optional(Type.String({ maxLength: 200 })),
  period: Month(),
  scheduledAt: DateTime,
  speakers: Type.Array(Obj({
    userId: Uuid,
    topicZh: Type.Optional(Type.String({ maxLength: 300 })),
    topicEn: Type.Optional(Type.String({ maxLength: 300 })),
  }), { minItems: 1, maxItems: 200 }),
  judges: Type.Array(Uuid, { minItems: 1, maxItems: 100 }),
  criteria: Type.Array(Obj({
    nameZh: Type.String({ minLength: 1, maxLength: 100 }),
    nameEn: Type.Optional(Type.String({ maxLength: 100 })),
    weight: Type.Number({ exclusiveMinimum: 0, maximum: 9999 }),
    maxScore: Type.Integer({ minimum: 1, maximum: 1000 }),
  }), { minItems: 1, maxItems: 30 }),
  /** With at least this many judges who scored, a speaker's highest and lowest judge totals are dropped. */
  trimMinJudges: Type.Optional(Type.Integer({ minimum: 3, maximum: 100 })),
  speakerSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: 30, maximum: 7200 }), Type.Null()])),
});
export type CreateSpeechContestInput = Static<typeof CreateSpeechContestBody>;

export const SpeechContestParams = Obj({ contestId: Uuid });
export const SpeakerParams = Obj({ contestId: Uuid, speakerId: Uuid });

export const JudgeScoreBody = Obj({
  marks: Type.Array(Obj({ criterionId: Uuid, score: Type.Number({ minimum: 0, maximum: 1000 }) }), { minItems: 1, maxItems: 30 }),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type JudgeScoreInput = Static<typeof JudgeScoreBody>;

const Mark = Obj({ criterionId: Uuid, score: Type.Number() });
const JudgeMarks = Obj({
  judgeId: Uuid,
  judgeName: Type.String(),
  marks: Type.Array(Mark),
  /** Σ(weight × mark / max) / Σ weight × 100. */
  total: Type.Number(),
  comment: Type.String(),
  scoredAt: Type.Union([DateTime, Type.Null()]),
});

const Status = Type.Union(['scheduled', 'running', 'finished', 'published', 'archived'].map((s) => Type.Literal(s)));

export const SpeechContestView = Obj({
  id: Uuid,
  titleZh: Type.String(),
  titleEn: Type.String(),
  title: Type.String(),
  period: Type.String(),
  status: Status,
  scheduledAt: Type.Union([DateTime, Type.Null()]),
  publishedAt: Type.Union([DateTime, Type.Null()]),
  trimMinJudges: Type.Integer(),
  speakerSeconds: Type.Union([Type.Integer(), Type.Null()]),
  /** What the caller may do here. */
  host: Type.Boolean(),
  judge: Type.Boolean(),
  criteria: Type.Array(Obj({ id: Uuid, nameZh: Type.String(), nameEn: Type.String(), name: Type.String(), weight: Type.Number(), maxScore: Type.Integer() })),
  judges: Type.Array(Obj({ userId: Uuid, displayName: Type.String() })),
  speakers: Type.Array(Obj({
    id: Uuid,
    userId: Uuid,
    displayName: Type.String(),
    position: Type.Integer(),
    topicZh: Type.String(),
    topicEn: Type.String(),
    topic: Type.String(),
    closed: Type.Boolean(),
    /** Judges who have saved marks for this speaker (a count, visible before close). */
    judgesScored: Type.Integer(),
    /** Whether the caller may score this speaker now. */
    canScore: Type.Boolean(),
    /** The caller's own marks (null: not scored yet). */
    mine: Type.Union([JudgeMarks, Type.Null()]),
    /** Every judge's marks: only once this speaker's scoring is closed (empty before). */
    marks: Type.Array(JudgeMarks),
    /** After close: the mean of the judges' totals, trimmed when enough judges scored. */
    finalScore: NullableNumber,
    trimmed: Type.Boolean(),
    rank: Type.Union([Type.Integer(), Type.Null()]),
  })),
});
export type SpeechContestViewT = Static<typeof SpeechContestView>;

export const SpeechContestList = Obj({
  items: Type.Array(Obj({
    id: Uuid, title: Type.String(), period: Type.String(), status: Status, scheduledAt: Type.Union([DateTime, Type.Null()]),
    host: Type.Boolean(), judge: Type.Boolean(), speaker: Type.Boolean(),
  })),
});

export const MySpeechResult = Obj({
  contestId: Uuid,
  title: Type.String(),
  topic: Type.String(),
  finalScore: Type.Number(),
  rank: Type.Integer(),
  players: Type.Integer(),
  percentile: Type.Number(),
  trimmed: Type.Boolean(),
  judgesScored: Type.Integer(),
  criteria: Type.Array(Obj({ id: Uuid, name: Type.String(), weight: Type.Number(), maxScore: Type.Integer(), meanScore: Type.Number() })),
  /** Judges' comments, without their names. */
  comments: Type.Array(Type.String()),
});
