import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from './config.js';
import { migrate, type Orm } from './db/orm.js';
import { bootstrap } from './seed/bootstrap.js';
import { ContentError, syncContent } from './modules/courses/content-sync.js';
import { syncQuestionBank } from './modules/questions/question-sync.js';

/** Everything a database needs before the app serves it: migrations, then first-start data. */
export async function prepareDatabase(orm: Orm, config: Pick<AppConfig, 'seedDemo' | 'demoPassword' | 'dataDir'> & { contentDir?: string }, log: FastifyBaseLogger, mark: (phase: string) => void = () => {}): Promise<void> {
  const applied = await migrate(orm);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  mark('migrations');
  await bootstrap(orm.em.fork(), { seedDemo: config.seedDemo, demoPassword: config.demoPassword, dataDir: config.dataDir }, log);
  mark('seed');
  if (config.contentDir) {
    // Files in content/ are the modules' source; a malformed file stops the sync (not the start) with the file, field and reason.
    try {
      const report = await syncContent(orm.em.fork(), config.contentDir);
      log.info({ created: report.created.length, revised: report.revised.length, archived: report.archived.length, conflicts: report.conflicts, unchanged: report.unchanged }, 'content synchronised');
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      // A bad file must not take the whole platform down: nothing was synchronised, the modules already in the
      // database keep serving, and the log says which file, field and reason to fix.
      log.error({ issues: err.issues }, err.message);
    }
    mark('content');
    // After the modules: questions link to them. Only questions missing from the bank are added (by key and language).
    const bank = await syncQuestionBank(orm.em.fork(), config.contentDir);
    if (bank.invalid.length) log.warn({ invalid: bank.invalid.slice(0, 50) }, 'shipped questions skipped');
    log.info({ created: bank.created, existing: bank.existing }, 'question bank synchronised');
    mark('questions');
  }
}
