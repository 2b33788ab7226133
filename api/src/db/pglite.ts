import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pglite');
}

/**
 * Opens the embedded database in `dir`. server.ts calls this before it loads the rest of the program: opening takes
 * a second or more, much of it compiling PGlite's WebAssembly on other threads, and the program's modules load on
 * this thread meanwhile. The caller hands the promise to createOrm and closes the instance after the ORM.
 */
export function openPglite(dir: string): Promise<PGlite> {
  mkdirSync(dir, { recursive: true });
  const opening = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(dir));
  // Awaited later (by the ORM's first connection); until then a failure must not count as unhandled.
  opening.catch(() => {});
  return opening;
}
