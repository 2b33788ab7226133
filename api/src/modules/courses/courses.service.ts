import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { diffLines } from 'diff';
import { conflict, forbidden, invalidField, notFound } from '../../lib/errors.js';
import type { Lang } from '../../lib/i18n.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { likeEscape, query, sql, exec } from '../../lib/sql.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { assetBase, buildLocales } from './content-sync.js';
import type { LocaleContent } from './course.entity.js';
import { completionOf, requiredSecondsOf } from './completion.js';
import {
  findModule, findModuleForStudy, findRevision, listModuleRows, pickLocale, readModule, type ModuleForStudy, type ModuleRow, type ProgressColumns, type RevisionRow,
} from './courses.repository.js';

export const isAuthor = (a: Actor) => can(a, 'modules.author');

type LocaleInput = Omit<LocaleContent, 'html' | 'toc'>;

/** Where a person is in a module (for resuming and marking the contents); how far they are is `completionOf`'s. */
export interface ProgressDto { secondsSpent: number; sectionsRead: string[]; position: string | null; reachedEnd: boolean; completedAt: string | null; startedAt: string }

/** A person's reading state in a module; null when they have not started it. */
export function progressDto(p: ProgressColumns | null | undefined): ProgressDto | null {
  if (!p || p.seconds_spent === null || p.seconds_spent === undefined) return null;
  return {
    secondsSpent: Number(p.seconds_spent), sectionsRead: p.sections_read ?? [], position: p.position ?? null, reachedEnd: !!p.reached_end,
    completedAt: p.completed_at ? new Date(p.completed_at).toISOString() : null, startedAt: new Date(p.started_at!).toISOString(),
  };
}

export { pickLocale };

const sectionIdsOf = (c: LocaleContent | undefined) => (c?.toc ?? []).filter((t) => t.depth === 2).map((t) => t.id);

// ---------- tracks and catalogue ----------

export async function listTracks(em: EntityManager, actor: Actor, lang: Lang) {
  const rows = await query<{ id: string; sort_order: number; title_zh: string; title_en: string; summary_zh: string; summary_en: string; modules: number; completed: number }>(em, sql`
    select t.id, t.sort_order, t.title_zh, t.title_en, t.summary_zh, t.summary_en,
           count(m.id) filter (where m.published_revision_id is not null and m.archived_at is null)::int as modules,
           count(p.completed_at) filter (where m.published_revision_id is not null and m.archived_at is null)::int as completed
      from track t
      left join course_module m on m.track_id = t.id
      left join study_progress p on p.module_id = m.id and p.user_id = ${actor.id}
     where t.archived_at is null
     group by t.id order by t.sort_order, t.id`);
  return rows.map((r) => ({
    id: r.id, order: r.sort_order, title: lang === 'zh' ? r.title_zh : r.title_en, summary: lang === 'zh' ? r.summary_zh : r.summary_en,
    titles: { zh: r.title_zh, en: r.title_en }, modules: r.modules, completed: r.completed,
    percent: r.modules ? Math.round((100 * r.completed) / r.modules) : 0,
  }));
}

/** Modules assigned to the user, with the earliest due date among the assignments that reach them. */
export async function assignedModules(em: EntityManager, userId: string): Promise<Map<string, { dueOn: string | null }>> {
  const rows = await query<{ module_id: string; due_on: string | null }>(em, sql`
    with me as (select u.id, u.position, o.path from app_user u join org_unit o on o.id = u.org_unit_id where u.id = ${userId}),
    mine as (
      select a.* from assignment a, me
       where a.archived_at is null
         and (a.scope_path is null or me.path like a.scope_path || '%')
         and (me.id = any(a.user_ids)
              or ((cardinality(a.positions) > 0 or cardinality(a.org_unit_ids) > 0)
                  and (cardinality(a.positions) = 0 or me.position = any(a.positions))
                  and (cardinality(a.org_unit_ids) = 0 or exists (select 1 from org_unit ou where ou.id = any(a.org_unit_ids) and me.path like ou.path || '%'))))
    )
    select m.id as module_id, to_char(min(mine.due_on), 'YYYY-MM-DD') as due_on
      from mine join course_module m on (m.id = mine.module_id or m.track_id = mine.track_id)
     where m.published_revision_id is not null and m.archived_at is null
     group by m.id`);
  return new Map(rows.map((r) => [r.module_id, { dueOn: r.due_on }]));
}

export interface ListModulesInput { q?: string; trackId?: string; tag?: string; assigned?: boolean; unfinished?: boolean; includeDrafts?: boolean }

