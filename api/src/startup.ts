import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from './config.js';
import { migrate, type Orm } from './db/orm.js';
import { bootstrap } from './seed/bootstrap.js';
import { seedExamHistory } from './seed/exam-history.js';
import { seedContestHistory } from './seed/contest-history.js';
import { ContentError, syncContent } from './modules/courses/content-sync.js';
import { syncQuestionBank } from './modules/questions/question-sync.js';
import { RENDER_VERSION } from './modules/questions/question-render.js';
import { contentFingerprint, lastFingerprint, recordFingerprint } from './modules/content/sync-state.js';
import { migrationsList } from '../../migrations/index.js';

/**
 * Raise when what the content or question-bank sync makes of the same files changes (a field read, a rule), so the
 * next start runs them again although the files did not change.
 */
export const CONTENT_SYNC_VERSION = 1;
const SYNC_NAME = 'content';

/** Everything a database needs before the app serves it: migrations, then first-start data. */
export async function prepareDatabase(orm: Orm, config: Pick<AppConfig, 'seedDemo' | 'demoPassword' | 'dataDir'> & { contentDir?: string }, log: FastifyBaseLogger, mark: (phase: string) => void = () => {}): Promise<void> {
  const applied = await migrate(orm);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  mark('migrations');
  await bootstrap(orm.em.fork(), { seedDemo: config.seedDemo, demoPassword: config.demoPassword, dataDir: config.dataDir }, log);
  mark('seed');
  if (config.contentDir) {
    // Both syncs read only the files under content/; when those, the code reading them (its version, the question
    // renderer's, the schema's migrations) are what the last successful run saw, there is nothing for them to do.
    const fingerprint = contentFingerprint(config.contentDir, [`sync ${CONTENT_SYNC_VERSION}`, `render ${RENDER_VERSION}`, ...migrationsList.map((m) => m.name)]);
    if (await lastFingerprint(orm.em.fork(), SYNC_NAME) === fingerprint) {
      log.info('content and question bank unchanged since the last sync');
      mark('content');
      if (config.seedDemo) await demoExams(orm, log, mark);
      return;
    }
    let contentOk = true;
    // Files in content/ are the modules' source; a malformed file stops the sync (not the start) with the file, field and reason.
    try {
      const report = await syncContent(orm.em.fork(), config.contentDir);
      log.info({ created: report.created.length, revised: report.revised.length, archived: report.archived.length, conflicts: report.conflicts, unchanged: report.unchanged }, 'content synchronised');
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      // A bad file must not take the whole platform down: nothing was synchronised, the modules already in the
      // database keep serving, and the log says which file, field and reason to fix.
      log.error({ issues: err.issues }, err.message);
      contentOk = false;
    }
    mark('content');
    // After the modules: questions link to them. Only questions missing from the bank are added (by key and language).
    const bank = await syncQuestionBank(orm.em.fork(), config.contentDir);
    if (bank.invalid.length) log.warn({ invalid: bank.invalid.slice(0, 50) }, 'shipped questions skipped');
    log.info({ created: bank.created, existing: bank.existing }, 'question bank synchronised');
    mark('questions');
    // A run that stopped on a bad file is tried again at the next start.
    if (contentOk) await recordFingerprint(orm.em.fork(), SYNC_NAME, fingerprint);
    if (config.seedDemo) await demoExams(orm, log, mark);
  }
}

/** The demo organisation's exam history, once, after the question bank it draws from. */
async function demoExams(orm: Orm, log: FastifyBaseLogger, mark: (phase: string) => void): Promise<void> {
  const made = await seedExamHistory(orm.em.fork(), new Date());
  if (made) log.info(made, 'demo exam history loaded');
  const contests = await seedContestHistory(orm.em.fork(), new Date());
  if (contests) log.info(contests, 'demo contest history loaded');
  mark('demo-exams');
}
