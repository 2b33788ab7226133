import { Type, type Static } from '@sinclair/typebox';
import { Month, Obj, Uuid } from '../../lib/schema.js';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const Points = Type.Number({ exclusiveMinimum: 0, maximum: 999999 });

/**
 * One line of a blueprint. One object (not a union: the validator strips unknown fields per branch) whose fields
 * depend on `kind`; the service checks that a fixed line names its question and a draw its source.
 */
export const BlueprintItemSchema = Obj({
  kind: Type.Union([Type.Literal('fixed'), Type.Literal('random')]),
  questionId: Type.Optional(Nullable(Uuid)),
  categoryId: Type.Optional(Nullable(Uuid)),
  tag: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  difficulty: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 5 }))),
  drawCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  points: Type.Optional(Nullable(Points)),
});

const Kind = Type.Union([Type.Literal('monthly'), Type.Literal('makeup'), Type.Literal('practice')]);
const Positions = Type.Array(Type.Union([Type.Literal('account_manager'), Type.Literal('marketing_manager')]), { maxItems: 5 });

/** Every field of a definition but the required ones of a new exam. */
const definitionFields = {
  titleEn: Type.Optional(Type.String({ maxLength: 200 })),
  descriptionZh: Type.Optional(Type.String({ maxLength: 5000 })),
  descriptionEn: Type.Optional(Type.String({ maxLength: 5000 })),
  timeLimitMinutes: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1440 }))),
  /** 0: as many as the person likes. */
  attemptsAllowed: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  attemptWaitMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 43200 })),
  gradingMethod: Type.Optional(Type.Union([Type.Literal('highest'), Type.Literal('last'), Type.Literal('first'), Type.Literal('mean')])),
  passMark: Type.Optional(Type.Number({ minimum: 0, maximum: 999999 })),
  navigation: Type.Optional(Type.Union([Type.Literal('free'), Type.Literal('sequential')])),
  shuffleQuestions: Type.Optional(Type.Boolean()),
  shuffleOptions: Type.Optional(Type.Boolean()),
  reviewWhen: Type.Optional(Type.Union([Type.Literal('immediately'), Type.Literal('after_close'), Type.Literal('never')])),
  reviewScore: Type.Optional(Type.Boolean()),
  reviewCorrectness: Type.Optional(Type.Boolean()),
  reviewAnswers: Type.Optional(Type.Boolean()),
  reviewFeedback: Type.Optional(Type.Boolean()),
  graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  positions: Type.Optional(Positions),
  orgUnitIds: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
  userIds: Type.Optional(Type.Array(Uuid, { maxItems: 5000 })),
  items: Type.Optional(Type.Array(BlueprintItemSchema, { maxItems: 200 })),
};

export const CreateExamBody = Obj({
  titleZh: Type.String({ minLength: 1, maxLength: 200 }),
  kind: Type.Union([Type.Literal('monthly'), Type.Literal('practice')]),
  period: Month(),
  opensAt: DateTime,
  closesAt: DateTime,
  ...definitionFields,
});
export type CreateExamInput = Static<typeof CreateExamBody>;

export const UpdateExamBody = Obj({
  titleZh: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  kind: Type.Optional(Type.Union([Type.Literal('monthly'), Type.Literal('practice')])),
  period: Type.Optional(Month()),
  opensAt: Type.Optional(DateTime),
  closesAt: Type.Optional(DateTime),
  ...definitionFields,
});
export type UpdateExamInput = Static<typeof UpdateExamBody>;

export const ExamParams = Obj({ examId: Uuid });
export const OverrideParams = Obj({ examId: Uuid, userId: Uuid });

const State = Type.Union(['draft', 'scheduled', 'open', 'closed', 'archived'].map((s) => Type.Literal(s)));

export const ListExamsQuery = Obj({
  period: Type.Optional(Month()),
  state: Type.Optional(State),
  kind: Type.Optional(Kind),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 100000, default: 0 }),
});
export type ListExamsFilter = Static<typeof ListExamsQuery>;

export const ExamSummary = Type.Object({
  id: Uuid, title: Type.String(), titleZh: Type.String(), titleEn: Type.String(), kind: Type.String(), period: Type.String(),
  status: Type.String(), state: Type.String(), opensAt: Type.String(), closesAt: Type.String(), makeupOf: Type.Union([Type.String(), Type.Null()]),
  /** People the exam reaches within the viewer's scope. */
  people: Type.Integer(),
  /** The viewer may change it (made within their scope). */
  editable: Type.Boolean(),
});
export const ExamList = Type.Object({ items: Type.Array(ExamSummary), total: Type.Integer() });