export async function listModules(em: EntityManager, actor: Actor, lang: Lang, input: ListModulesInput) {
  const author = isAuthor(actor) && !!input.includeDrafts;
  const pattern = input.q?.trim() ? `%${likeEscape(input.q.trim().toLowerCase())}%` : null;
  const rows = await listModuleRows(em, { userId: actor.id, drafts: author, trackId: input.trackId, pattern });
  const assigned = await assignedModules(em, actor.id);
  const items = rows.map((r) => {
    const { lang: shown, fallback, content } = pickLocale(r.outline, lang);
    return {
      id: r.id, slug: r.slug, trackId: r.track_id, order: r.sort_order, lang: shown, fallback, title: content.title,
      summary: content.summary, tags: content.tags, minutes: r.minutes, positions: r.positions,
      status: r.archived_at ? 'archived' : r.published_revision_id ? (r.draft_revision_id ? 'published_with_draft' : 'published') : 'draft',
      hasConflict: !!r.has_conflict,
      progress: progressDto(r),
      completion: completionOf(r, content.sections, r.minutes),
      assignment: assigned.get(r.id) ?? null,
    };
  });
  return items.filter((i) =>
    (!input.tag || i.tags.includes(input.tag)) && (!input.assigned || i.assignment) && (!input.unfinished || !i.progress?.completedAt));
}

// ---------- reading ----------

/** Learners may open a module that is published and not archived; authors may open anything. */
const openTo = (actor: Actor, m: { published_revision_id: string | null; archived_at: Date | null }) =>
  isAuthor(actor) || (!!m.published_revision_id && !m.archived_at);

/** A module a learner may open: published and not archived. Authors may open anything. Otherwise 404. */
export async function visibleModule(em: EntityManager, actor: Actor, idOrSlug: string): Promise<ModuleRow> {
  const m = await findModule(em, idOrSlug);
  if (!m || !openTo(actor, m)) throw notFound('module');
  return m;
}

/** The heartbeat's view of a module the actor may open (its minutes and section ids, no text), else 404. */
export async function studyableModule(em: EntityManager, actor: Actor, idOrSlug: string): Promise<ModuleForStudy> {
  const m = await findModuleForStudy(em, idOrSlug);
  if (!m || !openTo(actor, m)) throw notFound('module');
  return m;
}

export async function getModule(em: EntityManager, actor: Actor, lang: Lang, idOrSlug: string, opts: { draft?: boolean } = {}) {
  const r = await readModule(em, { idOrSlug, userId: actor.id, draft: !!opts.draft && isAuthor(actor), lang });
  if (!r || !openTo(actor, r) || !r.revision_id || !r.content) throw notFound('module');
  const content = r.content;
  return {
    id: r.id, slug: r.slug, trackId: r.track_id, trackTitle: lang === 'zh' ? r.track_title_zh : r.track_title_en,
    lang: r.shown ?? lang, fallback: r.shown !== lang, languages: r.languages ?? [], title: content.title, summary: content.summary,
    objectives: content.objectives, tags: content.tags, minutes: r.minutes ?? 0, positions: r.positions ?? [], html: content.html, toc: content.toc,
    revision: { number: r.number ?? 0, state: r.state ?? 'published', publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null },
    progress: progressDto(r),
    completion: completionOf(r, sectionIdsOf(content), r.minutes ?? 0),
    completionSeconds: requiredSecondsOf(r.minutes ?? 0),
    previous: r.previous, next: r.next,
  };
}

// ---------- authoring ----------

export interface ModuleBodyInput {
  trackId?: string;
  slug?: string;
  minutes?: number;
  positions?: string[];
  locales?: Partial<Record<Lang, LocaleInput>>;
}

async function assertTrack(em: EntityManager, trackId: string) {
  const [t] = await query<Record<string, unknown>>(em, sql`select 1 from track where id = ${trackId} and archived_at is null`);
  if (!t) throw invalidField('trackId', 'course.unknown_track');
}

function checkLocales(locales: Partial<Record<Lang, LocaleInput>> | undefined) {
  if (!locales || (!locales.zh && !locales.en)) throw invalidField('locales', 'course.no_language');
}

