import { Type, type Static } from '@sinclair/typebox';
import { Obj, Uuid } from '../../lib/schema.js';

const DateTime = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const AttemptParams = Obj({ attemptId: Uuid });
export const ExamIdParams = Obj({ examId: Uuid });

/** A learner's response to one slot: its shape depends on the question type (scoring.ts); at most a few fields. */
export const ResponseSchema = Type.Record(Type.String({ maxLength: 20 }), Type.Unknown(), { maxProperties: 8 });

export const AnswerInput = Obj({
  slot: Type.Integer({ minimum: 0, maximum: 999 }),
  /** The client's sequence number for this slot: higher is newer; a save with a lower or equal one changes nothing. */
  seq: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  response: ResponseSchema,
  flagged: Type.Optional(Type.Boolean()),
});
export type AnswerInputT = Static<typeof AnswerInput>;

export const SaveAnswersBody = Obj({ answers: Type.Array(AnswerInput, { minItems: 1, maxItems: 200 }) });
export type SaveAnswersInput = Static<typeof SaveAnswersBody>;

export const SubmitBody = Obj({
  /** Answers not yet acknowledged, saved before the attempt is submitted. */
  answers: Type.Optional(Type.Array(AnswerInput, { maxItems: 200 })),
});
export type SubmitInput = Static<typeof SubmitBody>;

export const SaveResult = Type.Object({
  /** The server's sequence number of each slot sent: the client may forget every answer it sent with a number up to it. */
  acknowledged: Type.Array(Type.Object({ slot: Type.Integer(), seq: Type.Integer() })),
  deadlineAt: Type.String(),
  serverNow: Type.String(),
});

const Choice = Type.Object({ id: Type.String(), html: Type.String() });

/** A question as the learner sees it: no key, no correctness, no feedback. */
export const LearnerQuestion = Type.Object({
  slot: Type.Integer(),
  type: Type.String(),
  points: Type.Number(),
  stemHtml: Type.String(),
  response: Type.String(),
  options: Type.Optional(Type.Array(Choice)),
  blanks: Type.Optional(Type.Integer()),
  matching: Type.Optional(Type.Object({ left: Type.Array(Choice), right: Type.Array(Type.String()) })),
  items: Type.Optional(Type.Array(Choice)),
});

export const SavedAnswer = Type.Object({
  slot: Type.Integer(), seq: Type.Integer(), response: ResponseSchema, flagged: Type.Boolean(), savedAt: Type.String(),
});

export const AttemptView = Type.Object({
  id: Uuid,
  examId: Uuid,
  title: Type.String(),
  number: Type.Integer(),
  status: Type.String(),
  startedAt: Type.String(),
  /** The server's deadline; the screen counts down from `deadlineAt - serverNow`, never from the phone's clock. */
  deadlineAt: Type.String(),
  serverNow: Type.String(),
  graceSeconds: Type.Integer(),
  submittedAt: NullableString,
  navigation: Type.String(),
  /** A new attempt (201) or one already in progress, resumed (200). */
  resumed: Type.Boolean(),
  questions: Type.Array(LearnerQuestion),
  answers: Type.Array(SavedAnswer),
});

export const SubmitResult = Type.Object({
  attemptId: Uuid,
  status: Type.String(),
  submittedAt: Type.String(),
  finishedBy: Type.String(),
  /** When the learner may see the review (null: never). */
  reviewFrom: NullableString,
  reviewAvailable: Type.Boolean(),
});

const ReviewChoice = Type.Object({ id: Type.String(), html: Type.String() });
export const ReviewQuestion = Type.Object({
  slot: Type.Integer(),
  type: Type.String(),
  points: Type.Number(),
  stemHtml: Type.String(),
  response: Type.String(),
  options: Type.Optional(Type.Array(ReviewChoice)),
  blanks: Type.Optional(Type.Integer()),
  matching: Type.Optional(Type.Object({ left: Type.Array(ReviewChoice), right: Type.Array(Type.String()) })),
  items: Type.Optional(Type.Array(ReviewChoice)),
  /** What the learner answered. */
  answer: Type.Union([ResponseSchema, Type.Null()]),
  /** Shown when the policy allows scores. */
  score: Type.Optional(NullableNumber),
  /** Shown when the policy allows correctness: true, false, or null (partly right, or waiting for a grader). */
  correct: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  pendingGrading: Type.Optional(Type.Boolean()),
  /** Shown when the policy allows the right answers: the key, rendered. */
  key: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Shown when the policy allows feedback: the explanation and the grader's comment. */
  explanationHtml: Type.Optional(Type.String()),
  graderComment: Type.Optional(Type.String()),
});

