import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from './config.js';
import { migrate, type Orm } from './db/orm.js';
import { bootstrap } from './seed/bootstrap.js';

/** Everything a database needs before the app serves it: migrations, then first-start data. */
export async function prepareDatabase(orm: Orm, config: Pick<AppConfig, 'seedDemo' | 'demoPassword' | 'dataDir'>, log: FastifyBaseLogger): Promise<void> {
  const applied = await migrate(orm);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  await bootstrap(orm.em.fork(), { seedDemo: config.seedDemo, demoPassword: config.demoPassword, dataDir: config.dataDir }, log);
}
