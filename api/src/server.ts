import { ConfigError, loadConfig } from './config.js';
import { openPglite, pgliteDirFor } from './db/pglite.js';
import { phaseTimer } from './lib/phases.js';

async function main() {
  const timer = phaseTimer();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      process.exit(78);
    }
    throw e;
  }
  timer.mark('config');
  // The embedded database opens while the rest of the program loads (see db/pglite.ts): only this file, the
  // configuration and the timer are loaded before it starts.
  const pglite = config.databaseUrl ? undefined : openPglite(pgliteDirFor(config.dataDir));
  const [{ createOrm }, { buildApp }, { prepareDatabase }] = await Promise.all([import('./db/orm.js'), import('./app.js'), import('./startup.js')]);
  timer.mark('load');
  // The ORM learns the entities now and connects after the app is built: building needs no database, so it runs
  // while the embedded database is still opening.
  const orm = await createOrm({ url: config.databaseUrl, pglite, poolMax: config.databasePoolMax, connect: false });
  timer.mark('orm');
  const app = await buildApp({ config, orm, serveWeb: true, prettyLogs: config.env === 'development' && process.stdout.isTTY, mark: timer.mark });
  await orm.connect();
  timer.mark('database');
  await prepareDatabase(orm, config, app.log, timer.mark);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    try {
      await app.close(); // stops accepting and waits for in-flight requests
      await orm.close();
      await (await pglite)?.close(); // PGlite closes its files cleanly, so the next start replays nothing
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  timer.mark('listen');
  app.log.info({ database: config.databaseUrl ? 'postgresql' : 'pglite', dataDir: config.dataDir, ...timer.summary() }, 'ready');
  // What start-up left for later: the routes' validators and serializers, compiled between the first requests.
  const t0 = performance.now();
  app.compileSchemas().then(
    () => app.log.debug({ ms: Math.round(performance.now() - t0) }, 'schemas compiled'),
    (err: unknown) => app.log.error({ err }, 'a route schema does not compile'),
  );
}

main().catch((err) => {
  process.stderr.write(`Start failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
