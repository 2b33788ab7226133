import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import { throttled } from '../../lib/errors.js';
import {
  AttemptParams, AttemptView, EventsBody, EventsResult, ExamIdParams, IntegrityLog, MyExamList, ReviewView, SaveAnswersBody, SaveResult, SubmitBody,
  SubmitResult,
} from './attempts.schemas.js';
import {
  getAttempt, getAttemptIntegrityLog, getAttemptReview, listMyExams, recordAttemptEvents, saveAnswers, startAttempt, submitAttempt,
} from './attempts.service.js';

const tags = ['attempts'];

/**
 * Admission control for the synchronised start of a monthly exam: at most this many starts run at once in one
 * process; the others are told to come back shortly (429 with Retry-After, which the exam screen honours) instead of
 * queueing on the database pool until everyone times out. Resuming an attempt goes through the same door.
 */
export const MAX_STARTS_IN_FLIGHT = Number(process.env.EXAM_MAX_STARTS_IN_FLIGHT ?? 16);
let startsInFlight = 0;
const takers = { permission: 'exams.take' } as const;

export const attemptRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/me/exams', {
    config: takers,
    schema: { operationId: 'listMyExams', tags, response: { 200: MyExamList, ...problemResponses } },
  }, async (req) => listMyExams(req.em, req.actor, app.clock.now(), requestLang(req)));

  app.post('/exams/:examId/attempts', {
    config: takers,
    schema: { operationId: 'startAttempt', tags, params: ExamIdParams, response: { 200: AttemptView, 201: AttemptView, ...problemResponses } },
  }, async (req, reply) => {
    if (startsInFlight >= MAX_STARTS_IN_FLIGHT) throw throttled(1 + Math.floor(Math.random() * 3));
    startsInFlight++;
    try {
      const { created, view } = await startAttempt(req.em, req.actor, req.params.examId, app.clock.now(), requestLang(req));
      return reply.code(created ? 201 : 200).send(view);
    } finally {
      startsInFlight--;
    }
  });

  app.get('/attempts/:attemptId', {
    config: takers,
    schema: { operationId: 'getAttempt', tags, params: AttemptParams, response: { 200: AttemptView, ...problemResponses } },
  }, async (req) => getAttempt(req.em, req.actor, req.params.attemptId, app.clock.now(), requestLang(req)));

  app.put('/attempts/:attemptId/answers', {
    config: takers,
    schema: { operationId: 'saveAnswers', tags, params: AttemptParams, body: SaveAnswersBody, response: { 200: SaveResult, ...problemResponses } },
  }, async (req) => saveAnswers(req.em, req.actor, req.params.attemptId, req.body, app.clock.now(), requestLang(req)));

  app.post('/attempts/:attemptId/submit', {
    config: takers,
    schema: { operationId: 'submitAttempt', tags, params: AttemptParams, body: SubmitBody, response: { 200: SubmitResult, ...problemResponses } },
  }, async (req) => submitAttempt(req.em, req.actor, req.params.attemptId, req.body, app.clock.now(), requestLang(req)));

  app.get('/attempts/:attemptId/review', {
    config: takers,
    schema: { operationId: 'getAttemptReview', tags, params: AttemptParams, response: { 200: ReviewView, ...problemResponses } },
  }, async (req) => getAttemptReview(req.em, req.actor, req.params.attemptId, app.clock.now(), requestLang(req)));

  app.post('/attempts/:attemptId/events', {
    config: takers,
    schema: { operationId: 'recordAttemptEvents', tags, params: AttemptParams, body: EventsBody, response: { 200: EventsResult, ...problemResponses } },
  }, async (req) => recordAttemptEvents(req.em, req.actor, req.params.attemptId, req.body, app.clock.now()));

  app.get('/attempts/:attemptId/integrity', {
    config: { permission: 'exams.results' },
    schema: { operationId: 'getAttemptIntegrityLog', tags, params: AttemptParams, response: { 200: IntegrityLog, ...problemResponses } },
  }, async (req) => getAttemptIntegrityLog(req.em, req.actor, req.params.attemptId));
};
