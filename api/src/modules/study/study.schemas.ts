import { Type } from '@sinclair/typebox';
import { Day as DayFormat, Month, Obj, Uuid } from '../../lib/schema.js';
import { ModuleParams } from '../courses/courses.schemas.js';
import { SESSION_KINDS } from './study.entity.js';

const Kind = Type.Union(SESSION_KINDS.map((k) => Type.Literal(k)));
const Day = DayFormat();

export const LogSessionBody = Obj({
  kind: Kind, day: Day, minutes: Type.Integer({ minimum: 1, maximum: 720 }),
  moduleId: Type.Optional(Type.Union([Uuid, Type.Null()])), note: Type.Optional(Type.String({ maxLength: 1000 })),
});
export const AttendanceBody = Obj({
  kind: Kind, day: Day, minutes: Type.Integer({ minimum: 1, maximum: 720 }),
  moduleId: Type.Optional(Type.Union([Uuid, Type.Null()])), note: Type.Optional(Type.String({ maxLength: 1000 })),
  userIds: Type.Array(Uuid, { minItems: 1, maxItems: 500 }),
  /** The person saw the duplicate warning and chose to record anyway. */
  confirmDuplicate: Type.Optional(Type.Boolean()),
});
/** Why a record is changed: required, shown in its history. */
export const Reason = Type.String({ minLength: 1, maxLength: 500 });
export const CorrectSessionBody = Obj({
  reason: Reason, minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })), day: Type.Optional(Day), kind: Type.Optional(Kind),
  note: Type.Optional(Type.String({ maxLength: 1000 })), confirmDuplicate: Type.Optional(Type.Boolean()),
});
export const WithdrawBody = Obj({ reason: Reason });
export const SessionParams = Obj({ sessionId: Uuid });
export const HistoryEntrySchema = Type.Object({
  id: Uuid, action: Type.Union([Type.Literal('update'), Type.Literal('withdraw')]), field: Type.String(),
  oldValue: Type.Unknown(), newValue: Type.Unknown(), reason: Type.String(), changedBy: Type.String(), changedAt: Type.String(),
});
export const HistorySchema = Type.Object({ items: Type.Array(HistoryEntrySchema) });
export const ReviewBody = Obj({ status: Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]), note: Type.Optional(Type.String({ maxLength: 1000 })) });
export const ListSessionsQuery = Obj({
  userId: Type.Optional(Uuid), status: Type.Optional(Type.Union([Type.Literal('logged'), Type.Literal('confirmed'), Type.Literal('rejected')])),
  from: Type.Optional(Day), to: Type.Optional(Day),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }),
});
export const SessionSchema = Type.Object({
  id: Uuid, userId: Uuid, userName: Type.String(), kind: Type.String(), day: Type.String(), minutes: Type.Integer(),
  moduleId: Type.Union([Uuid, Type.Null()]), moduleSlug: Type.Union([Type.String(), Type.Null()]), moduleTitle: Type.Union([Type.String(), Type.Null()]),
  note: Type.String(), status: Type.String(), recordedBy: Type.String(), reviewedBy: Type.Union([Type.String(), Type.Null()]), reviewNote: Type.String(),
  /** Withdrawn as a mistake: kept for its history, counted nowhere. */
  withdrawn: Type.Boolean(), createdAt: Type.String(),
});
export const MonthlyQuery = Obj({
  month: Month(), orgUnitId: Type.Optional(Uuid),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }),
});
export const MonthlyTotalSchema = Type.Object({
  userId: Uuid, displayName: Type.String(), username: Type.String(), month: Type.String(), readingMinutes: Type.Integer(), completedModules: Type.Integer(),
  confirmedMinutes: Type.Integer(), pendingMinutes: Type.Integer(), byKind: Type.Record(Type.String(), Type.Integer()),
});

export const HeartbeatParams = ModuleParams;
export const HeartbeatBody = Obj({
  clientId: Type.String({ minLength: 1, maxLength: 64 }),
  seq: Type.Integer({ minimum: 0 }),
  seconds: Type.Integer({ minimum: 0, maximum: 3600 }),
  position: Type.Optional(Type.String({ maxLength: 200 })),
  sectionsRead: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 200 })),
  reachedEnd: Type.Optional(Type.Boolean()),
});
