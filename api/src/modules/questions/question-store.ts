/**
 * How questions are kept: the identity and filing fields on `question`, the rest (what is asked and how it is scored)
 * in `question_version`. Shared by the bank's service, the importer and the shipped-bank loader.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { slicer } from '../../lib/slices.js';
import { exec, query, sql } from '../../lib/sql.js';
import { definitionOf } from './types/index.js';
import { normaliseQuestion, type Lang, type Question } from './question-model.js';
import { renderVersion, type RenderedVersion } from './question-render.js';

export type QuestionStatus = 'draft' | 'active' | 'retired';
export const QUESTION_STATUSES = ['draft', 'active', 'retired'] as const;

/** Fields that say which question this is and where it is filed: they live on `question`, not in its versions. */
const IDENTITY_FIELDS = ['key', 'language', 'tags', 'modules', 'category'] as const;

export type VersionContent = Record<string, unknown> & { type: string; stem: string; points: number; difficulty: number };
export interface QuestionMeta { key?: string; language?: Lang; tags: string[]; modules: string[]; category?: string }

export function splitQuestion(q: Question): { content: VersionContent; meta: QuestionMeta } {
  const content: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) if (!(IDENTITY_FIELDS as readonly string[]).includes(k) && v !== undefined) content[k] = v;
  return {
    content: content as VersionContent,
    meta: { key: q.key, language: q.language, tags: q.tags ?? [], modules: q.modules ?? [], category: q.category },
  };
}

/** The canonical question from a version's content and the question's identity fields. */
export function joinQuestion(content: Record<string, unknown>, meta: QuestionMeta): Question {
  return normaliseQuestion({
    ...content, key: meta.key, language: meta.language, tags: meta.tags, modules: meta.modules,
    ...(meta.category ? { category: meta.category } : {}),
  });
}

/** JSON with object keys sorted at every level: equal content, equal text, whatever order the fields came in. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export const contentHash = (content: Record<string, unknown>) => createHash('sha256').update(stableStringify(content)).digest('hex');

/** A category path with each level trimmed (`A / B` → `A/B`). */
export const normaliseCategory = (path: string | undefined | null) =>
  path ? path.split('/').map((s) => s.trim()).join('/') : undefined;

/** A key for a question that came without one. */
export const generateKey = () => `q-${randomBytes(5).toString('hex')}`;

/** Everything a learner could read in a question, lower-cased, for the bank's text search. */
export function searchTextOf(q: Question): string {
  const own = definitionOf(q.type)?.searchText(q) ?? [];
  const parts: string[] = [q.key ?? '', q.name ?? '', q.stem, q.explanation ?? '', ...q.tags, ...own];
  return parts.filter(Boolean).join(' \n ').toLowerCase().slice(0, 100_000);
}

/** Makes sure every category path (and each of its ancestors) exists; returns path → id. */
export async function ensureCategories(em: EntityManager, paths: Iterable<string | undefined>): Promise<Map<string, string>> {
  const all = new Set<string>();
  for (const p of paths) {
    if (!p) continue;
    const levels = p.split('/');
    for (let i = 1; i <= levels.length; i++) all.add(levels.slice(0, i).join('/'));
  }
  const byDepth = new Map<number, { id: string; name: string; path: string; parent: string | null }[]>();
  for (const path of all) {
    const levels = path.split('/');
    const row = { id: randomUUID(), name: levels[levels.length - 1], path, parent: levels.length > 1 ? levels.slice(0, -1).join('/') : null };
    byDepth.set(levels.length, [...(byDepth.get(levels.length) ?? []), row]);
  }
  // One statement per level: a parent must exist before the statement that looks it up.
  for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
    await exec(em, sql`
      insert into question_category (id, parent_id, name, path)
      select x.id, (select c.id from question_category c where c.path = x.parent), x.name, x.path
        from jsonb_to_recordset(${JSON.stringify(byDepth.get(depth))}::jsonb) as x(id uuid, name text, path text, parent text)
      on conflict (path) do nothing`);
  }
  if (!all.size) return new Map();
  const rows = await query<{ id: string; path: string }>(em, sql`select id, path from question_category where path = any(${[...all]}::text[])`);
  return new Map(rows.map((r) => [r.path, r.id]));
}

