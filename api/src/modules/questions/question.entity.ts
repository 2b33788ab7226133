import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdStamp, updatedStamp, textArray } from '../../db/columns.js';

/** A node of the category tree; `path` is the full name path, `/` between levels (`货源政策/总量浮动`). */
export const QuestionCategory = defineEntity({
  name: 'QuestionCategory',
  tableName: 'question_category',
  properties: {
    id: p.uuid().primary(),
    parentId: p.uuid().nullable(),
    name: p.string().length(200),
    path: p.text().unique(),
    createdAt: createdStamp(),
  },
});
export type IQuestionCategory = InferEntity<typeof QuestionCategory>;

/**
 * A question's identity: key + language, status, where it is filed and what it is linked to. What it asks and how it
 * is scored is in its versions; `currentVersionId` is the one the bank shows and new exams take.
 */
export const Question = defineEntity({
  name: 'Question',
  tableName: 'question',
  properties: {
    id: p.uuid().primary(),
    key: p.string().length(100),
    language: p.enum(['zh', 'en']).columnType('varchar(2)'),
    status: p.enum(['draft', 'active', 'retired']).columnType('varchar(10)'),
    categoryId: p.uuid().nullable(),
    tags: textArray(),
    currentVersionId: p.uuid().nullable(),
    source: p.enum(['file', 'browser', 'import']).columnType('varchar(10)'),
    searchText: p.text().default(''),
    createdBy: p.uuid().nullable(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
  },
});
export type IQuestion = InferEntity<typeof Question>;

/**
 * One version of a question: the canonical model (question-model.ts) without the identity and filing fields.
 * Immutable once the question is active or the version is used; exams pin a version's id.
 */
export const QuestionVersion = defineEntity({
  name: 'QuestionVersion',
  tableName: 'question_version',
  properties: {
    id: p.uuid().primary(),
    questionId: p.uuid(),
    number: p.integer(),
    type: p.string().length(20),
    difficulty: p.smallint(),
    points: p.decimal().precision(8).scale(2),
    content: p.json<Record<string, unknown>>(),
    contentHash: p.string().length(64),
    /** The learner and answer views as sanitised HTML, rendered when the version is written (question-render.ts). */
    rendered: p.json<Record<string, unknown>>().nullable(),
    createdBy: p.uuid().nullable(),
    createdAt: createdStamp(),
  },
});
export type IQuestionVersion = InferEntity<typeof QuestionVersion>;

/** A version in use by something a learner answers (an exam, a contest). Written by those modules. */
export const QuestionUsage = defineEntity({
  name: 'QuestionUsage',
  tableName: 'question_usage',
  properties: {
    id: p.uuid().primary(),
    questionVersionId: p.uuid(),
    usedByType: p.string().length(32),
    usedById: p.uuid(),
    createdAt: createdStamp(),
  },
});
export type IQuestionUsage = InferEntity<typeof QuestionUsage>;