export const ExamItemView = Type.Object({
  kind: Type.Union([Type.Literal('fixed'), Type.Literal('random')]),
  questionId: Type.Union([Type.String(), Type.Null()]),
  /** A fixed question: its stem as plain text, for the editor. */
  questionLabel: Type.Union([Type.String(), Type.Null()]),
  questionVersionId: Type.Union([Type.String(), Type.Null()]),
  categoryId: Type.Union([Type.String(), Type.Null()]),
  categoryPath: Type.Union([Type.String(), Type.Null()]),
  tag: Type.Union([Type.String(), Type.Null()]),
  difficulty: Type.Union([Type.Integer(), Type.Null()]),
  drawCount: Type.Integer(),
  points: Type.Union([Type.Number(), Type.Null()]),
  /** Active questions this line may take now. */
  poolSize: Type.Integer(),
  /** Points this line is worth. */
  linePoints: Type.Number(),
});
export const OverrideView = Type.Object({
  userId: Uuid, username: Type.String(), displayName: Type.String(),
  opensAt: Type.Union([Type.String(), Type.Null()]), closesAt: Type.Union([Type.String(), Type.Null()]),
  extraMinutes: Type.Integer(), extraAttempts: Type.Integer(), reason: Type.String(), updatedAt: Type.String(),
});
export const ExamDetail = Type.Object({
  id: Uuid, title: Type.String(), titleZh: Type.String(), titleEn: Type.String(), descriptionZh: Type.String(), descriptionEn: Type.String(),
  kind: Type.String(), period: Type.String(), status: Type.String(), state: Type.String(),
  opensAt: Type.String(), closesAt: Type.String(), timeLimitMinutes: Type.Union([Type.Integer(), Type.Null()]),
  attemptsAllowed: Type.Integer(), attemptWaitMinutes: Type.Integer(), gradingMethod: Type.String(), passMark: Type.Number(),
  navigation: Type.String(), shuffleQuestions: Type.Boolean(), shuffleOptions: Type.Boolean(), reviewWhen: Type.String(),
  reviewScore: Type.Boolean(), reviewCorrectness: Type.Boolean(), reviewAnswers: Type.Boolean(), reviewFeedback: Type.Boolean(),
  graceSeconds: Type.Integer(), positions: Type.Array(Type.String()), orgUnitIds: Type.Array(Type.String()), userIds: Type.Array(Type.String()),
  makeupOf: Type.Union([Type.String(), Type.Null()]), publishedAt: Type.Union([Type.String(), Type.Null()]),
  items: Type.Array(ExamItemView), maxPoints: Type.Number(),
  people: Type.Integer(), attempts: Type.Integer(),
  /** Attempts exist: the questions can no longer change (clone instead). */
  blueprintLocked: Type.Boolean(),
  editable: Type.Boolean(),
  overrides: Type.Array(OverrideView),
});

export const SetOverrideBody = Obj({
  opensAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  closesAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  extraMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
  extraAttempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  reason: Type.String({ minLength: 1, maxLength: 1000 }),
});
export type SetOverrideInput = Static<typeof SetOverrideBody>;

export const MakeUpBody = Obj({
  opensAt: DateTime,
  closesAt: DateTime,
  titleZh: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  titleEn: Type.Optional(Type.String({ maxLength: 200 })),
});
export type MakeUpInput = Static<typeof MakeUpBody>;

export const CalendarQuery = Obj({ year: Type.Integer({ minimum: 1900, maximum: 2999 }) });
export const CalendarSchema = Type.Object({
  year: Type.Integer(),
  months: Type.Array(Type.Object({
    period: Type.String(),
    exams: Type.Array(Type.Object({
      id: Uuid, title: Type.String(), kind: Type.String(), state: Type.String(), opensAt: Type.String(), closesAt: Type.String(), people: Type.Integer(),
    })),
    warnings: Type.Array(Type.Object({
      orgUnitId: Uuid, orgUnitName: Type.String(), monthlyExams: Type.Integer(),
      reason: Type.Union([Type.Literal('none'), Type.Literal('too_many')]), message: Type.String(),
    })),
  })),
});
