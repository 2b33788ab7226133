import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdStamp, day, textArray, tz } from '../../db/columns.js';

/** Where one person stands in one module: credited reading time, sections read, completion. */
export const StudyProgress = defineEntity({
  name: 'StudyProgress',
  tableName: 'study_progress',
  properties: {
    userId: p.uuid().primary(),
    moduleId: p.uuid().primary(),
    position: p.string().length(200).nullable(),
    sectionsRead: textArray(),
    secondsSpent: p.integer().default(0),
    reachedEnd: p.boolean().default(false),
    completedAt: tz().nullable(),
    startedAt: tz(),
    lastBeatAt: tz().nullable(),
    lastClient: p.string().length(64).nullable(),
    lastSeq: p.integer().default(0),
    updatedAt: tz(),
  },
});
export type IStudyProgress = InferEntity<typeof StudyProgress>;

/** Reading time per person, module and China day: the monthly totals add these up. */
export const StudyDaily = defineEntity({
  name: 'StudyDaily',
  tableName: 'study_daily',
  properties: {
    userId: p.uuid().primary(),
    moduleId: p.uuid().primary(),
    day: day().primary(),
    seconds: p.integer().default(0),
  },
});
export type IStudyDaily = InferEntity<typeof StudyDaily>;

export const SESSION_KINDS = ['self_study', 'morning_meeting', 'evening_meeting', 'mass_training', 'other'] as const;
export const SESSION_STATUSES = ['logged', 'confirmed', 'rejected'] as const;

/** Study outside the reader: self-study a person logs, or a meeting or training someone records for them. */
export const StudySession = defineEntity({
  name: 'StudySession',
  tableName: 'study_session',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    kind: p.enum([...SESSION_KINDS]).columnType('varchar(20)'),
    day: day(),
    minutes: p.integer(),
    moduleId: p.uuid().nullable(),
    note: p.text().default(''),
    status: p.enum([...SESSION_STATUSES]).columnType('varchar(16)'),
    recordedBy: p.uuid(),
    reviewedBy: p.uuid().nullable(),
    reviewedAt: tz().nullable(),
    reviewNote: p.text().default(''),
    createdAt: createdStamp(),
    /** Set when the record is withdrawn as a mistake: it then counts nowhere (its history is in `record_change`). */
    withdrawnAt: tz().nullable(),
  },
});
export type IStudySession = InferEntity<typeof StudySession>;

/**
 * A person's study clock: reading time up to `creditedUntil` has been credited. Every heartbeat, from any module,
 * tab or client, is credited against this one row in the same statement that records it, so the time credited
 * never runs ahead of the clock on the wall.
 */
export const StudyClock = defineEntity({
  name: 'StudyClock',
  tableName: 'study_clock',
  properties: {
    userId: p.uuid().primary(),
    creditedUntil: tz(),
    /** Seconds the latest heartbeat was credited (returned by the statement that moves the clock). */
    lastCredit: p.integer().default(0),
    updatedAt: tz().defaultRaw('now()'),
  },
});
export type IStudyClock = InferEntity<typeof StudyClock>;
