import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppConfig } from './config.js';
import type { Orm } from './db/orm.js';
import { systemClock, type Clock } from './lib/clock.js';
import authPlugin from './plugins/auth.js';
import databasePlugin from './plugins/database.js';
import errorsPlugin from './plugins/errors.js';
import openapiPlugin from './plugins/openapi.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { orgUnitRoutes } from './modules/org-units/org-units.routes.js';
import { userRoutes } from './modules/users/users.routes.js';
import { mountWeb } from './web.js';
import { assignmentRoutes } from './modules/assignments/assignments.routes.js';
import { courseRoutes } from './modules/courses/courses.routes.js';
import { studyRoutes } from './modules/study/study.routes.js';
import { questionRoutes } from './modules/questions/questions.routes.js';

export interface BuildAppOptions {
  config: Pick<AppConfig, 'jwtSecret' | 'cookieSecure' | 'trustProxy' | 'logLevel' | 'env' | 'webBuildDir'> & { contentDir?: string };
  orm: Orm;
  clock?: Clock;
  /** Serve the built web app on non-API paths. */
  serveWeb?: boolean;
  /** Pretty logs for a person at a terminal; JSON otherwise. */
  prettyLogs?: boolean;
}

/** Builds the whole application: plugins and modules. It never listens; server.ts and the tests decide that. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      ...(opts.prettyLogs ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    },
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });

  await app.register(errorsPlugin);
  await app.register(databasePlugin, { orm: opts.orm, clock: opts.clock ?? systemClock });
  await app.register(authPlugin, { secret: config.jwtSecret });
  await app.register(openapiPlugin);

  await app.register(async (api) => {
    await api.register(healthRoutes);
    await api.register(authRoutes, { cookieSecure: config.cookieSecure });
    await api.register(userRoutes);
    await api.register(orgUnitRoutes);
    await api.register(courseRoutes, { contentDir: config.contentDir ?? 'content' });
    await api.register(studyRoutes);
    await api.register(assignmentRoutes);
    await api.register(questionRoutes);
  }, { prefix: '/api' });

  if (opts.serveWeb) await mountWeb(app, config.webBuildDir);
  return app;
}