/** Authoring view: the draft if there is one (else the published text), with the markdown sources. */
export async function getModuleSource(em: EntityManager, actor: Actor, id: string) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  const r = await findRevision(em, (m.draft_revision_id ?? m.published_revision_id)!);
  if (!r) throw notFound('module');
  const strip = (l?: LocaleContent) => (l ? { title: l.title, summary: l.summary, objectives: l.objectives, tags: l.tags, body: l.body } : undefined);
  return {
    id: m.id, slug: m.slug, trackId: m.track_id, source: m.source, sourcePath: m.source_path, hasDraft: !!m.draft_revision_id,
    published: !!m.published_revision_id, archived: !!m.archived_at, conflict: m.conflict ?? null,
    revision: { number: r.number, state: r.state }, minutes: r.minutes, positions: r.positions,
    locales: { zh: strip(r.locales.zh), en: strip(r.locales.en) },
  };
}

export async function createModule(em: EntityManager, actor: Actor, input: Required<Pick<ModuleBodyInput, 'trackId' | 'minutes' | 'positions' | 'locales'>> & { slug?: string }) {
  await assertTrack(em, input.trackId);
  checkLocales(input.locales);
  const slug = input.slug ?? `m-${randomUUID().slice(0, 8)}`;
  const [taken] = await query<Record<string, unknown>>(em, sql`select 1 from course_module where slug = ${slug}`);
  if (taken) throw conflict('course.slug_taken', [{ path: 'slug', reason: 'course.slug_taken' }]);
  const id = randomUUID();
  const revisionId = randomUUID();
  const built = buildLocales(id, input.locales);
  await em.transactional(async (tx) => {
    const [{ n }] = await query<{ n: number }>(tx, sql`select coalesce(max(sort_order), 0) + 1 as n from course_module where track_id = ${input.trackId}`);
    await exec(tx, sql`insert into course_module (id, slug, track_id, sort_order, source, edited_in_browser) values (${id}, ${slug}, ${input.trackId}, ${n}, 'browser', true)`);
    await exec(tx, sql`
      insert into module_revision (id, module_id, number, origin, state, minutes, positions, locales, outline, search_text, content_hash, created_by)
      values (${revisionId}, ${id}, 1, 'browser', 'draft', ${input.minutes}, ${input.positions}::text[], ${JSON.stringify(built.locales)}, ${JSON.stringify(built.outline)}, ${built.searchText}, ${built.contentHash}, ${actor.id})`);
    await exec(tx, sql`update course_module set draft_revision_id = ${revisionId} where id = ${id}`);
  });
  return getModuleSource(em, actor, id);
}

/** Saves the draft: edits the open draft in place, or opens a new draft revision from the published text. */
export async function updateModule(em: EntityManager, actor: Actor, id: string, input: ModuleBodyInput) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  if (input.trackId) await assertTrack(em, input.trackId);
  if (input.locales) checkLocales(input.locales);
  const base = await findRevision(em, (m.draft_revision_id ?? m.published_revision_id)!);
  if (!base) throw notFound('module');
  const strip = (l?: LocaleContent): LocaleInput | undefined => (l ? { title: l.title, summary: l.summary, objectives: l.objectives, tags: l.tags, body: l.body } : undefined);
  const locales = input.locales ?? { zh: strip(base.locales.zh), en: strip(base.locales.en) };
  const built = buildLocales(m.id, locales);
  const minutes = input.minutes ?? base.minutes;
  const positions = input.positions ?? base.positions;
  await em.transactional(async (tx) => {
    if (m.draft_revision_id) {
      await exec(tx, sql`update module_revision set minutes = ${minutes}, positions = ${positions}::text[], locales = ${JSON.stringify(built.locales)}, outline = ${JSON.stringify(built.outline)}, search_text = ${built.searchText}, content_hash = ${built.contentHash}, created_by = ${actor.id}, created_at = now() where id = ${m.draft_revision_id}`);
    } else {
      const draftId = randomUUID();
      await exec(tx, sql`
        insert into module_revision (id, module_id, number, origin, state, minutes, positions, locales, outline, search_text, content_hash, created_by)
        values (${draftId}, ${m.id}, (select max(number) + 1 from module_revision where module_id = ${m.id}), 'browser', 'draft', ${minutes}, ${positions}::text[], ${JSON.stringify(built.locales)}, ${JSON.stringify(built.outline)}, ${built.searchText}, ${built.contentHash}, ${actor.id})`);
      await exec(tx, sql`update course_module set draft_revision_id = ${draftId} where id = ${m.id}`);
    }
    // From now on a change to this module's files is a conflict for a trainer, never a silent overwrite.
    await exec(tx, sql`update course_module set edited_in_browser = true, track_id = coalesce(${input.trackId ?? null}, track_id), updated_at = now() where id = ${m.id}`);
  });
  return getModuleSource(em, actor, m.id);
}

