import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { PGliteDriver } from 'mikro-orm-pglite';
import { migrationsList } from '../../../migrations/index.js';
import { entities } from './entities.js';

export interface DatabaseOptions {
  /** A PostgreSQL server. Absent: embedded PGlite. */
  url?: string;
  /** PGlite data directory; absent with no url: in memory (tests). */
  pgliteDir?: string;
  poolMax?: number;
  debug?: boolean;
}

export type Orm = MikroORM;

function baseOptions(): Partial<Options> {
  return {
    entities,
    extensions: [Migrator],
    // Entities are mapped explicitly; nothing is discovered from the file system at run time.
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    migrations: {
      migrationsList,
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      tableName: 'mikro_orm_migrations',
      silent: true,
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
  };
}

export async function createOrm(opts: DatabaseOptions): Promise<Orm> {
  if (opts.url) {
    const url = new URL(opts.url);
    return MikroORM.init({
      ...baseOptions(),
      driver: PostgreSqlDriver,
      clientUrl: opts.url,
      dbName: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
      pool: { min: 0, max: opts.poolMax ?? 10 },
      debug: opts.debug ?? false,
    } as Options);
  }
  if (opts.pgliteDir) mkdirSync(opts.pgliteDir, { recursive: true });
  // PGlite is one connection: no pool settings. The driver owns the instance, so orm.close() closes it cleanly.
  return MikroORM.init({
    ...baseOptions(),
    driver: PGliteDriver,
    dbName: 'postgres',
    driverOptions: opts.pgliteDir ? { connection: { filename: opts.pgliteDir } } : undefined,
    debug: opts.debug ?? false,
  } as Options);
}

export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pglite');
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