/** Module slugs → ids, for the slugs that exist. */
export async function moduleIdsBySlug(em: EntityManager, slugs?: string[]): Promise<Map<string, string>> {
  const rows = slugs
    ? (slugs.length ? await query<{ id: string; slug: string }>(em, sql`select id, slug from course_module where slug = any(${slugs}::text[])`) : [])
    : await query<{ id: string; slug: string }>(em, sql`select id, slug from course_module`);
  return new Map(rows.map((r) => [r.slug, r.id]));
}

export interface NewQuestion {
  question: Question;
  status: QuestionStatus;
  source: 'file' | 'browser' | 'import';
  createdBy: string | null;
}

/** A new question with everything its rows hold worked out: ids, key, search text, content hash and rendering. */
export interface PreparedQuestion {
  id: string; versionId: string; key: string; language: Lang; status: QuestionStatus; category: string | undefined; tags: string[];
  source: NewQuestion['source']; searchText: string; createdBy: string | null; type: string; difficulty: number; points: number;
  content: VersionContent; hash: string; modules: string[]; rendered: RenderedVersion;
}

/**
 * The CPU part of inserting questions (hashing, search text, rendering each version's views), which needs no
 * database: an import does it before its transaction opens. Long lists give the event loop back between slices.
 */
export async function prepareQuestions(items: NewQuestion[]): Promise<PreparedQuestion[]> {
  const pause = slicer();
  const out: PreparedQuestion[] = [];
  for (const item of items) {
    await pause();
    const q = item.question;
    const { content } = splitQuestion(q);
    const hash = contentHash(content);
    out.push({
      id: randomUUID(), versionId: randomUUID(), key: q.key ?? generateKey(), language: q.language ?? 'zh', status: item.status,
      category: normaliseCategory(q.category), tags: q.tags, source: item.source, searchText: searchTextOf(q), createdBy: item.createdBy,
      type: q.type, difficulty: q.difficulty, points: q.points, content, hash, modules: q.modules, rendered: renderVersion(q, hash),
    });
  }
  return out;
}

/** Rows per statement when questions are written: small statements, with the event loop free between them. */
const WRITE_CHUNK = 100;

/**
 * Writes prepared questions with their first version, categories and module links, a hundred questions a
 * statement, giving the event loop back between statements (on PGlite each statement runs on this thread). A
 * question whose key and language already exist is skipped (a concurrent start or import wrote it first). Returns,
 * in input order, whether each was inserted. Call inside a transaction, so that the whole list is written or none.
 */
export async function writeQuestions(em: EntityManager, items: PreparedQuestion[]): Promise<boolean[]> {
  if (!items.length) return [];
  const pause = slicer();
  const categories = await ensureCategories(em, items.map((i) => i.category));
  const done = new Set<string>();
  for (let at = 0; at < items.length; at += WRITE_CHUNK) {
    await pause();
    const chunk = items.slice(at, at + WRITE_CHUNK);
    const questionRows = JSON.stringify(chunk.map((r) => ({
      id: r.id, version_id: r.versionId, key: r.key, language: r.language, status: r.status,
      category_id: r.category ? categories.get(r.category) ?? null : null, tags: r.tags, source: r.source, search_text: r.searchText,
      created_by: r.createdBy,
    })));
    const inserted = await query<{ id: string }>(em, sql`
      insert into question (id, key, language, status, category_id, tags, current_version_id, source, search_text, created_by)
      select x.id, x.key, x.language, x.status, x.category_id, x.tags, x.version_id, x.source, x.search_text, x.created_by
        from jsonb_to_recordset(${questionRows}::jsonb) as x(id uuid, version_id uuid, key text, language text, status text, category_id uuid,
             tags text[], source text, search_text text, created_by uuid)
      on conflict (key, language) do nothing
      returning id`);
    const ids = new Set(inserted.map((r) => r.id));
    const kept = chunk.filter((r) => ids.has(r.id));
    if (!kept.length) continue;
    for (const r of kept) done.add(r.id);
    await pause();
    await exec(em, sql`
      insert into question_version (id, question_id, number, type, difficulty, points, content, content_hash, rendered, created_by)
      select x.version_id, x.id, 1, x.type, x.difficulty, x.points, x.content, x.hash, x.rendered, x.created_by
        from jsonb_to_recordset(${JSON.stringify(kept.map((r) => ({
      id: r.id, version_id: r.versionId, type: r.type, difficulty: r.difficulty, points: r.points, content: r.content, hash: r.hash,
      rendered: r.rendered, created_by: r.createdBy,
    })))}::jsonb) as x(id uuid, version_id uuid, type text, difficulty int, points numeric, content jsonb, hash text,
             rendered jsonb, created_by uuid)`);
    // The question's link to its current version is checked at commit (the question is written first); checked here
    // instead, a chunk at a time, so that the commit of 20,000 questions does not check them all at once.
    await exec(em, sql`set constraints question_current_version_fk immediate`);
    await exec(em, sql`set constraints question_current_version_fk deferred`);
    const links = kept.flatMap((r) => r.modules.map((slug) => ({ question_id: r.id, slug })));
    if (links.length) {
      await exec(em, sql`
        insert into question_module (question_id, module_id)
        select x.question_id, m.id from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as x(question_id uuid, slug text)
          join course_module m on m.slug = x.slug
        on conflict do nothing`);
    }
  }
  return items.map((r) => done.has(r.id));
}

