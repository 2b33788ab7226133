import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppConfig } from './config.js';
import type { Orm } from './db/orm.js';
import { systemClock, type Clock } from './lib/clock.js';
import { schemaFormats, schemaKeywords, withSchemaRules } from './lib/schema.js';
import { lazyCompilers } from './lib/lazy-compile.js';
import authPlugin from './plugins/auth.js';
import compressionPlugin from './plugins/compression.js';
import databasePlugin from './plugins/database.js';
import errorsPlugin, { sendProblem } from './plugins/errors.js';
import openapiPlugin from './plugins/openapi.js';
import securityPlugin from './plugins/security.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { orgUnitRoutes } from './modules/org-units/org-units.routes.js';
import { userRoutes } from './modules/users/users.routes.js';
import { mountWeb } from './web.js';
import { assignmentRoutes } from './modules/assignments/assignments.routes.js';
import { courseRoutes } from './modules/courses/courses.routes.js';
import { studyRoutes } from './modules/study/study.routes.js';
import { questionRoutes } from './modules/questions/questions.routes.js';
import { examResultRoutes } from './modules/exams/exam-results.routes.js';
import { examRoutes } from './modules/exams/exams.routes.js';
import { attemptRoutes } from './modules/exams/attempts.routes.js';
import { finaliseAllOverdue } from './modules/exams/attempt-grading.js';
import { gradingRoutes } from './modules/exams/grading.routes.js';
import { contestRoutes } from './modules/contests/contests.routes.js';
import { closeDueTimedContests } from './modules/contests/contest-runs.js';
import { speechRoutes } from './modules/contests/speech.routes.js';
import { contestResultRoutes } from './modules/contests/contest-results.routes.js';

export interface BuildAppOptions {
  config: Pick<AppConfig, 'jwtSecret' | 'cookieSecure' | 'trustProxy' | 'logLevel' | 'env' | 'webBuildDir'> & { contentDir?: string };
  orm: Orm;
  clock?: Clock;
  /** Serve the built web app on non-API paths. */
  serveWeb?: boolean;
  /** Pretty logs for a person at a terminal; JSON otherwise. */
  prettyLogs?: boolean;
  /**
   * How often this process finalises attempts whose deadline and grace have passed (milliseconds; 0: never, for tests
   * that run the job themselves). Every process may run it: the job is safe when several run at once.
   */
  finaliseEveryMs?: number;
  /** Start-up timing: called as each phase of the build ends (server.ts logs them with `ready`). */
  mark?: (phase: string) => void;
}

const ajvFactory = AjvCompiler();
const ajvCommon = { removeAdditional: true, useDefaults: true, allErrors: true } as const;

/**
 * Query strings, path parameters and headers are text and are parsed into the types their schema names; JSON bodies
 * already carry types and are never coerced (`null` would become `false`, `123` would become `"123"`).
 */
const partValidators: NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']> =
  (externalSchemas, ajvOptions) => {
    const base = {
      ...((ajvOptions ?? {}) as { plugins?: [] }),
      onCreate: (ajv: { addKeyword: (d: (typeof schemaKeywords)[number]) => unknown; addFormat: (n: string, f: (typeof schemaFormats)['day']) => unknown }) => {
        for (const k of schemaKeywords) ajv.addKeyword(k);
        for (const [name, f] of Object.entries(schemaFormats)) ajv.addFormat(name, f);
      },
    };
    const body = ajvFactory(externalSchemas, { ...base, customOptions: { ...ajvCommon, coerceTypes: false } });
    const text = ajvFactory(externalSchemas, { ...base, customOptions: { ...ajvCommon, coerceTypes: 'array' } });
    // Every schema gets the shared text, integer and date rules (lib/schema.ts) before it is compiled.
    return (route) => {
      const hardened = { ...route, schema: withSchemaRules(route.schema) };
      return route.httpPart === 'body' ? body(hardened) : text(hardened);
    };
  };

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles the validators and serializers not used yet (each compiles on first use otherwise; lib/lazy-compile.ts). */
    compileSchemas(): Promise<void>;
  }
}

/** Builds the whole application: plugins and modules. It never listens; server.ts and the tests decide that. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const compilers = lazyCompilers(partValidators);
  // Pretty logs are formatted in this thread (a stream, not a pino transport): a transport starts a worker thread
  // from a file found by path, which a bundle does not have, and costs start-up time besides. Only a person at a
  // terminal gets them, so pino-pretty is loaded only then.
  const pretty = opts.prettyLogs ? (await import('pino-pretty')).default({ translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }) : undefined;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      ...(pretty ? { stream: pretty } : {}),
    },
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
    },
    schemaController: { compilersFactory: { buildValidator: compilers.buildValidator, buildSerializer: compilers.buildSerializer } },
    // A path that is not valid percent-encoding (`%C0%AF`) gets the same problem+json as every other bad request.
    frameworkErrors: (err, req, reply) => {
      const status = err.statusCode ?? 400;
      void sendProblem(req, reply, status >= 500 ? 400 : status, status === 404 ? 'not_found' : 'bad_request', status === 404 ? { what: 'resource' } : {});
    },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('compileSchemas', compilers.compileAll);
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });

  await app.register(errorsPlugin);
  await app.register(securityPlugin, { hsts: config.cookieSecure });
  await app.register(compressionPlugin);
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
    await api.register(examRoutes);
    await api.register(examResultRoutes);
    await api.register(attemptRoutes);
    await api.register(gradingRoutes);
    await api.register(contestRoutes);
    await api.register(speechRoutes);
    await api.register(contestResultRoutes);
  }, { prefix: '/api' });
  opts.mark?.('plugins');

  const every = opts.finaliseEveryMs ?? 30_000;
  if (every > 0) {
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        const n = await finaliseAllOverdue(opts.orm.em.fork(), app.clock.now());
        if (n) app.log.info({ finalised: n }, 'finalised overdue attempts');
        const closed = await closeDueTimedContests(opts.orm.em.fork(), app.clock.now());
        if (closed) app.log.info({ closed }, 'closed time-boxed contests whose period ended');
      } catch (err) {
        app.log.warn({ err }, 'finalising overdue attempts failed; the next run tries again');
      } finally {
        running = false;
      }
    };
    app.addHook('onReady', async () => { timer = setInterval(() => void tick(), every); timer.unref(); });
    app.addHook('onClose', async () => { if (timer) clearInterval(timer); });
  }

  if (opts.serveWeb) {
    await mountWeb(app, config.webBuildDir);
    opts.mark?.('web');
  }
  return app;
}
