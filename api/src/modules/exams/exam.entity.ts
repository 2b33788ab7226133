import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdStamp, textArray, tz, updatedStamp, uuidArray } from '../../db/columns.js';

/** Points and pass marks: `numeric(8,2)`, carried as numbers. */
const points = () => p.decimal('number').precision(8).scale(2);

/**
 * An exam definition (migrations/Migration20261203000100_exams.ts). Its state as people see it (draft, scheduled,
 * open, closed) comes from `status` and the window: see exams.rules.ts `examState`.
 */
export const Exam = defineEntity({
  name: 'Exam',
  tableName: 'exam',
  properties: {
    id: p.uuid().primary(),
    titleZh: p.string().length(200),
    titleEn: p.string().length(200).default(''),
    descriptionZh: p.text().default(''),
    descriptionEn: p.text().default(''),
    kind: p.enum(['monthly', 'makeup', 'practice']).columnType('varchar(10)'),
    period: p.string().length(7),
    status: p.enum(['draft', 'published', 'archived']).columnType('varchar(10)').default('draft'),
    opensAt: tz(),
    closesAt: tz(),
    timeLimitMinutes: p.integer().nullable(),
    attemptsAllowed: p.integer().default(1),
    attemptWaitMinutes: p.integer().default(0),
    gradingMethod: p.enum(['highest', 'last', 'first', 'mean']).columnType('varchar(8)').default('highest'),
    passMark: points().default(0),
    navigation: p.enum(['free', 'sequential']).columnType('varchar(10)').default('free'),
    shuffleQuestions: p.boolean().default(true),
    shuffleOptions: p.boolean().default(true),
    reviewWhen: p.enum(['immediately', 'after_close', 'never']).columnType('varchar(12)').default('after_close'),
    reviewScore: p.boolean().default(true),
    reviewCorrectness: p.boolean().default(true),
    reviewAnswers: p.boolean().default(false),
    reviewFeedback: p.boolean().default(false),
    graceSeconds: p.integer().default(120),
    positions: textArray(),
    orgUnitIds: uuidArray(),
    userIds: uuidArray(),
    scopePath: p.text().nullable(),
    makeupOf: p.uuid().nullable(),
    createdBy: p.uuid(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
    publishedAt: tz().nullable(),
  },
});
export type IExam = InferEntity<typeof Exam>;

/** One line of an exam's blueprint: a fixed question, or a random draw of `drawCount` from a category and/or tag. */
export const ExamItem = defineEntity({
  name: 'ExamItem',
  tableName: 'exam_item',
  properties: {
    id: p.uuid().primary(),
    examId: p.uuid(),
    position: p.integer(),
    kind: p.enum(['fixed', 'random']).columnType('varchar(6)'),
    questionId: p.uuid().nullable(),
    /** For a fixed question: the version pinned when the exam was published. */
    questionVersionId: p.uuid().nullable(),
    categoryId: p.uuid().nullable(),
    tag: p.text().nullable(),
    difficulty: p.smallint().nullable(),
    drawCount: p.integer().default(1),
    /** Points for each question of this line; null keeps each question's own. */
    points: points().nullable(),
  },
});
export type IExamItem = InferEntity<typeof ExamItem>;

/** Another window, extra minutes or extra attempts for one person, with the reason. */
export const ExamOverride = defineEntity({
  name: 'ExamOverride',
  tableName: 'exam_override',
  properties: {
    id: p.uuid().primary(),
    examId: p.uuid(),
    userId: p.uuid(),
    opensAt: tz().nullable(),
    closesAt: tz().nullable(),
    extraMinutes: p.integer().default(0),
    extraAttempts: p.integer().default(0),
    reason: p.text(),
    createdBy: p.uuid(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
  },
});
export type IExamOverride = InferEntity<typeof ExamOverride>;

/** One person's attempt. `deadlineAt` is the server's: the phone's clock never decides it. */
export const ExamAttempt = defineEntity({
  name: 'ExamAttempt',
  tableName: 'exam_attempt',
  properties: {
    id: p.uuid().primary(),
    examId: p.uuid(),
    userId: p.uuid(),
    number: p.integer(),
    status: p.enum(['in_progress', 'submitted', 'finalised']).columnType('varchar(12)').default('in_progress'),
    startedAt: createdStamp(),
    deadlineAt: tz(),
    submittedAt: tz().nullable(),
    finishedBy: p.enum(['learner', 'deadline']).columnType('varchar(8)').nullable(),
    score: points().nullable(),
    maxScore: points().default(0),
    needsGrading: p.boolean().default(false),
    passed: p.boolean().nullable(),
  },
});
export type IExamAttempt = InferEntity<typeof ExamAttempt>;

/** A slot of an attempt's snapshot: the pinned version, its points, the option order shown, and its grade. */
export const AttemptQuestion = defineEntity({
  name: 'AttemptQuestion',
  tableName: 'attempt_question',
  properties: {
    attemptId: p.uuid().primary(),
    slot: p.integer().primary(),
    examItemId: p.uuid().nullable(),
    questionVersionId: p.uuid(),
    points: points(),
    optionOrder: p.array((i: string) => Number(i)).columnType('integer[]').nullable(),
    score: points().nullable(),
    fraction: p.decimal('number').precision(9).scale(6).nullable(),
    correct: p.boolean().nullable(),
    needsGrading: p.boolean().default(false),
    gradedBy: p.uuid().nullable(),
    gradedAt: tz().nullable(),
    graderComment: p.text().default(''),
  },
});
export type IAttemptQuestion = InferEntity<typeof AttemptQuestion>;

/** The newest saved response of a slot (upserted; the highest `seq` wins). */
export const AttemptAnswer = defineEntity({
  name: 'AttemptAnswer',
  tableName: 'attempt_answer',
  properties: {
    attemptId: p.uuid().primary(),
    slot: p.integer().primary(),
    response: p.json<Record<string, unknown>>(),
    flagged: p.boolean().default(false),
    seq: p.integer(),
    savedAt: createdStamp(),
  },
});
export type IAttemptAnswer = InferEntity<typeof AttemptAnswer>;

/** A save that arrived after the deadline and its grace: kept for trainers, never counted. */
export const AttemptLateAnswer = defineEntity({
  name: 'AttemptLateAnswer',
  tableName: 'attempt_late_answer',
  properties: {
    id: p.uuid().primary(),
    attemptId: p.uuid(),
    slot: p.integer(),
    response: p.json<Record<string, unknown>>(),
    seq: p.integer(),
    receivedAt: createdStamp(),
  },
});
export type IAttemptLateAnswer = InferEntity<typeof AttemptLateAnswer>;

export const ATTEMPT_EVENT_KINDS = ['started', 'focus_lost', 'focus_back', 'hidden', 'visible', 'offline', 'online', 'reconnect',
  'submitted', 'finalised', 'late_save'] as const;

/** The integrity log of an attempt. */
export const AttemptEvent = defineEntity({
  name: 'AttemptEvent',
  tableName: 'attempt_event',
  properties: {
    id: p.uuid().primary(),
    attemptId: p.uuid(),
    kind: p.enum([...ATTEMPT_EVENT_KINDS]).columnType('varchar(20)'),
    clientAt: tz().nullable(),
    receivedAt: createdStamp(),
    detail: p.text().default(''),
  },
});
export type IAttemptEvent = InferEntity<typeof AttemptEvent>;

/** A regrade of one question of an exam to another of its versions, with the reason. */
export const ExamRegrade = defineEntity({
  name: 'ExamRegrade',
  tableName: 'exam_regrade',
  properties: {
    id: p.uuid().primary(),
    examId: p.uuid(),
    questionId: p.uuid(),
    fromVersionId: p.uuid().nullable(),
    toVersionId: p.uuid(),
    reason: p.text(),
    regradedBy: p.uuid(),
    regradedAt: createdStamp(),
  },
});
export type IExamRegrade = InferEntity<typeof ExamRegrade>;

/** An attempt whose score a regrade changed: before and after. */
export const ExamRegradeAttempt = defineEntity({
  name: 'ExamRegradeAttempt',
  tableName: 'exam_regrade_attempt',
  properties: {
    regradeId: p.uuid().primary(),
    attemptId: p.uuid().primary(),
    oldScore: points().nullable(),
    newScore: points().nullable(),
  },
});
export type IExamRegradeAttempt = InferEntity<typeof ExamRegradeAttempt>;

export const examEntities = [Exam, ExamItem, ExamOverride, ExamAttempt, AttemptQuestion, AttemptAnswer, AttemptLateAnswer,
  AttemptEvent, ExamRegrade, ExamRegradeAttempt];
