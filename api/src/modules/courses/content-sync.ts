import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import { renderMarkdown } from '../../lib/markdown.js';
import { exec, query, sql } from '../../lib/sql.js';
import { TrackFileSchema, parseModuleFile, schemaIssues, type FrontMatter, type TrackFile } from './front-matter.js';
import type { Locales, LocaleContent, Outline } from './course.entity.js';

export const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml' };
const LANGS = ['zh', 'en'] as const;

export interface ContentIssue { file: string; field: string; reason: string }

export class ContentError extends Error {
  constructor(readonly issues: ContentIssue[]) {
    super(`Content is not valid; nothing was synchronised:\n${issues.map((i) => `  ${i.file}: ${i.field}: ${i.reason}`).join('\n')}`);
  }
}

export interface ModuleSpec {
  slug: string;
  trackId: string;
  order: number;
  sourcePath: string;
  minutes: number;
  positions: string[];
  locales: Record<string, { fm: FrontMatter; body: string }>;
  assets: { filename: string; mime: string; data: Buffer }[];
  hash: string;
}

export interface ContentTree { tracks: (TrackFile & { folder: string })[]; modules: ModuleSpec[] }

const orderOf = (folder: string) => Number(/^(\d+)-/.exec(folder)?.[1] ?? 0);
const isNumbered = (name: string) => /^\d{2}-[a-z0-9-]+$/.test(name);

/** Reads and checks the whole content tree. Every problem is collected (file, field, reason); nothing is written. */
export function readContentTree(dir: string): ContentTree {
  const issues: ContentIssue[] = [];
  const tree: ContentTree = { tracks: [], modules: [] };
  if (!existsSync(dir)) return tree;
  const rel = (p: string) => relative(dir, p) || '.';
  const slugs = new Map<string, string>();
  for (const trackFolder of readdirSync(dir).filter(isNumbered).sort()) {
    const trackDir = join(dir, trackFolder);
    if (!statSync(trackDir).isDirectory()) continue;
    const trackFile = join(trackDir, 'track.json');
    let track: TrackFile | undefined;
    if (!existsSync(trackFile)) issues.push({ file: rel(trackDir), field: 'track.json', reason: 'missing' });
    else {
      try {
        const data = JSON.parse(readFileSync(trackFile, 'utf8'));
        const problems = schemaIssues(TrackFileSchema, data);
        problems.forEach((p) => issues.push({ file: rel(trackFile), ...p }));
        if (!problems.length) track = data;
      } catch (e) {
        issues.push({ file: rel(trackFile), field: '(file)', reason: `not valid JSON: ${(e as Error).message}` });
      }
    }
    if (track) tree.tracks.push({ ...track, folder: trackFolder });
    for (const moduleFolder of readdirSync(trackDir).filter(isNumbered).sort()) {
      const moduleDir = join(trackDir, moduleFolder);
      if (!statSync(moduleDir).isDirectory()) continue;
      const hash = createHash('sha256');
      const locales: ModuleSpec['locales'] = {};
      const assets: ModuleSpec['assets'] = [];
      const files = readdirSync(moduleDir).sort();
      for (const name of files) {
        const path = join(moduleDir, name);
        const bytes = readFileSync(path);
        hash.update(name).update('\0').update(bytes).update('\0');
        const lang = /^index\.(zh|en)\.md$/.exec(name)?.[1];
        if (lang) {
          const parsed = parseModuleFile(bytes.toString('utf8'));
          parsed.issues.forEach((p) => issues.push({ file: rel(path), ...p }));
          if (parsed.data) locales[lang] = { fm: parsed.data, body: parsed.body };
        } else if (IMAGE_TYPES[extname(name).toLowerCase()]) {
          assets.push({ filename: name, mime: IMAGE_TYPES[extname(name).toLowerCase()], data: bytes });
        }
      }
      const present = Object.values(locales);
      if (!files.some((f) => /^index\.(zh|en)\.md$/.test(f))) {
        issues.push({ file: rel(moduleDir), field: 'index.zh.md', reason: 'a module needs index.zh.md or index.en.md' });
        continue;
      }
      if (!present.length) continue;
      const [first] = present;
      for (const other of present.slice(1)) {
        for (const field of ['id', 'minutes'] as const) {
          if (other.fm[field] !== first.fm[field]) issues.push({ file: rel(moduleDir), field, reason: 'differs between index.zh.md and index.en.md' });
        }
      }
      const slug = first.fm.id;
      if (slugs.has(slug)) issues.push({ file: rel(moduleDir), field: 'id', reason: `"${slug}" is already used by ${slugs.get(slug)}` });
      slugs.set(slug, rel(moduleDir));
      if (track) {
        tree.modules.push({
          slug, trackId: track.id, order: orderOf(moduleFolder), sourcePath: rel(moduleDir), minutes: first.fm.minutes,
          positions: first.fm.positions, locales, assets, hash: hash.digest('hex'),
        });
      }
    }
  }
  if (issues.length) throw new ContentError(issues);
  return tree;
}