export const ReviewView = Type.Object({
  attemptId: Uuid,
  examId: Uuid,
  title: Type.String(),
  status: Type.String(),
  submittedAt: NullableString,
  finishedBy: NullableString,
  available: Type.Boolean(),
  /** When the review opens (after the exam closes), or null for never / already. */
  availableFrom: NullableString,
  score: Type.Optional(NullableNumber),
  maxScore: Type.Optional(Type.Number()),
  percent: Type.Optional(NullableNumber),
  passed: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  pendingGrading: Type.Optional(Type.Boolean()),
  questions: Type.Array(ReviewQuestion),
  /** Regrades that changed this attempt's score, shown with the score. */
  changes: Type.Array(Type.Object({
    slot: Type.Integer(), oldScore: NullableNumber, newScore: NullableNumber, reason: Type.String(), at: Type.String(),
  })),
});

export const EVENT_KINDS_FROM_CLIENT = ['focus_lost', 'focus_back', 'hidden', 'visible', 'offline', 'online', 'reconnect'] as const;

export const EventsBody = Obj({
  events: Type.Array(Obj({
    kind: Type.Union(EVENT_KINDS_FROM_CLIENT.map((k) => Type.Literal(k))),
    at: DateTime,
    detail: Type.Optional(Type.String({ maxLength: 200 })),
  }), { minItems: 1, maxItems: 100 }),
});
export type EventsInput = Static<typeof EventsBody>;

export const EventsResult = Type.Object({ recorded: Type.Integer() });

export const IntegrityLog = Type.Object({
  attemptId: Uuid, examId: Uuid, userId: Uuid, username: Type.String(), displayName: Type.String(),
  number: Type.Integer(), status: Type.String(), startedAt: Type.String(), deadlineAt: Type.String(),
  submittedAt: NullableString, finishedBy: NullableString, score: NullableNumber, maxScore: Type.Number(),
  events: Type.Array(Type.Object({ kind: Type.String(), clientAt: NullableString, receivedAt: Type.String(), detail: Type.String() })),
  /** Saves that arrived after the deadline and its grace: kept, not counted. */
  lateAnswers: Type.Array(Type.Object({ slot: Type.Integer(), seq: Type.Integer(), response: ResponseSchema, receivedAt: Type.String() })),
});

export const MyExam = Type.Object({
  id: Uuid,
  title: Type.String(),
  kind: Type.String(),
  period: Type.String(),
  /** The person's own: scheduled, open or closed, after their override. */
  state: Type.String(),
  opensAt: Type.String(),
  closesAt: Type.String(),
  timeLimitMinutes: Type.Union([Type.Integer(), Type.Null()]),
  questionCount: Type.Integer(),
  attemptsAllowed: Type.Union([Type.Integer(), Type.Null()]),
  attemptsUsed: Type.Integer(),
  inProgress: Type.Union([Type.Object({ attemptId: Uuid, deadlineAt: Type.String() }), Type.Null()]),
  canStart: Type.Boolean(),
  /** Why not, as a catalogue key (exam.not_open_yet, exam.closed, attempt.none_left, attempt.wait), and in words. */
  blockedReason: NullableString,
  blockedMessage: NullableString,
  /** Closes within two days and nothing is submitted yet. */
  dueSoon: Type.Boolean(),
  /** Closed and never submitted. */
  missed: Type.Boolean(),
  lastAttempt: Type.Union([Type.Object({
    id: Uuid, status: Type.String(), submittedAt: NullableString, reviewAvailable: Type.Boolean(),
  }), Type.Null()]),
  /** The result as the review policy allows: the counting attempt's score. */
  result: Type.Union([Type.Object({
    score: NullableNumber, maxScore: Type.Number(), percent: NullableNumber, passed: Type.Union([Type.Boolean(), Type.Null()]),
  }), Type.Null()]),
});
export const MyExamList = Type.Object({ items: Type.Array(MyExam), serverNow: Type.String() });
