import type { EntityManager } from '@mikro-orm/core';
import { AppError, conflict, forbidden, invalid, invalidField, notFound } from '../../lib/errors.js';
import { t, type Lang } from '../../lib/i18n.js';
import { exec, likeEscape, query, sql, type SqlFragment } from '../../lib/sql.js';
import type { Actor } from '../../access/actor.js';
import { can } from '../../access/permissions.js';
import { toFieldIssues } from './question-body.js';
import { definitionOf, normaliseQuestion, validateQuestion, type Question } from './question-model.js';
import type { QuestionBodyType } from './questions.schemas.js';
import {
  changedFields, ensureCategories, insertQuestions, joinQuestion, loadQuestion, loadQuestions, moduleIdsBySlug, normaliseCategory, saveQuestion,
  searchTextOf, stableStringify, type QuestionStatus, type StoredQuestion,
} from './question-store.js';
import { previewOf, storedPreview } from './question-render.js';
import { excerpt } from './question-view.js';

/** Who may work in the bank. Staff never see it (it holds the answers); managers follow results but do not author. */
const assertAuthor = (actor: Actor) => {
  if (!can(actor, 'questions.manage')) throw forbidden();
};

export interface QuestionFilterInput {
  q?: string; categoryId?: string; tag?: string; type?: string; difficulty?: number; status?: QuestionStatus; language?: Lang; module?: string;
}

/** The WHERE clause of the bank's filters, on `question q`, `question_version v` and `question_category c`. */
function filterClause(f: QuestionFilterInput): SqlFragment {
  const parts: SqlFragment[] = [];
  if (f.status) parts.push(sql`q.status = ${f.status}`);
  if (f.language) parts.push(sql`q.language = ${f.language}`);
  if (f.type) parts.push(sql`v.type = ${f.type}`);
  if (f.difficulty) parts.push(sql`v.difficulty = ${f.difficulty}`);
  if (f.tag) parts.push(sql`${f.tag} = any(q.tags)`);
  if (f.categoryId) {
    // The category and everything under it.
    parts.push(sql`exists (select 1 from question_category sel where sel.id = ${f.categoryId}
      and (c.path = sel.path or c.path like replace(replace(replace(sel.path, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '/%'))`);
  }
  if (f.module) {
    parts.push(sql`exists (select 1 from question_module qm join course_module m on m.id = qm.module_id
      where qm.question_id = q.id and (m.slug = ${f.module} or m.id::text = ${f.module}))`);
  }
  const text = f.q?.trim().toLowerCase();
  if (text) {
    // Every word must appear somewhere in the question (stem, options, feedback, key, tags).
    for (const word of text.split(/\s+/).slice(0, 8)) parts.push(sql`q.search_text like ${`%${likeEscape(word)}%`} escape '\\'`);
  }
  return parts.length ? sql`where ${sql.join(parts, ' and ')}` : sql``;
}

const FROM = sql.raw(`from question q join question_version v on v.id = q.current_version_id left join question_category c on c.id = q.category_id`);

export async function matchingIds(em: EntityManager, f: QuestionFilterInput, limit = 5000): Promise<string[]> {
  const rows = await query<{ id: string }>(em, sql`select q.id ${FROM} ${filterClause(f)} order by c.path nulls last, q.key, q.language limit ${limit}`);
  return rows.map((r) => r.id);
}

interface ListRow {
  id: string; key: string; language: string; status: string; tags: string[] | null; updated_at: string | Date; category_id: string | null;
  category: string | null; number: number; type: string; difficulty: number | string; points: number | string; stem: string | null;
  total: number | string; modules: string[] | null;
}

export async function listQuestions(em: EntityManager, actor: Actor, input: QuestionFilterInput & { sort?: string; limit: number; offset: number }) {
  assertAuthor(actor);
  const where = filterClause(input);
  const order = sql.raw(input.sort === 'updated' ? 'q.updated_at desc, q.key' : input.sort === 'difficulty' ? 'v.difficulty, q.key' : 'q.key, q.language');
  const rows = await query<ListRow>(em, sql`
    select q.id, q.key, q.language, q.status, q.tags, q.updated_at, q.category_id, c.path as category, v.number, v.type, v.difficulty,
           v.points, v.content->>'stem' as stem, count(*) over () as total,
           coalesce((select array_agg(m.slug order by m.slug) from question_module qm join course_module m on m.id = qm.module_id
                      where qm.question_id = q.id), '{}') as modules
      ${FROM} ${where}
     order by ${order}
     limit ${input.limit} offset ${input.offset}`);
  let total = rows.length ? Number(rows[0].total) : 0;
  if (!rows.length && input.offset > 0) {
    const [{ n }] = await query<{ n: number }>(em, sql`select count(*)::int as n ${FROM} ${where}`);
    total = Number(n);
  }
  return {
    total,
    items: rows.map((r) => ({
      id: r.id, key: r.key, language: r.language, status: r.status, type: r.type, difficulty: Number(r.difficulty), points: Number(r.points),
      stem: excerpt(r.stem), category: r.category ?? null, categoryId: r.category_id ?? null, tags: r.tags ?? [], modules: r.modules ?? [],
      version: r.number, updatedAt: new Date(r.updated_at).toISOString(),
    })),
  };
}