export function assetBase(moduleId: string) {
  return `/api/modules/${moduleId}/assets`;
}

/** Renders each language's markdown once and gathers the text search runs over. */
export function buildLocales(moduleId: string, input: Partial<Record<'zh' | 'en', Omit<LocaleContent, 'html' | 'toc'>>>): { locales: Locales; outline: Outline; searchText: string; contentHash: string } {
  const locales: Locales = {};
  const outline: Outline = {};
  const search: string[] = [];
  for (const lang of LANGS) {
    const l = input[lang];
    if (!l) continue;
    const rendered = renderMarkdown(l.body, { assetBase: assetBase(moduleId) });
    locales[lang] = { ...l, html: rendered.html, toc: rendered.toc };
    outline[lang] = { title: l.title, summary: l.summary, tags: l.tags, sections: rendered.toc.filter((t) => t.depth === 2).map((t) => t.id) };
    search.push(l.title, l.summary, ...l.tags, ...l.objectives, rendered.text);
  }
  const contentHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  return { locales, outline, searchText: search.join(' \n ').toLowerCase(), contentHash };
}

interface SyncedModuleRow {
  id: string; slug: string; source: 'file' | 'browser'; file_hash: string | null; edited_in_browser: boolean;
  conflict: { fileHash: string } | null; archived_at: Date | null; track_id: string; sort_order: number; source_path: string | null;
}

export interface SyncReport { tracks: number; created: string[]; revised: string[]; archived: string[]; conflicts: string[]; unchanged: number }

/**
 * Brings the files into the database, in one transaction, after the whole tree has been checked.
 * New files make modules; changed files make a new published revision; removed folders archive their module.
 * A module edited in the browser is never overwritten: the file change is recorded as a conflict for a trainer.
 * Learners' progress belongs to the module, not a revision, so nothing they did is touched. Idempotent by hash.
 */
