import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendProblem } from '../../plugins/errors.js';
import { pingDatabase } from '../../db/ping.js';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    config: { auth: 'public' },
    schema: {
      operationId: 'getHealth', tags: ['health'],
      response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('up'), time: Type.String() }) },
    },
  }, async (req, reply) => {
    try {
      await pingDatabase(req.em);
    } catch (err) {
      req.log.warn({ err }, 'health check: database unreachable');
      return sendProblem(req, reply, 503, 'unavailable');
    }
    return { status: 'ok' as const, database: 'up' as const, time: app.clock.now().toISOString() };
  });
};
