import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import { HeartbeatResultSchema } from '../courses/courses.schemas.js';
import { AttendanceBody, CorrectSessionBody, HeartbeatBody, HistorySchema, SessionParams, WithdrawBody, HeartbeatParams, ListSessionsQuery, LogSessionBody, MonthlyQuery, MonthlyTotalSchema, ReviewBody, SessionSchema } from './study.schemas.js';
import { correctStudySession, listStudySessions, logStudySession, monthlyStudyReport, recordAttendance, recordStudyProgress, reviewStudySession, studySessionHistory, withdrawStudySession } from './study.service.js';

const tags = ['study'];
const reviewers = { permission: 'study.review' } as const;
const learners = { permission: 'learning.study' } as const;
const correctors = { permission: 'study.correct' } as const;

export const studyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The reader's heartbeat: reading time and progress in one module.
  app.post('/modules/:moduleId/progress', {
    config: learners,
    schema: { operationId: 'recordStudyProgress', tags, params: HeartbeatParams, body: HeartbeatBody, response: { 200: HeartbeatResultSchema, ...problemResponses } },
  }, async (req) => recordStudyProgress(req.em, req.actor, req.params.moduleId, req.body, app.clock.now(), requestLang(req)));

  app.post('/study-sessions', {
    config: learners,
    schema: { operationId: 'logStudySession', tags, body: LogSessionBody, response: { 201: SessionSchema, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await logStudySession(req.em, req.actor, req.body, app.clock.now())));

  app.get('/study-sessions', {
    config: learners,
    schema: { operationId: 'listStudySessions', tags, querystring: ListSessionsQuery, response: { 200: Type.Object({ items: Type.Array(SessionSchema), total: Type.Integer() }), ...problemResponses } },
  }, async (req) => listStudySessions(req.em, req.actor, req.query, requestLang(req)));

  app.post('/study-sessions/attendance', {
    config: reviewers,
    schema: { operationId: 'recordAttendance', tags, body: AttendanceBody, response: { 201: Type.Object({ created: Type.Integer() }), ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await recordAttendance(req.em, req.actor, req.body, app.clock.now())));

  app.post('/study-sessions/:sessionId/review', {
    config: reviewers,
    schema: { operationId: 'reviewStudySession', tags, params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }), body: ReviewBody, response: { 200: SessionSchema, ...problemResponses } },
  }, async (req) => reviewStudySession(req.em, req.actor, req.params.sessionId, req.body, app.clock.now()));

  app.patch('/study-sessions/:sessionId', {
    config: correctors,
    schema: { operationId: 'correctStudySession', tags, params: SessionParams, body: CorrectSessionBody, response: { 200: SessionSchema, ...problemResponses } },
  }, async (req) => correctStudySession(req.em, req.actor, req.params.sessionId, req.body, app.clock.now(), requestLang(req)));

  app.post('/study-sessions/:sessionId/withdraw', {
    config: correctors,
    schema: { operationId: 'withdrawStudySession', tags, params: SessionParams, body: WithdrawBody, response: { 200: SessionSchema, ...problemResponses } },
  }, async (req) => withdrawStudySession(req.em, req.actor, req.params.sessionId, req.body, app.clock.now(), requestLang(req)));

  app.get('/study-sessions/:sessionId/history', {
    config: correctors,
    schema: { operationId: 'getStudySessionHistory', tags, params: SessionParams, response: { 200: HistorySchema, ...problemResponses } },
  }, async (req) => ({ items: await studySessionHistory(req.em, req.actor, req.params.sessionId) }));

  app.get('/study/monthly', {
    config: reviewers,
    schema: { operationId: 'getMonthlyStudyTotals', tags, querystring: MonthlyQuery, response: { 200: Type.Object({ items: Type.Array(MonthlyTotalSchema), total: Type.Integer() }), ...problemResponses } },
  }, async (req) => monthlyStudyReport(req.em, req.actor, req.query));
};
