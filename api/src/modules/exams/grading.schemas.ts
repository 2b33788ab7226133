import { Type, type Static } from '@sinclair/typebox';
import { Obj, Uuid } from '../../lib/schema.js';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const GradingParams = Obj({ examId: Uuid });
export const SlotParams = Obj({ attemptId: Uuid, slot: Type.Integer({ minimum: 0, maximum: 10000 }) });

export const GradingQueueQuery = Obj({
  status: Type.Optional(Type.Union([Type.Literal('ungraded'), Type.Literal('graded'), Type.Literal('all')], { default: 'ungraded' })),
  /** Reveal who wrote each answer; without it the queue is anonymous ("Answer 1, 2…"). */
  names: Type.Optional(Type.Boolean({ default: false })),
  /** Only this question version's answers. */
  versionId: Type.Optional(Uuid),
});
export type GradingQueueFilter = Static<typeof GradingQueueQuery>;

/** A slot's grade as it stands. */
export const GradedSlot = Type.Object({
  attemptId: Uuid,
  slot: Type.Integer(),
  points: Type.Number(),
  score: Nullable(Type.Number()),
  comment: Type.String(),
  graded: Type.Boolean(),
  gradedAt: Nullable(DateTime),
  gradedBy: Nullable(Type.String({ description: 'display name of the person who graded it' })),
});

export const GradingEntry = Type.Composite([GradedSlot, Type.Object({
  /** Stable within the question: "Answer {number}". */
  number: Type.Integer({ minimum: 1 }),
  responseText: Type.String(),
  /** Only with `names=true`. */
  learner: Type.Union([Type.Object({ userId: Uuid, username: Type.String(), displayName: Type.String() }), Type.Null()]),
})]);

export const GradingQueue = Type.Object({
  exam: Type.Object({ id: Uuid, title: Type.String() }),
  questions: Type.Array(Type.Object({
    questionId: Uuid,
    versionId: Uuid,
    versionNumber: Type.Integer(),
    key: Type.String(),
    type: Type.String(),
    stemHtml: Type.String(),
    rubricHtml: Type.String(),
    modelAnswerHtml: Type.String(),
    /** Answers to this question in finished attempts, and how many still wait for a person. */
    total: Type.Integer(),
    ungraded: Type.Integer(),
    entries: Type.Array(GradingEntry),
  })),
});

export const GradeBody = Obj({
  score: Type.Number({ description: 'between 0 and the slot\'s points, at most two decimals' }),
  comment: Type.Optional(Type.String({ maxLength: 5000 })),
});
export type GradeInput = Static<typeof GradeBody>;

export const AttemptTotalSchema = Type.Object({
  attemptId: Uuid, score: Nullable(Type.Number()), maxScore: Type.Number(), needsGrading: Type.Boolean(), passed: Type.Union([Type.Boolean(), Type.Null()]),
});

export const GradeResult = Type.Object({ entry: GradedSlot, attempt: AttemptTotalSchema });

export const RegradeBody = Obj({
  questionId: Uuid,
  /** Defaults to the question's current version. */
  toVersionId: Type.Optional(Uuid),
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
});
export type RegradeInput = Static<typeof RegradeBody>;

export const RegradeView = Type.Object({
  id: Uuid,
  questionId: Uuid,
  questionKey: Type.String(),
  fromVersion: Nullable(Type.Integer({ description: 'null when the attempts held several versions, or none' })),
  toVersion: Type.Integer(),
  reason: Type.String(),
  regradedBy: Type.Object({ id: Uuid, displayName: Type.String() }),
  regradedAt: DateTime,
  attemptsChanged: Type.Integer({ description: 'attempts whose score on the question changed' }),
});

export const RegradeResult = Type.Composite([RegradeView, Type.Object({
  attemptsRegraded: Type.Integer({ description: 'finished attempts pinned to the new version and scored again' }),
})]);

export const RegradeList = Type.Object({
  items: Type.Array(Type.Composite([RegradeView, Type.Object({
    /** The attempts whose score on the question changed, with the score before and after. */
    changes: Type.Array(Type.Object({
      attemptId: Uuid, userId: Uuid, username: Type.String(), displayName: Type.String(), oldScore: Nullable(Type.Number()), newScore: Nullable(Type.Number()),
    })),
  })])),
  /** What a regrade may choose: the questions the exam's lines or finished attempts hold, and each one's versions. */
  questions: Type.Array(Type.Object({
    questionId: Uuid,
    key: Type.String(),
    type: Type.String(),
    excerpt: Type.String({ description: 'the start of the current version\'s stem, as plain text' }),
    /** Version numbers the finished attempts hold. */
    heldVersions: Type.Array(Type.Integer()),
    versions: Type.Array(Type.Object({ id: Uuid, number: Type.Integer(), type: Type.String(), current: Type.Boolean(), createdAt: DateTime })),
  })),
});