export async function publishModule(em: EntityManager, actor: Actor, id: string, now: Date) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  if (!m.draft_revision_id) throw conflict('course.nothing_to_publish');
  await em.transactional(async (tx) => {
    await exec(tx, sql`update module_revision set state = 'published', published_at = ${now} where id = ${m.draft_revision_id}`);
    await exec(tx, sql`update course_module set published_revision_id = draft_revision_id, draft_revision_id = null, archived_at = null, updated_at = now() where id = ${m.id}`);
  });
  return getModuleSource(em, actor, m.id);
}

export async function discardDraft(em: EntityManager, actor: Actor, id: string) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  if (!m.draft_revision_id) throw conflict('course.no_draft');
  if (!m.published_revision_id) throw conflict('course.never_published');
  await em.transactional(async (tx) => {
    await exec(tx, sql`update course_module set draft_revision_id = null where id = ${m.id}`);
    await exec(tx, sql`delete from module_revision where id = ${m.draft_revision_id}`);
  });
  return getModuleSource(em, actor, m.id);
}

export async function setModuleArchived(em: EntityManager, actor: Actor, id: string, archived: boolean, now: Date) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  await exec(em, sql`update course_module set archived_at = ${archived ? now : null}, updated_at = now() where id = ${m.id}`);
  return getModuleSource(em, actor, m.id);
}

export async function listModuleRevisions(em: EntityManager, actor: Actor, id: string) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  const rows = await query<{
    number: number; origin: string; state: string; created_at: Date; published_at: Date | null; minutes: number;
    title_zh: string | null; title_en: string | null; author: string | null; current: boolean;
  }>(em, sql`
    select r.number, r.origin, r.state, r.created_at, r.published_at, r.minutes, r.locales->'zh'->>'title' as title_zh,
           r.locales->'en'->>'title' as title_en, u.display_name as author, r.id = ${m.published_revision_id} as current
      from module_revision r left join app_user u on u.id = r.created_by
     where r.module_id = ${m.id} order by r.number desc`);
  return rows.map((r) => ({
    number: r.number, origin: r.origin, state: r.state, current: !!r.current, createdAt: new Date(r.created_at).toISOString(),
    publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null, author: r.author ?? null,
    title: { zh: r.title_zh ?? null, en: r.title_en ?? null }, minutes: r.minutes,
  }));
}

async function revisionByNumber(em: EntityManager, moduleId: string, number: number) {
  const [r] = await query<RevisionRow>(em, sql`select * from module_revision where module_id = ${moduleId} and number = ${number}`);
  if (!r) throw notFound('revision');
  return r;
}

/** A line diff of one language's markdown (front matter fields first) between two revisions. */
export async function compareRevisions(em: EntityManager, actor: Actor, id: string, from: number, to: number, lang: Lang) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  const [a, b] = [await revisionByNumber(em, m.id, from), await revisionByNumber(em, m.id, to)];
  const text = (r: RevisionRow) => {
    const l: LocaleContent | undefined = r.locales[lang];
    if (!l) return '';
    return [`# ${l.title}`, l.summary, ...l.objectives.map((o) => `- ${o}`), `tags: ${l.tags.join(', ')}`, `minutes: ${r.minutes}`, '', l.body].join('\n');
  };
  return {
    from, to, lang,
    changes: diffLines(text(a), text(b)).map((c) => ({ op: c.added ? 'add' : c.removed ? 'remove' : 'equal', text: c.value })),
  };
}

/** Restoring makes the old text the newest published revision; history keeps everything in between. */
export async function restoreRevision(em: EntityManager, actor: Actor, id: string, number: number, now: Date) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, id);
  if (!m) throw notFound('module');
  const old = await revisionByNumber(em, m.id, number);
  const newId = randomUUID();
  await em.transactional(async (tx) => {
    await exec(tx, sql`
      insert into module_revision (id, module_id, number, origin, state, minutes, positions, locales, outline, search_text, content_hash, created_by, published_at)
      select ${newId}, module_id, (select max(number) + 1 from module_revision where module_id = ${m.id}), 'restore', 'published', minutes, positions, locales, outline, search_text, content_hash, ${actor.id}, ${now}
        from module_revision where id = ${old.id}`);
    await exec(tx, sql`update course_module set published_revision_id = ${newId}, edited_in_browser = true, updated_at = now() where id = ${m.id}`);
  });
  return getModuleSource(em, actor, m.id);
}

export function previewMarkdown(markdown: string, moduleId?: string) {
  const r = renderMarkdown(markdown, { assetBase: moduleId ? assetBase(moduleId) : undefined });
  return { html: r.html, toc: r.toc };
}

