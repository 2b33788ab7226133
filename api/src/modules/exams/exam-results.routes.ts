import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requestLang } from '../../lib/i18n.js';
import { Obj, Uuid, problemResponses } from '../../lib/schema.js';
import { exportExamResults, getExamResults, getItemAnalysis } from './exam-results.service.js';

const tags = ['exam results'];
const config = { permission: 'exams.results' } as const;
const ExamParams = Obj({ examId: Uuid });
const Num = Type.Union([Type.Number(), Type.Null()]);
const Outcome = Type.Union(['passed', 'failed', 'ungraded', 'in_progress', 'not_started', 'missed'].map((o) => Type.Literal(o)));

const ExamResultsSchema = Type.Object({
  exam: Type.Object({
    id: Uuid, title: Type.String(), kind: Type.String(), period: Type.String(), state: Type.String(), passMark: Type.Number(), gradingMethod: Type.String(),
  }),
  summary: Type.Object({
    people: Type.Integer(), participants: Type.Integer(), participation: Num, passed: Type.Integer(), passRate: Num, meanPercent: Num,
    ungraded: Type.Integer(),
  }),
  distribution: Type.Array(Type.Integer(), { description: 'People by percent in ten bands: 0-9, 10-19, ... 90-100' }),
  units: Type.Array(Type.Object({
    unitId: Uuid, unitName: Type.String(), people: Type.Integer(), participants: Type.Integer(), passed: Type.Integer(), meanPercent: Num,
  })),
  people: Type.Array(Type.Object({
    userId: Uuid, username: Type.String(), displayName: Type.String(), unitId: Uuid, unitName: Type.String(),
    attemptId: Type.Union([Uuid, Type.Null()], { description: 'the attempt that counts (for mean, the latest finished), else the one in progress' }),
    attempts: Type.Integer(),
    score: Num, maxScore: Num, percent: Num, outcome: Outcome, submittedAt: Type.Union([Type.String(), Type.Null()]),
  })),
});

const ItemAnalysisSchema = Type.Object({
  exam: Type.Object({ id: Uuid, title: Type.String() }),
  test: Type.Object({
    attempts: Type.Integer(), mean: Num, median: Num, sd: Num, cic: Num, errorRatio: Num, standardError: Num,
  }),
  questions: Type.Array(Type.Object({
    versionId: Uuid, questionId: Uuid, key: Type.String(), type: Type.String(), excerpt: Type.String(), attempts: Type.Integer(),
    meanScore: Type.Number(), maxScore: Type.Number(), facility: Num, sd: Num, discrimination: Num, efficiency: Num,
    responses: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), count: Type.Integer(), meanFraction: Num })),
    flags: Type.Array(Type.Union([Type.Literal('too_hard'), Type.Literal('too_easy'), Type.Literal('weak_discrimination')])),
  })),
});

const ExportQuery = Obj({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' })) });

export const examResultRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/exams/:examId/results', {
    config,
    schema: { operationId: 'getExamResults', tags, params: ExamParams, response: { 200: ExamResultsSchema, ...problemResponses } },
  }, async (req) => getExamResults(req.em, req.actor, req.params.examId, app.clock.now(), requestLang(req)));

  app.get('/exams/:examId/results/export', {
    config,
    schema: {
      operationId: 'exportExamResults', tags, params: ExamParams, querystring: ExportQuery,
      produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    },
  }, async (req, reply) => {
    const file = await exportExamResults(req.em, req.actor, req.params.examId, req.query.format ?? 'csv', app.clock.now(), requestLang(req));
    return reply.type(file.mime)
      .header('content-disposition', `attachment; filename="${file.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .send(file.data);
  });

  app.get('/exams/:examId/item-analysis', {
    config,
    schema: { operationId: 'getItemAnalysis', tags, params: ExamParams, response: { 200: ItemAnalysisSchema, ...problemResponses } },
  }, async (req) => getItemAnalysis(req.em, req.actor, req.params.examId, requestLang(req)));
};
