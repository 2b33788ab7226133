import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import {
  CalendarQuery, CalendarSchema, CreateExamBody, ExamDetail, ExamList, ExamParams, ListExamsQuery, MakeUpBody, OverrideParams, OverrideView,
  SetOverrideBody, UpdateExamBody,
} from './exams.schemas.js';
import { archiveExam, createExam, createMakeUpExam, getExam, getExamCalendar, listExams, publishExam, setExamOverride, updateExam } from './exams.service.js';

const tags = ['exams'];
const managers = { permission: 'exams.manage' } as const;

export const examRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/exams', {
    config: managers,
    schema: { operationId: 'createExam', tags, body: CreateExamBody, response: { 201: ExamDetail, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createExam(req.em, req.actor, req.body, app.clock.now(), requestLang(req))));

  app.get('/exams', {
    config: managers,
    schema: { operationId: 'listExams', tags, querystring: ListExamsQuery, response: { 200: ExamList, ...problemResponses } },
  }, async (req) => listExams(req.em, req.actor, req.query, app.clock.now(), requestLang(req)));

  app.get('/exams/calendar', {
    config: managers,
    schema: { operationId: 'getExamCalendar', tags, querystring: CalendarQuery, response: { 200: CalendarSchema, ...problemResponses } },
  }, async (req) => getExamCalendar(req.em, req.actor, req.query.year, app.clock.now(), requestLang(req)));

  app.get('/exams/:examId', {
    config: managers,
    schema: { operationId: 'getExam', tags, params: ExamParams, response: { 200: ExamDetail, ...problemResponses } },
  }, async (req) => getExam(req.em, req.actor, req.params.examId, app.clock.now(), requestLang(req)));

  app.patch('/exams/:examId', {
    config: managers,
    schema: { operationId: 'updateExam', tags, params: ExamParams, body: UpdateExamBody, response: { 200: ExamDetail, ...problemResponses } },
  }, async (req) => updateExam(req.em, req.actor, req.params.examId, req.body, app.clock.now(), requestLang(req)));

  app.post('/exams/:examId/publish', {
    config: managers,
    schema: { operationId: 'publishExam', tags, params: ExamParams, response: { 200: ExamDetail, ...problemResponses } },
  }, async (req) => publishExam(req.em, req.actor, req.params.examId, app.clock.now(), requestLang(req)));

  app.post('/exams/:examId/archive', {
    config: managers,
    schema: { operationId: 'archiveExam', tags, params: ExamParams, response: { 200: ExamDetail, ...problemResponses } },
  }, async (req) => archiveExam(req.em, req.actor, req.params.examId, app.clock.now(), requestLang(req)));

  app.post('/exams/:examId/make-up', {
    config: managers,
    schema: { operationId: 'createMakeUpExam', tags, params: ExamParams, body: MakeUpBody, response: { 201: ExamDetail, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createMakeUpExam(req.em, req.actor, req.params.examId, req.body, app.clock.now(), requestLang(req))));

  app.put('/exams/:examId/overrides/:userId', {
    config: managers,
    schema: { operationId: 'setExamOverride', tags, params: OverrideParams, body: SetOverrideBody, response: { 200: OverrideView, ...problemResponses } },
  }, async (req) => setExamOverride(req.em, req.actor, req.params.examId, req.params.userId, req.body, app.clock.now(), requestLang(req)));
};
