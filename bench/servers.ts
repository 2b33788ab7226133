// Child processes for the HTTP benchmark: `bare` is a hello-world Fastify route (the baseline); `app` is the whole
// application on an in-memory PGlite. Each prints its port on stdout and serves until killed.
import Fastify from 'fastify';
import { buildApp } from '../api/src/app.js';
import { createOrm, migrate } from '../api/src/db/orm.js';

const kind = process.argv[2];
if (kind === 'bare') {
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\n`);
} else {
  const orm = await createOrm({});
  await migrate(orm);
  const app = await buildApp({
    orm,
    config: { jwtSecret: 'bench-secret-bench-secret-bench-secret-123', cookieSecure: false, trustProxy: false, logLevel: 'silent', env: 'production', webBuildDir: 'web/build' },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const token = app.signAccessToken({ id: '00000000-0000-4000-8000-000000000001', role: 'staff', orgUnitId: '00000000-0000-4000-8000-000000000002', sessionId: '00000000-0000-4000-8000-000000000003', mustChangePassword: false });
  process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\nTOKEN ${token}\n`);
}
