/**
 * Whether the database answers, for the health check.
 *
 * On PostgreSQL: `select 1` on a connection of the pool. On embedded PGlite there is one connection, and a long
 * transaction (an import writing 20,000 questions) holds it until it commits: a `select 1` queued behind it would
 * make a healthy server look stalled for the whole transaction. So on PGlite the check asks the instance itself,
 * which runs it between two statements of whatever holds the connection. `select 1` reads no table and takes no lock,
 * so it neither sees nor disturbs that work; a transaction that has failed answers it with an error, and that answer
 * still shows the database up.
 */
import type { EntityManager } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/postgresql';
import type { PGliteInterface } from '@electric-sql/pglite';
import { PGliteKnexDialect } from 'mikro-orm-pglite';

/** The embedded instance behind the ORM, or null when the ORM runs on a server (or has not opened it yet). */
function embeddedInstance(em: EntityManager): PGliteInterface | null {
  const client = (em.getConnection() as AbstractSqlConnection).getKnex().client as unknown;
  return client instanceof PGliteKnexDialect ? client.getDataSource().getPGlite() : null;
}

const IN_FAILED_TRANSACTION = '25P02';

export async function pingDatabase(em: EntityManager): Promise<void> {
  const pglite = embeddedInstance(em);
  if (!pglite) {
    await em.getConnection().execute('select 1');
    return;
  }
  if (pglite.closed) throw new Error('the embedded database is closed');
  try {
    await pglite.query('select 1');
  } catch (err) {
    if ((err as { code?: unknown }).code !== IN_FAILED_TRANSACTION) throw err;
  }
}
