import { loadConfig } from '../config.js';
import { createOrm, loadMigrator, migrate, pgliteDirFor } from '../db/orm.js';

/** `pnpm db:migrate`: applies pending migrations and exits; for deployments that migrate before rolling out. */
const config = loadConfig();
const orm = await createOrm({ url: config.databaseUrl, pgliteDir: config.databaseUrl ? undefined : pgliteDirFor(config.dataDir) });
try {
  const pending = await (await loadMigrator(orm)).getPendingMigrations();
  await migrate(orm);
  process.stdout.write(`Applied ${pending.length} migration(s): ${pending.map((m) => m.name).join(', ') || 'none pending'}\n`);
} finally {
  await orm.close();
}
