import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { MikroORM, type IMigrator, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGliteDriver } from 'mikro-orm-pglite';
import { migrationsList } from '../../../migrations/index.js';
import { entities } from './entities.js';

export { pgliteDirFor } from './pglite.js';

export interface DatabaseOptions {
  /** A PostgreSQL server. Absent: embedded PGlite. */
  url?: string;
  /** PGlite data directory; absent with no url: in memory (tests). */
  pgliteDir?: string;
  /** Instead of pgliteDir: an embedded database the caller opened (db/pglite.ts), and closes after the ORM. */
  pglite?: Promise<PGlite>;
  poolMax?: number;
  debug?: boolean;
  /**
   * false: discover the entities only and connect later with `orm.connect()`. server.ts builds the app meanwhile,
   * while the embedded database is still opening. Default true.
   */
  connect?: boolean;
}

export type Orm = MikroORM;

const MIGRATIONS_TABLE = 'mikro_orm_migrations';

function baseOptions(): Partial<Options> {
  return {
    entities,
    // No `extensions: [Migrator]`: the Migrator is loaded only when there is something to migrate (loadMigrator).
    // Entities are mapped explicitly; nothing is discovered from the file system at run time.
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    migrations: {
      migrationsList,
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      tableName: MIGRATIONS_TABLE,
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
      connect: opts.connect ?? true,
    } as Options);
  }
  if (opts.pgliteDir) mkdirSync(opts.pgliteDir, { recursive: true });
  // PGlite is one connection: no pool settings. Given a directory, the driver owns the instance, so orm.close()
  // closes it cleanly; an instance the caller opened is only borrowed.
  const pglite = opts.pglite;
  return MikroORM.init({
    ...baseOptions(),
    driver: PGliteDriver,
    dbName: 'postgres',
    driverOptions: pglite ? { connection: { pglite: () => pglite } } : opts.pgliteDir ? { connection: { filename: opts.pgliteDir } } : undefined,
    debug: opts.debug ?? false,
    connect: opts.connect ?? true,
  } as Options);
}

/**
 * The Migrator, loaded on first use: it brings a large tree of modules (umzug and its command-line parser) that a
 * start with nothing to migrate, the usual case, never needs.
 */
export async function loadMigrator(orm: Orm): Promise<IMigrator> {
  const { Migrator } = await import('@mikro-orm/migrations');
  Migrator.register(orm);
  return orm.getMigrator();
}

/** Names of the migrations this database has applied; undefined when it cannot tell (no table, or no database yet). */
async function appliedMigrations(orm: Orm): Promise<Set<string> | undefined> {
  try {
    const rows: { name: string }[] = await orm.em.getConnection().execute(`select name from ${MIGRATIONS_TABLE}`);
    return new Set(rows.map((r) => r.name));
  } catch {
    return undefined;
  }
}

/**
 * Applies pending migrations; returns the names applied. One query answers whether anything is pending; only then
 * does the Migrator run (it also creates a missing database and its own table).
 */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await appliedMigrations(orm);
  if (applied && migrationsList.every((m) => applied.has(m.name))) return [];
  const done = await (await loadMigrator(orm)).up();
  return done.map((m) => m.name);
}
