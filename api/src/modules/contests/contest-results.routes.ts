import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import { ContestExportQuery, ContestResultsParams, ContestResultsSchema } from './contest-results.schemas.js';
import { exportContestResults, getContestResults } from './contest-results.service.js';

const tags = ['contest results'];
const config = { permission: 'contests.host' } as const;

export const contestResultRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/contests/:contestId/results', {
    config,
    schema: { operationId: 'getContestResults', tags, params: ContestResultsParams, response: { 200: ContestResultsSchema, ...problemResponses } },
  }, async (req) => getContestResults(req.em, req.actor, req.params.contestId, requestLang(req)));

  app.get('/contests/:contestId/results/export', {
    config,
    schema: {
      operationId: 'exportContestResults', tags, params: ContestResultsParams, querystring: ContestExportQuery,
      produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    },
  }, async (req, reply) => {
    const file = await exportContestResults(req.em, req.actor, req.params.contestId, req.query.format ?? 'csv', requestLang(req));
    return reply.type(file.mime)
      .header('content-disposition', `attachment; filename="${file.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .send(file.data);
  });
};
