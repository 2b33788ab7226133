import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tz, createdStamp, updatedStamp, textArray } from '../../db/columns.js';

export const Track = defineEntity({
  name: 'Track',
  tableName: 'track',
  properties: {
    id: p.string().length(64).primary(),
    sortOrder: p.integer().default(0),
    titleZh: p.string().length(200),
    titleEn: p.string().length(200),
    summaryZh: p.text().default(''),
    summaryEn: p.text().default(''),
    archivedAt: tz().nullable(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
  },
});
export type ITrack = InferEntity<typeof Track>;

/**
 * A course module. Its text lives in revisions: `publishedRevisionId` is what learners read, `draftRevisionId` what a
 * trainer is editing. `fileHash` is the hash of its files when they were last taken in; `conflict` records a file
 * change that arrived after edits in the browser and waits for a trainer's decision.
 */
export const CourseModule = defineEntity({
  name: 'CourseModule',
  tableName: 'course_module',
  properties: {
    id: p.uuid().primary(),
    slug: p.string().length(100).unique(),
    trackId: p.string().length(64),
    sortOrder: p.integer().default(0),
    source: p.enum(['file', 'browser']).columnType('varchar(16)'),
    sourcePath: p.text().nullable(),
    fileHash: p.string().length(64).nullable(),
    publishedRevisionId: p.uuid().nullable(),
    draftRevisionId: p.uuid().nullable(),
    editedInBrowser: p.boolean().default(false),
    conflict: p.json<{ fileHash: string; detectedAt: string; path: string } | null>().nullable(),
    archivedAt: tz().nullable(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
  },
});
export type ICourseModule = InferEntity<typeof CourseModule>;

export interface LocaleContent {
  title: string;
  summary: string;
  objectives: string[];
  tags: string[];
  body: string;
  /** Rendered once, on the server, by the sanitising pipeline. */
  html: string;
  toc: { id: string; text: string; depth: number }[];
}
export type Locales = Partial<Record<'zh' | 'en', LocaleContent>>;

/**
 * What lists, My learning and the heartbeat need of one language of a revision, kept apart from the body so that
 * they never read the markdown or the HTML: written with the revision, from the same rendering.
 */
export interface LocaleOutline {
  title: string;
  summary: string;
  tags: string[];
  /** Ids of the second-level headings: the sections a reader marks as read. */
  sections: string[];
}
export type Outline = Partial<Record<'zh' | 'en', LocaleOutline>>;

export const ModuleRevision = defineEntity({
  name: 'ModuleRevision',
  tableName: 'module_revision',
  properties: {
    id: p.uuid().primary(),
    moduleId: p.uuid(),
    number: p.integer(),
    origin: p.enum(['file', 'browser', 'restore']).columnType('varchar(16)'),
    state: p.enum(['draft', 'published']).columnType('varchar(16)'),
    minutes: p.integer(),
    positions: textArray(),
    locales: p.json<Locales>(),
    outline: p.json<Outline>(),
    searchText: p.text().default(''),
    contentHash: p.string().length(64),
    createdBy: p.uuid().nullable(),
    createdAt: createdStamp(),
    publishedAt: tz().nullable(),
  },
});
export type IModuleRevision = InferEntity<typeof ModuleRevision>;

/** An image a module's text refers to, kept in the database with the module (so every process serves it). */
export const ModuleAsset = defineEntity({
  name: 'ModuleAsset',
  tableName: 'module_asset',
  properties: {
    id: p.uuid().primary(),
    moduleId: p.uuid(),
    filename: p.string().length(200),
    mime: p.string().length(64),
    size: p.integer(),
    sha256: p.string().length(64),
    data: p.blob(),
    createdAt: createdStamp(),
  },
});
export type IModuleAsset = InferEntity<typeof ModuleAsset>;