/**
 * Inserts new questions with their first version, categories and module links (prepareQuestions, then
 * writeQuestions). Returns the ids of the questions inserted, in input order (null where skipped). Call inside a
 * transaction.
 */
export async function insertQuestions(em: EntityManager, items: NewQuestion[]): Promise<(string | null)[]> {
  const prepared = await prepareQuestions(items);
  const inserted = await writeQuestions(em, prepared);
  return prepared.map((r, i) => (inserted[i] ? r.id : null));
}

export interface StoredQuestion {
  id: string;
  key: string;
  language: Lang;
  status: QuestionStatus;
  categoryId: string | null;
  category: string | undefined;
  tags: string[];
  modules: string[];
  source: string;
  createdAt: string;
  updatedAt: string;
  version: { id: string; number: number; hash: string; createdAt: string; used: boolean };
  content: Record<string, unknown>;
  /** The version's kept rendering (question-render.ts); null until the start-up repair reaches an old row. */
  rendered: unknown;
  question: Question;
}

const STORED_SELECT = sql.raw(`
  select q.id, q.key, q.language, q.status, q.category_id, c.path as category, q.tags, q.source, q.created_at, q.updated_at,
         v.id as version_id, v.number, v.content_hash, v.content, v.rendered, v.created_at as version_created_at,
         exists (select 1 from question_usage u where u.question_version_id = v.id) as used,
         coalesce((select array_agg(m.slug order by m.slug) from question_module qm join course_module m on m.id = qm.module_id
                    where qm.question_id = q.id), '{}') as modules
    from question q
    join question_version v on v.id = q.current_version_id
    left join question_category c on c.id = q.category_id`);

/** A row of STORED_SELECT. */
interface StoredRow {
  id: string; key: string; language: Lang; status: QuestionStatus; category_id: string | null; category: string | null; tags: string[] | null;
  source: string; created_at: string | Date; updated_at: string | Date; version_id: string; number: number; content_hash: string;
  content: Record<string, unknown>; rendered: unknown; version_created_at: string | Date; used: boolean; modules: string[] | null;
}

function toStored(r: StoredRow): StoredQuestion {
  const meta: QuestionMeta = { key: r.key, language: r.language, tags: r.tags ?? [], modules: r.modules ?? [], category: r.category ?? undefined };
  return {
    id: r.id, key: r.key, language: r.language, status: r.status, categoryId: r.category_id, category: r.category ?? undefined,
    tags: r.tags ?? [], modules: r.modules ?? [], source: r.source,
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
    version: { id: r.version_id, number: r.number, hash: r.content_hash, createdAt: new Date(r.version_created_at).toISOString(), used: !!r.used },
    content: r.content, rendered: r.rendered, question: joinQuestion(r.content, meta),
  };
}

export async function loadQuestions(em: EntityManager, ids: string[]): Promise<StoredQuestion[]> {
  if (!ids.length) return [];
  const rows = await query<StoredRow>(em, sql`${STORED_SELECT} where q.id = any(${ids}::uuid[])`);
  const byId = new Map(rows.map((r) => [r.id, toStored(r)]));
  return ids.map((id) => byId.get(id)).filter((q): q is StoredQuestion => !!q);
}

