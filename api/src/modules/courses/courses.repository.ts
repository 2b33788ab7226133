/**
 * How modules are kept and read: `course_module` (identity, filing, which revision is published or drafted) and
 * `module_revision` (the text: `locales` holds the markdown and its rendered HTML, `outline` the small part lists,
 * My learning and the heartbeat read). Shared by the courses service and the study domain, which reads modules
 * through this file and never the other way round.
 */
import type { EntityManager } from '@mikro-orm/core';
import type { Lang } from '../../lib/i18n.js';
import { query, queryOne, sql } from '../../lib/sql.js';
import type { LocaleContent, LocaleOutline, Locales, Outline } from './course.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A module named by id or by slug. */
const byIdOrSlug = (idOrSlug: string, column = sql.raw('m')) =>
  UUID.test(idOrSlug) ? sql`${column}.id = ${idOrSlug}::uuid` : sql`${column}.slug = ${idOrSlug}`;

/** A `course_module` row. */
export interface ModuleRow {
  id: string;
  slug: string;
  track_id: string;
  sort_order: number;
  source: 'file' | 'browser';
  source_path: string | null;
  file_hash: string | null;
  published_revision_id: string | null;
  draft_revision_id: string | null;
  edited_in_browser: boolean;
  conflict: { fileHash: string; detectedAt: string; path: string } | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A `module_revision` row. */
export interface RevisionRow {
  id: string;
  module_id: string;
  number: number;
  origin: 'file' | 'browser' | 'restore';
  state: 'draft' | 'published';
  minutes: number;
  positions: string[];
  locales: Locales;
  outline: Outline;
  search_text: string;
  content_hash: string;
  created_by: string | null;
  created_at: Date;
  published_at: Date | null;
}

/** The study-progress columns a module list or the reader shows (null when the person has not started). */
export interface ProgressColumns {
  seconds_spent: number | null;
  sections_read: string[] | null;
  reached_end: boolean | null;
  completed_at: Date | string | null;
  started_at: Date | string | null;
  position: string | null;
}

/** The learner's language if the revision has it, else the other one (the reader shows that it fell back). */
export function pickLocale<T>(locales: Partial<Record<Lang, T>>, lang: Lang): { lang: Lang; fallback: boolean; content: T } {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  if (locales[lang]) return { lang, fallback: false, content: locales[lang] };
  return { lang: other, fallback: true, content: locales[other]! };
}

export async function findModule(em: EntityManager, idOrSlug: string): Promise<ModuleRow | undefined> {
  return queryOne<ModuleRow>(em, sql`select m.* from course_module m where ${byIdOrSlug(idOrSlug)}`);
}

export async function findRevision(em: EntityManager, id: string): Promise<RevisionRow | undefined> {
  return queryOne<RevisionRow>(em, sql`select * from module_revision where id = ${id}`);
}

/** What the heartbeat needs of a module: whether it is open to learners, its minutes and its sections. */
export interface ModuleForStudy {
  id: string;
  published_revision_id: string | null;
  archived_at: Date | null;
  minutes: number;
  outline: Outline;
}

/**
 * A module with the outline of the text a reader gets (the published revision, else the draft), in one statement
 * that reads no markdown and no HTML: the study heartbeat asks this on every beat.
 */
export async function findModuleForStudy(em: EntityManager, idOrSlug: string): Promise<ModuleForStudy | undefined> {
  return queryOne<ModuleForStudy>(em, sql`
    select m.id, m.published_revision_id, m.archived_at, r.minutes, r.outline
      from course_module m join module_revision r on r.id = coalesce(m.published_revision_id, m.draft_revision_id)
     where ${byIdOrSlug(idOrSlug)}`);
}

/** The section ids of the language a reader is shown. */
export const sectionsOf = (outline: Outline, lang: Lang): string[] => pickLocale<LocaleOutline>(outline, lang).content?.sections ?? [];

export interface ModuleListRow extends ProgressColumns {
  id: string;
  slug: string;
  track_id: string;
  sort_order: number;
  archived_at: Date | null;
  has_conflict: boolean;
  published_revision_id: string | null;
  draft_revision_id: string | null;
  outline: Outline;
  minutes: number;
  positions: string[];
  number: number;
}

/**
 * The catalogue: each module with the outline of the revision shown (authors see the draft when there is one,
 * learners only ever the published text) and the person's progress. Text search runs over the revision's search
 * text in the database; neither the body nor the HTML is read.
 */
export async function listModuleRows(em: EntityManager, input: { userId: string; drafts: boolean; trackId?: string; pattern: string | null }): Promise<ModuleListRow[]> {
  const revision = input.drafts ? sql`coalesce(m.draft_revision_id, m.published_revision_id)` : sql`m.published_revision_id`;
  return query<ModuleListRow>(em, sql`
    select m.id, m.slug, m.track_id, m.sort_order, m.archived_at, m.conflict is not null as has_conflict,
           m.published_revision_id, m.draft_revision_id, r.outline, r.minutes, r.positions, r.number,
           p.seconds_spent, p.sections_read, p.reached_end, p.completed_at, p.started_at, p.position
      from course_module m
      join module_revision r on r.id = ${revision}
      join track t on t.id = m.track_id
      left join study_progress p on p.module_id = m.id and p.user_id = ${input.userId}
     where (${input.drafts}::boolean or m.archived_at is null)
       and (${input.trackId ?? null}::text is null or m.track_id = ${input.trackId ?? null})
       and (${input.pattern}::text is null or r.search_text like ${input.pattern})
     order by t.sort_order, m.sort_order, m.slug`);
}

export interface ReaderRow extends ProgressColumns {
  id: string;
  slug: string;
  track_id: string;
  published_revision_id: string | null;
  archived_at: Date | null;
  track_title_zh: string;
  track_title_en: string;
  revision_id: string | null;
  number: number | null;
  state: 'draft' | 'published' | null;
  published_at: Date | null;
  minutes: number | null;
  positions: string[] | null;
  languages: string[] | null;
  /** The one language the reader is shown (the learner's, else the other), with its body, HTML and contents. */
  content: LocaleContent | null;
  shown: Lang | null;
  previous: string | null;
  next: string | null;
}

/**
 * Everything the reader shows, in one statement: the module, its track's title, the revision asked for in the one
 * language shown, the person's progress, and the published modules before and after it in its track.
 */
export async function readModule(em: EntityManager, input: { idOrSlug: string; userId: string; draft: boolean; lang: Lang }): Promise<ReaderRow | undefined> {
  const other: Lang = input.lang === 'zh' ? 'en' : 'zh';
  const revision = input.draft ? sql`coalesce(m.draft_revision_id, m.published_revision_id)` : sql`m.published_revision_id`;
  // Only a module in the list of its track's published modules has neighbours there (as a draft an author opens has not).
  const listed = sql`m.published_revision_id is not null and m.archived_at is null`;
  const sibling = (cmp: string, dir: string) => sql`(select s.slug from course_module s
      where s.track_id = m.track_id and s.published_revision_id is not null and s.archived_at is null
        and (s.sort_order, s.slug) ${sql.raw(cmp)} (m.sort_order, m.slug)
      order by s.sort_order ${sql.raw(dir)}, s.slug ${sql.raw(dir)} limit 1)`;
  return queryOne<ReaderRow>(em, sql`
    select m.id, m.slug, m.track_id, m.published_revision_id, m.archived_at,
           t.title_zh as track_title_zh, t.title_en as track_title_en,
           r.id as revision_id, r.number, r.state, r.published_at, r.minutes, r.positions,
           array(select jsonb_object_keys(r.locales)) as languages,
           coalesce(r.locales -> ${input.lang}::text, r.locales -> ${other}::text) as content,
           case when r.locales ? ${input.lang}::text then ${input.lang}::text when r.id is not null then ${other}::text end as shown,
           p.seconds_spent, p.sections_read, p.reached_end, p.completed_at, p.started_at, p.position,
           case when ${listed} then ${sibling('<', 'desc')} end as previous,
           case when ${listed} then ${sibling('>', 'asc')} end as next
      from course_module m
      join track t on t.id = m.track_id
      left join module_revision r on r.id = ${revision}
      left join study_progress p on p.module_id = m.id and p.user_id = ${input.userId}
     where ${byIdOrSlug(input.idOrSlug)}`);
}