export { previewOf };

async function stored(em: EntityManager, id: string): Promise<StoredQuestion> {
  const s = await loadQuestion(em, id);
  if (!s) throw notFound('question');
  return s;
}

export async function getQuestion(em: EntityManager, actor: Actor, id: string) {
  assertAuthor(actor);
  const s = await stored(em, id);
  const [{ n }] = await query<{ n: number }>(em, sql`select count(*)::int as n from question_version where question_id = ${id}`);
  return {
    id: s.id, key: s.key, language: s.language, status: s.status, source: s.source, category: s.category ?? null, categoryId: s.categoryId,
    tags: s.tags, modules: s.modules, createdAt: s.createdAt, updatedAt: s.updatedAt,
    version: { id: s.version.id, number: s.version.number, createdAt: s.version.createdAt, used: s.version.used },
    versions: Number(n), question: s.question as unknown as Record<string, unknown>, preview: storedPreview(s.rendered, s.question, s.version.hash),
  };
}

type Body = QuestionBodyType;

/**
 * Normalises and checks a question from an author. The rules are those of an importable question (two options, one
 * correct, ...) plus: linked modules must exist, and an active short answer or essay needs its rubric, because a
 * person grades it against that.
 */
async function checkedQuestion(em: EntityManager, body: Body, language: Lang, status: QuestionStatus): Promise<Question> {
  const { status: _s, baseVersion: _b, ...fields } = body;
  const q = normaliseQuestion({ ...fields, category: normaliseCategory(fields.category) }, { language });
  const slugs = Array.isArray(q.modules) ? q.modules.filter((m): m is string => typeof m === 'string') : [];
  const known = new Set((await moduleIdsBySlug(em, slugs)).keys());
  const issues = validateQuestion(q, { mode: 'import', moduleIds: known });
  if (status === 'active' && definitionOf(q.type)?.manuallyGraded && !('rubric' in q && q.rubric)) {
    issues.push({ path: 'rubric', code: 'field.required', params: {} });
  }
  if (issues.length) throw invalid(toFieldIssues(issues));
  return q;
}

async function assertKeyFree(em: EntityManager, key: string, language: string, exceptId?: string) {
  const [taken] = await query<{ one: number }>(em, sql`
    select 1 as one from question
     where key = ${key} and language = ${language} and id <> coalesce(${exceptId ?? null}::uuid, '00000000-0000-0000-0000-000000000000')`);
  if (taken) throw conflict('bank.key_taken', [{ path: 'key', reason: 'bank.key_taken' }]);
}

export async function createQuestion(em: EntityManager, actor: Actor, body: Body, requestLanguage: Lang) {
  assertAuthor(actor);
  const status = body.status ?? 'draft';
  const q = await checkedQuestion(em, body, requestLanguage, status);
  if (q.key) await assertKeyFree(em, q.key, q.language ?? requestLanguage);
  const [id] = await em.transactional((tx) => insertQuestions(tx, [{ question: q, status, source: 'browser', createdBy: actor.id }]));
  // Only a concurrent create with the same key gets here without an id.
  if (!id) throw conflict('bank.key_taken', [{ path: 'key', reason: 'bank.key_taken' }]);
  return getQuestion(em, actor, id);
}

export async function updateQuestion(em: EntityManager, actor: Actor, id: string, body: Body) {
  assertAuthor(actor);
  const s = await stored(em, id);
  if (body.baseVersion !== undefined && body.baseVersion !== s.version.number) {
    throw new AppError(409, 'conflict', { reason: 'bank.stale_version' }, [{ path: 'baseVersion', reason: 'bank.stale_version', params: { current: s.version.number } }]);
  }
  const status = body.status ?? s.status;
  if (status === 'draft' && s.status !== 'draft') throw invalidField('status', 'bank.no_back_to_draft');
  const q = await checkedQuestion(em, { key: s.key, ...body }, s.language, status);
  if ((q.key ?? s.key) !== s.key || (q.language ?? s.language) !== s.language) await assertKeyFree(em, q.key ?? s.key, q.language ?? s.language, s.id);
  await em.transactional(async (tx) => {
    // Lock the row: two saves of one question must not both decide to write version n + 1.
    await exec(tx, sql`select 1 from question where id = ${id} for update`);
    const fresh = await stored(tx, id);
    await saveQuestion(tx, fresh, q, { status, actorId: actor.id });
  });
  return getQuestion(em, actor, id);
}