export async function syncContent(em: EntityManager, dir: string, now: Date = new Date()): Promise<SyncReport> {
  const tree = readContentTree(dir);
  const report: SyncReport = { tracks: tree.tracks.length, created: [], revised: [], archived: [], conflicts: [], unchanged: 0 };
  await em.transactional(async (tx) => {
    for (const t of tree.tracks) {
      await exec(tx, sql`
        insert into track (id, sort_order, title_zh, title_en, summary_zh, summary_en) values (${t.id}, ${t.order}, ${t.title.zh}, ${t.title.en}, ${t.summary.zh}, ${t.summary.en})
        on conflict (id) do update set sort_order = excluded.sort_order, title_zh = excluded.title_zh, title_en = excluded.title_en,
          summary_zh = excluded.summary_zh, summary_en = excluded.summary_en, archived_at = null, updated_at = now()
        where (track.sort_order, track.title_zh, track.title_en, track.summary_zh, track.summary_en, track.archived_at)
          is distinct from (excluded.sort_order, excluded.title_zh, excluded.title_en, excluded.summary_zh, excluded.summary_en, null)`);
    }
    const existing = await query<SyncedModuleRow>(tx, sql`select id, slug, source, file_hash, edited_in_browser, conflict, archived_at, track_id, sort_order, source_path from course_module`);
    const bySlug = new Map(existing.map((m) => [m.slug, m]));
    for (const spec of tree.modules) {
      const current = bySlug.get(spec.slug);
      if (!current) {
        const id = randomUUID();
        await exec(tx, sql`insert into course_module (id, slug, track_id, sort_order, source, source_path, file_hash) values (${id}, ${spec.slug}, ${spec.trackId}, ${spec.order}, 'file', ${spec.sourcePath}, ${spec.hash})`);
        await writeAssets(tx, id, spec.assets);
        await addFileRevision(tx, id, spec, now);
        report.created.push(spec.slug);
        continue;
      }
      if (current.track_id !== spec.trackId || current.sort_order !== spec.order || current.source_path !== spec.sourcePath || current.archived_at) {
        await exec(tx, sql`update course_module set track_id = ${spec.trackId}, sort_order = ${spec.order}, source_path = ${spec.sourcePath}, archived_at = null, updated_at = now() where id = ${current.id}`);
      }
      if (current.file_hash === spec.hash) {
        report.unchanged++;
        continue;
      }
      if (current.edited_in_browser) {
        if (current.conflict?.fileHash !== spec.hash) {
          await exec(tx, sql`update course_module set conflict = ${JSON.stringify({ fileHash: spec.hash, detectedAt: now.toISOString(), path: spec.sourcePath })} where id = ${current.id}`);
        }
        report.conflicts.push(spec.slug);
        continue;
      }
      await writeAssets(tx, current.id, spec.assets);
      await addFileRevision(tx, current.id, spec, now);
      await exec(tx, sql`update course_module set file_hash = ${spec.hash}, conflict = null, updated_at = now() where id = ${current.id}`);
      report.revised.push(spec.slug);
    }
    const inFiles = new Set(tree.modules.map((m) => m.slug));
    for (const m of existing) {
      if (m.source === 'file' && !m.archived_at && !inFiles.has(m.slug)) {
        await exec(tx, sql`update course_module set archived_at = ${now}, updated_at = now() where id = ${m.id}`);
        report.archived.push(m.slug);
      }
    }
  });
  return report;
}

async function writeAssets(em: EntityManager, moduleId: string, assets: ModuleSpec['assets']) {
  for (const a of assets) {
    const sha = createHash('sha256').update(a.data).digest('hex');
    await exec(em, sql`
      insert into module_asset (id, module_id, filename, mime, size, sha256, data) values (${randomUUID()}, ${moduleId}, ${a.filename}, ${a.mime}, ${a.data.length}, ${sha}, ${a.data})
      on conflict (module_id, filename) do update set mime = excluded.mime, size = excluded.size, sha256 = excluded.sha256, data = excluded.data
      where module_asset.sha256 <> excluded.sha256`);
  }
}

function localeInput(spec: ModuleSpec) {
  const input: Partial<Record<'zh' | 'en', Omit<LocaleContent, 'html' | 'toc'>>> = {};
  for (const [lang, { fm, body }] of Object.entries(spec.locales)) {
    input[lang as 'zh' | 'en'] = { title: fm.title, summary: fm.summary, objectives: fm.objectives, tags: fm.tags, body };
  }
  return input;
}

/** The file version becomes the next published revision; used by the sync and by "take the file" in a conflict. */
export async function addFileRevision(em: EntityManager, moduleId: string, spec: ModuleSpec, now: Date) {
  const { locales, outline, searchText, contentHash } = buildLocales(moduleId, localeInput(spec));
  const id = randomUUID();
  await exec(em, sql`
    insert into module_revision (id, module_id, number, origin, state, minutes, positions, locales, outline, search_text, content_hash, created_at, published_at)
    values (${id}, ${moduleId}, (select coalesce(max(number), 0) + 1 from module_revision where module_id = ${moduleId}), 'file', 'published',
            ${spec.minutes}, ${spec.positions}::text[], ${JSON.stringify(locales)}, ${JSON.stringify(outline)}, ${searchText}, ${contentHash}, ${now}, ${now})`);
  await exec(em, sql`update course_module set published_revision_id = ${id} where id = ${moduleId}`);
  return id;
}
