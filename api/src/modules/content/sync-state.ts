import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import { SyncState } from './sync-state.entity.js';

/**
 * The fingerprint of a content folder: every file under it, at any depth (name relative to the folder, and bytes),
 * in a fixed order, together with `extra` (the versions of the code that reads them). Both start-up syncs read
 * only files under this folder (the modules and tracks, and `questions/`), so a change to any file they read
 * changes it; so does a file that is added, removed or renamed.
 */
export function contentFingerprint(dir: string, extra: readonly string[]): string {
  const hash = createHash('sha256');
  for (const e of extra) hash.update('v\0').update(e).update('\0');
  if (!existsSync(dir)) return hash.update('absent').digest('hex');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    hash.update('f\0').update(relative(dir, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The fingerprint stored at the sync's last successful run, if any. */
export async function lastFingerprint(em: EntityManager, name: string): Promise<string | undefined> {
  return (await em.findOne(SyncState, { name }))?.fingerprint;
}

/** Records a successful run of the sync over files with this fingerprint. */
export async function recordFingerprint(em: EntityManager, name: string, fingerprint: string): Promise<void> {
  await em.upsert(SyncState, { name, fingerprint, syncedAt: new Date() });
}