// ---------- versions ----------

interface VersionRow {
  id: string; number: number; type: string; difficulty: number | string; points: number | string; content: Record<string, unknown>;
  content_hash: string; rendered?: unknown; created_at: string | Date; author: string | null; used: boolean;
}

export async function listVersions(em: EntityManager, actor: Actor, id: string) {
  assertAuthor(actor);
  const s = await stored(em, id);
  const rows = await query<VersionRow>(em, sql`
    select v.id, v.number, v.type, v.difficulty, v.points, v.content, v.created_at, u.display_name as author,
           exists (select 1 from question_usage x where x.question_version_id = v.id) as used
      from question_version v left join app_user u on u.id = v.created_by
     where v.question_id = ${id} order by v.number desc`);
  return rows.map((r, i) => {
    const previous = rows[i + 1];
    return {
      id: r.id, number: r.number, type: r.type, difficulty: Number(r.difficulty), points: Number(r.points), current: r.id === s.version.id,
      used: !!r.used, createdAt: new Date(r.created_at).toISOString(), author: r.author ?? null, stem: excerpt(r.content?.stem),
      changes: previous ? changedFields(previous.content, r.content) : [],
    };
  });
}

async function versionRow(em: EntityManager, id: string, number: number) {
  const [v] = await query<VersionRow>(em, sql`
    select v.id, v.number, v.type, v.difficulty, v.points, v.content, v.content_hash, v.rendered, v.created_at, u.display_name as author, exists (select 1 from question_usage x where x.question_version_id = v.id) as used
      from question_version v left join app_user u on u.id = v.created_by where v.question_id = ${id} and v.number = ${number}`);
  if (!v) throw notFound('question_version');
  return v;
}

export async function getVersion(em: EntityManager, actor: Actor, id: string, number: number) {
  assertAuthor(actor);
  const s = await stored(em, id);
  const v = await versionRow(em, id, number);
  const q = joinQuestion(v.content, { key: s.key, language: s.language, tags: s.tags, modules: s.modules, category: s.category });
  return {
    id: v.id, number: v.number, current: v.id === s.version.id, used: !!v.used, createdAt: new Date(v.created_at).toISOString(),
    author: v.author ?? null, question: q as unknown as Record<string, unknown>, preview: storedPreview(v.rendered, q, v.content_hash),
  };
}

/** Every leaf value by its dotted path (`options.2.feedback`). */
function flatten(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v)) {
    if (!v.length) out.set(prefix, []);
    v.forEach((x, i) => flatten(x, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
  return out;
}

/** What changed between two versions, field by field. */
export async function compareVersions(em: EntityManager, actor: Actor, id: string, from: number, to: number) {
  assertAuthor(actor);
  await stored(em, id);
  const [a, b] = [await versionRow(em, id, from), await versionRow(em, id, to)];
  const fa = flatten(a.content);
  const fb = flatten(b.content);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])];
  const changes = paths
    .filter((p) => stableStringify(fa.get(p)) !== stableStringify(fb.get(p)))
    .map((p) => ({ path: p, before: fa.has(p) ? fa.get(p) : null, after: fb.has(p) ? fb.get(p) : null }));
  return { from, to, changes };
}

// ---------- categories, facets, bulk ----------

export async function listCategories(em: EntityManager, actor: Actor) {
  assertAuthor(actor);
  const rows = await query<{ id: string; parent_id: string | null; name: string; path: string; questions: number; total: number }>(em, sql`
    select c.id, c.parent_id, c.name, c.path,
           (select count(*) from question q where q.category_id = c.id)::int as questions,
           (select count(*) from question q join question_category d on d.id = q.category_id
             where d.path = c.path or d.path like replace(replace(replace(c.path, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '/%')::int as total
      from question_category c order by c.path`);
  return rows.map((r) => ({
    id: r.id, parentId: r.parent_id ?? null, name: r.name, path: r.path, depth: r.path.split('/').length - 1,
    questions: Number(r.questions), total: Number(r.total),
  }));
}

