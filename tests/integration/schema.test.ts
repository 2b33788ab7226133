import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entities } from '../../api/src/db/entities.js';
import { execSql } from '../../api/src/lib/sql.js';
import { createTestDatabase } from '../helpers/app.js';

type Db = Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

/**
 * The statements of MikroORM's schema diff that concern tables and columns. Foreign keys, checks and indexes are
 * written in the migrations only (entities hold plain ids, not relations), so the diff's statements about them are
 * left aside; every table and every column, its type, nullability and default, must agree.
 */
function tableAndColumnChanges(diff: string): string[] {
  return diff.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)
    .filter((s) => !/^(alter table "[^"]+" (drop|add) constraint|drop index|create (unique )?index|alter index|comment on)/i.test(s))
    .filter((s) => !/^set names|^set session_replication_role/i.test(s));
}

describe('entities and migrations', () => {
  it('map every table the migrations make', async () => {
    const tables = await execSql<{ table_name: string }>(db.orm.em.fork(), `
      select table_name from information_schema.tables
       where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations' order by 1`);
    const mapped = entities.map((e) => e.meta.tableName).sort();
    expect(tables.map((t) => t.table_name)).toEqual(mapped);
  });

  it('agree on every column: the schema generator finds nothing to change', async () => {
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    expect(tableAndColumnChanges(diff)).toEqual([]);
  });
});
