import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import {
  GradeBody, GradeResult, GradingParams, GradingQueue, GradingQueueQuery, RegradeBody, RegradeList, RegradeResult, SlotParams,
} from './grading.schemas.js';
import { gradeAnswer, listGradingQueue, listRegrades, regradeExam } from './grading.service.js';

const tags = ['exam grading'];
const config = { permission: 'exams.grade' } as const;

export const gradingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/exams/:examId/grading', {
    config,
    schema: { operationId: 'listGradingQueue', tags, params: GradingParams, querystring: GradingQueueQuery, response: { 200: GradingQueue, ...problemResponses } },
  }, async (req) => listGradingQueue(req.em, req.actor, req.params.examId, req.query, requestLang(req)));

  app.put('/attempts/:attemptId/questions/:slot/grade', {
    config,
    schema: { operationId: 'gradeAnswer', tags, params: SlotParams, body: GradeBody, response: { 200: GradeResult, ...problemResponses } },
  }, async (req) => gradeAnswer(req.em, req.actor, req.params.attemptId, req.params.slot, req.body, app.clock.now(), requestLang(req)));

  app.post('/exams/:examId/regrade', {
    config,
    schema: { operationId: 'regradeExam', tags, params: GradingParams, body: RegradeBody, response: { 200: RegradeResult, ...problemResponses } },
  }, async (req) => regradeExam(req.em, req.actor, req.params.examId, req.body, app.clock.now(), requestLang(req)));

  app.get('/exams/:examId/regrades', {
    config,
    schema: { operationId: 'listRegrades', tags, params: GradingParams, response: { 200: RegradeList, ...problemResponses } },
  }, async (req) => listRegrades(req.em, req.actor, req.params.examId));
};