export async function listFacets(em: EntityManager, actor: Actor, lang: Lang) {
  assertAuthor(actor);
  const tags = await query<{ tag: string; count: number }>(em, sql`
    select tag, count(*)::int as count from question, unnest(tags) as tag group by tag order by count(*) desc, tag limit 300`);
  const modules = await query<{ slug: string; count: number; title: string }>(em, sql`
    select m.slug, count(qm.question_id)::int as count,
           coalesce(r.locales->${lang}->>'title', r.locales->'zh'->>'title', r.locales->'en'->>'title', m.slug) as title
      from course_module m
      left join module_revision r on r.id = coalesce(m.published_revision_id, m.draft_revision_id)
      left join question_module qm on qm.module_id = m.id
     group by m.id, m.slug, r.locales, m.track_id, m.sort_order order by m.track_id, m.sort_order, m.slug`);
  const counts = await query<{ status: string; n: number }>(em, sql`select status, count(*)::int as n from question group by status`);
  const by = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
  return {
    tags: tags.map((r) => ({ tag: r.tag, count: Number(r.count) })),
    modules: modules.map((r) => ({ slug: r.slug, title: r.title, count: Number(r.count) })),
    counts: { draft: by.draft ?? 0, active: by.active ?? 0, retired: by.retired ?? 0 },
  };
}

async function refreshSearchText(em: EntityManager, ids: string[]) {
  const qs = await loadQuestions(em, ids);
  if (!qs.length) return;
  const texts = JSON.stringify(qs.map((s) => ({ id: s.id, text: searchTextOf(s.question) })));
  await exec(em, sql`
    update question q set search_text = x.text
      from jsonb_to_recordset(${texts}::jsonb) as x(id uuid, text text) where q.id = x.id`);
}

export interface BulkInput { ids: string[]; action: 'add_tags' | 'remove_tags' | 'move' | 'retire' | 'activate'; tags?: string[]; category?: string }

/**
 * Tags, moves, retires or activates many questions at once. None of these touches a version: they are filing and
 * status, not what a learner is asked. Activation skips (and names) questions that are not complete.
 */
export async function bulkUpdate(em: EntityManager, actor: Actor, lang: Lang, input: BulkInput) {
  assertAuthor(actor);
  const ids = [...new Set(input.ids)];
  const tags = (input.tags ?? []).map((x) => x.trim()).filter(Boolean);
  const skipped: { id: string; key: string; code: string; message: string }[] = [];
  let updated = 0;
  await em.transactional(async (tx) => {
    switch (input.action) {
      case 'add_tags':
      case 'remove_tags': {
        if (!tags.length) throw invalidField('tags', 'bank.needs_tags');
        const expr = input.action === 'add_tags'
          ? sql`array(select distinct x from unnest(q.tags || ${tags}::text[]) as x order by x)`
          : sql`array(select x from unnest(q.tags) as x where not x = any(${tags}::text[]))`;
        const rows = await query<{ id: string }>(tx, sql`
          update question q set tags = ${expr}, updated_at = now() where q.id = any(${ids}::uuid[]) returning q.id`);
        updated = rows.length;
        // Tags are part of the text search.
        await refreshSearchText(tx, rows.map((r) => r.id));
        break;
      }
      case 'move': {
        const path = normaliseCategory(input.category);
        if (!path || path.split('/').some((s) => !s)) throw invalidField('category', path ? 'question.category_path' : 'bank.needs_category');
        const id = (await ensureCategories(tx, [path])).get(path)!;
        updated = (await query<{ id: string }>(tx, sql`
          update question set category_id = ${id}, updated_at = now() where id = any(${ids}::uuid[]) returning id`)).length;
        break;
      }
      case 'retire':
        updated = (await query<{ id: string }>(tx, sql`
          update question set status = 'retired', updated_at = now()
           where id = any(${ids}::uuid[]) and status <> 'retired' returning id`)).length;
        break;
      case 'activate': {
        const rows = await query<{ id: string; key: string; type: string; content: Record<string, unknown> | null }>(tx, sql`
          select q.id, q.key, v.type, v.content from question q join question_version v on v.id = q.current_version_id
           where q.id = any(${ids}::uuid[]) and q.status <> 'active'`);
        const ok: string[] = [];
        for (const r of rows) {
          if (definitionOf(r.type)?.manuallyGraded && !r.content?.rubric) {
            skipped.push({ id: r.id, key: r.key, code: 'bank.not_activated', message: t(lang, 'bank.not_activated', { key: r.key, reason: `rubric: ${t(lang, 'field.required')}` }) });
          } else ok.push(r.id);
        }
        if (ok.length) {
          updated = (await query<{ id: string }>(tx, sql`
            update question set status = 'active', updated_at = now() where id = any(${ok}::uuid[]) returning id`)).length;
        }
        break;
      }
    }
  });
  return { updated, skipped };
}
