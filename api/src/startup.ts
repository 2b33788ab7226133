import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from './config.js';
import { migrate, type Orm } from './db/orm.js';
import { bootstrap } from './seed/bootstrap.js';
import { syncContent } from './modules/courses/content-sync.js';

/** Everything a database needs before the app serves it: migrations, then first-start data. */
export async function prepareDatabase(orm: Orm, config: Pick<AppConfig, 'seedDemo' | 'demoPassword' | 'dataDir'> & { contentDir?: string }, log: FastifyBaseLogger): Promise<void> {
  const applied = await migrate(orm);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  await bootstrap(orm.em.fork(), { seedDemo: config.seedDemo, demoPassword: config.demoPassword, dataDir: config.dataDir }, log);
  if (config.contentDir) {
    // Files in content/ are the modules' source; a malformed file stops the start with the file, field and reason.
    const report = await syncContent(orm.em.fork(), config.contentDir);
    log.info({ created: report.created.length, revised: report.revised.length, archived: report.archived.length, conflicts: report.conflicts, unchanged: report.unchanged }, 'content synchronised');
  }
}
