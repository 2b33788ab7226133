import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { conflict, forbidden, invalidField, notFound } from '../../lib/errors.js';
import { query, sql, exec } from '../../lib/sql.js';
import { zipArchive } from '../../lib/zip.js';
import type { Actor } from '../../access/actor.js';
import { addFileRevision, assetBase, readContentTree } from './content-sync.js';
import { isAuthor, visibleModule } from './courses.service.js';
import { findModule, findRevision, type ModuleRow } from './courses.repository.js';
import { serializeModuleFile, type FrontMatter } from './front-matter.js';

export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** Image types recognised by their first bytes, not by what the upload claims. */
export function sniffImage(data: Buffer): string | null {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

export async function uploadAsset(em: EntityManager, actor: Actor, moduleId: string, upload: { filename: string; data: Buffer }) {
  if (!isAuthor(actor)) throw forbidden();
  const [m] = await query<{ id: string }>(em, sql`select id from course_module where id = ${moduleId}`);
  if (!m) throw notFound('module');
  if (upload.data.length === 0) throw invalidField('file', 'course.empty_file');
  if (upload.data.length > MAX_IMAGE_BYTES) throw invalidField('file', 'course.image_too_large', { max: '2 MB' });
  const mime = sniffImage(upload.data);
  if (!mime) throw invalidField('file', 'course.not_an_image');
  const stem = upload.filename.replace(/\.[^.]*$/, '').toLowerCase().normalize('NFKD').replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'image';
  const sha = createHash('sha256').update(upload.data).digest('hex');
  let filename = `${stem}.${EXT[mime]}`;
  const [same] = await query<{ filename: string }>(em, sql`select filename from module_asset where module_id = ${m.id} and sha256 = ${sha}`);
  if (same) filename = same.filename;
  else {
    const [clash] = await query<Record<string, unknown>>(em, sql`select 1 from module_asset where module_id = ${m.id} and filename = ${filename}`);
    if (clash) filename = `${stem}-${sha.slice(0, 8)}.${EXT[mime]}`;
    await exec(em, sql`insert into module_asset (id, module_id, filename, mime, size, sha256, data) values (${randomUUID()}, ${m.id}, ${filename}, ${mime}, ${upload.data.length}, ${sha}, ${upload.data})
                   on conflict (module_id, filename) do nothing`);
  }
  return { filename, url: `${assetBase(m.id)}/${filename}`, markdown: `![](${filename})` };
}

export async function listAssets(em: EntityManager, actor: Actor, moduleId: string) {
  if (!isAuthor(actor)) throw forbidden();
  await visibleModule(em, actor, moduleId);
  const rows = await query<{ filename: string; mime: string; size: number }>(em, sql`select filename, mime, size, created_at from module_asset where module_id = ${moduleId} order by filename`);
  return rows.map((r) => ({ filename: r.filename, mime: r.mime, size: r.size, url: `${assetBase(moduleId)}/${r.filename}` }));
}

export async function getAsset(em: EntityManager, actor: Actor, moduleId: string, filename: string) {
  await visibleModule(em, actor, moduleId);
  const [a] = await query<{ mime: string; data: Buffer; sha256: string }>(em, sql`select mime, data, sha256 from module_asset where module_id = ${moduleId} and filename = ${filename}`);
  if (!a) throw notFound('resource');
  return { mime: a.mime, data: Buffer.from(a.data), etag: `"${a.sha256}"` };
}

/** The module as its files: content/<track>/<module>/index.zh.md, index.en.md and assets, zipped. */
export async function exportModule(em: EntityManager, actor: Actor, moduleId: string) {
  if (!isAuthor(actor)) throw forbidden();
  const [m] = await query<ModuleRow & { track_order: number }>(em, sql`
    select m.*, t.sort_order as track_order from course_module m join track t on t.id = m.track_id where m.id = ${moduleId}`);
  if (!m) throw notFound('module');
  const r = await findRevision(em, (m.published_revision_id ?? m.draft_revision_id)!);
  if (!r) throw notFound('module');
  const pad = (n: number) => String(n).padStart(2, '0');
  const folder = m.source_path ?? `${pad(m.track_order)}-${m.track_id}/${pad(m.sort_order)}-${m.slug}`;
  const entries: { name: string; data: Buffer }[] = [];
  for (const lang of ['zh', 'en'] as const) {
    const l = r.locales[lang];
    if (!l) continue;
    const text = serializeModuleFile({ id: m.slug, title: l.title, summary: l.summary, objectives: l.objectives, minutes: r.minutes, tags: l.tags, positions: r.positions as FrontMatter['positions'] }, l.body);
    entries.push({ name: `${folder}/index.${lang}.md`, data: Buffer.from(text, 'utf8') });
  }
  const assets = await query<{ filename: string; data: Buffer }>(em, sql`select filename, data from module_asset where module_id = ${m.id} order by filename`);
  for (const a of assets) entries.push({ name: `${folder}/${a.filename}`, data: Buffer.from(a.data) });
  return { filename: `${m.slug}.zip`, data: zipArchive(entries) };
}

/**
 * A trainer's answer to a file change that met edits made in the browser: take the file (it becomes the newest
 * published revision), or keep the browser's text (the file change is acknowledged and not asked about again).
 */
export async function resolveConflict(em: EntityManager, actor: Actor, moduleId: string, resolution: 'take_file' | 'keep_browser', contentDir: string, now: Date) {
  if (!isAuthor(actor)) throw forbidden();
  const m = await findModule(em, moduleId);
  if (!m) throw notFound('module');
  if (!m.conflict) throw conflict('course.no_conflict');
  if (resolution === 'keep_browser') {
    await exec(em, sql`update course_module set file_hash = ${m.conflict.fileHash}, conflict = null, updated_at = now() where id = ${m.id}`);
    return;
  }
  const spec = readContentTree(contentDir).modules.find((s) => s.slug === m.slug);
  if (!spec) throw conflict('course.file_gone');
  await em.transactional(async (tx) => {
    // Taking the file sets the browser's unpublished edits aside: an open draft would otherwise stay in the editor
    // and, once published, silently undo the file the trainer just chose.
    if (m.draft_revision_id) {
      await exec(tx, sql`update course_module set draft_revision_id = null where id = ${m.id}`);
      await exec(tx, sql`delete from module_revision where id = ${m.draft_revision_id}`);
    }
    await addFileRevision(tx, m.id, spec, now);
    await exec(tx, sql`update course_module set file_hash = ${spec.hash}, conflict = null, edited_in_browser = false, updated_at = now() where id = ${m.id}`);
  });
}