export async function loadQuestion(em: EntityManager, id: string): Promise<StoredQuestion | null> {
  return (await loadQuestions(em, [id]))[0] ?? null;
}

export async function loadByKeys(em: EntityManager, pairs: { key: string; language: string }[]): Promise<Map<string, StoredQuestion>> {
  if (!pairs.length) return new Map();
  const rows = await query<StoredRow>(em, sql`${STORED_SELECT}
    join jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as k(key text, language text) on k.key = q.key and k.language = q.language`);
  return new Map(rows.map((r) => [`${r.language}\u0000${r.key}`, toStored(r)]));
}

/** Top-level fields whose values differ between two objects (for "what changed" in imports and history). */
export function changedFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => stableStringify(a[k]) !== stableStringify(b[k])).sort();
}

export interface SaveResult { versionCreated: boolean; changes: string[] }

/**
 * Saves a question over a stored one. Content changes go into the current version only while that version is an
 * unused draft; otherwise they become a new version (the old one stays exactly as it was, for whatever pinned it).
 * Identity and filing fields (key, language, category, tags, modules, status) change on the question itself.
 * Call inside a transaction.
 */
export async function saveQuestion(em: EntityManager, stored: StoredQuestion, q: Question, opts: { status?: QuestionStatus; actorId: string | null }): Promise<SaveResult> {
  const { content, meta } = splitQuestion(q);
  const hash = contentHash(content);
  const changes = changedFields(stored.content, content);
  const status = opts.status ?? stored.status;
  const category = normaliseCategory(meta.category);
  let versionCreated = false;
  if (hash !== stored.version.hash) {
    const rendered = JSON.stringify(renderVersion(q, hash));
    const frozen = stored.status !== 'draft' || stored.version.used;
    if (frozen) {
      const versionId = randomUUID();
      await exec(em, sql`
        insert into question_version (id, question_id, number, type, difficulty, points, content, content_hash, rendered, created_by)
        values (${versionId}, ${stored.id}, (select max(number) + 1 from question_version where question_id = ${stored.id}), ${q.type},
                ${q.difficulty}, ${q.points}, ${JSON.stringify(content)}, ${hash}, ${rendered}, ${opts.actorId})`);
      await exec(em, sql`update question set current_version_id = ${versionId} where id = ${stored.id}`);
      versionCreated = true;
    } else {
      await exec(em, sql`
        update question_version set type = ${q.type}, difficulty = ${q.difficulty}, points = ${q.points}, content = ${JSON.stringify(content)},
               content_hash = ${hash}, rendered = ${rendered}, created_by = ${opts.actorId},
               created_at = now()
         where id = ${stored.version.id}`);
    }
  }
  if ((meta.key ?? stored.key) !== stored.key) changes.push('key');
  if ((meta.language ?? stored.language) !== stored.language) changes.push('language');
  if ((category ?? '') !== (stored.category ?? '')) changes.push('category');
  if (stableStringify(meta.tags) !== stableStringify(stored.tags)) changes.push('tags');
  const modulesChanged = stableStringify([...meta.modules].sort()) !== stableStringify([...stored.modules].sort());
  if (modulesChanged) changes.push('modules');
  if (status !== stored.status) changes.push('status');
  if (!changes.length) return { versionCreated, changes };
  const categoryId = category ? (await ensureCategories(em, [category])).get(category)! : null;
  await exec(em, sql`
    update question set key = ${meta.key ?? stored.key}, language = ${meta.language ?? stored.language}, status = ${status},
           category_id = ${categoryId}, tags = ${meta.tags}::text[], search_text = ${searchTextOf({ ...q, key: meta.key ?? stored.key })},
           updated_at = now()
     where id = ${stored.id}`);
  if (modulesChanged) {
    await exec(em, sql`delete from question_module where question_id = ${stored.id}`);
    if (meta.modules.length) {
      await exec(em, sql`
        insert into question_module (question_id, module_id)
        select ${stored.id}, id from course_module where slug = any(${meta.modules}::text[]) on conflict do nothing`);
    }
  }
  return { versionCreated, changes: [...new Set(changes)].sort() };
}
