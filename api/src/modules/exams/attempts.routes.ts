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
const takers = { permission: 'exams.take' } as const;

/**
 * Admission control for the synchronised start of a monthly exam. At most `MAX_STARTS_RUNNING` starts run at once in
 * one process; the next ones wait their turn in order (a waiting request costs nothing), up to `MAX_STARTS_WAITING`
 * of them for at most `MAX_START_WAIT_MS`. Only beyond that is a start told to come back (429 with Retry-After, which
 * the exam screen honours), so thousands pressing "start" in the same minute neither queue on the database pool
 * until everyone times out nor spin in a storm of retries.
 */
const MAX_STARTS_RUNNING = Number(process.env.EXAM_MAX_STARTS_RUNNING ?? 8);
const MAX_STARTS_WAITING = Number(process.env.EXAM_MAX_STARTS_WAITING ?? 5000);
const MAX_START_WAIT_MS = 20_000;
let startsRunning = 0;
const startQueue: (() => void)[] = [];

function admitStart(): Promise<boolean> {
  if (startsRunning < MAX_STARTS_RUNNING) {
    startsRunning++;
    return Promise.resolve(true);
  }
  if (startQueue.length >= MAX_STARTS_WAITING) return Promise.resolve(false);
  return new Promise((resolve) => {
    const turn = () => { clearTimeout(timer); resolve(true); };
    const timer = setTimeout(() => {
      const i = startQueue.indexOf(turn);
      if (i >= 0) startQueue.splice(i, 1);
      resolve(false);
    }, MAX_START_WAIT_MS);
    startQueue.push(turn);
  });
}

/** Hands the finished start's place to the next in line (the count of running starts stays), or frees it. */
function releaseStart() {
  const next = startQueue.shift();
  if (next) next();
  else startsRunning--;
}

export const attemptRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/me/exams', {
    config: takers,
    schema: { operationId: 'listMyExams', tags, response: { 200: MyExamList, ...problemResponses } },
  }, async (req) => listMyExams(req.em, req.actor, app.clock.now(), requestLang(req)));

  app.post('/exams/:examId/attempts', {
    config: takers,
    schema: { operationId: 'startAttempt', tags, params: ExamIdParams, response: { 200: AttemptView, 201: AttemptView, ...problemResponses } },
  }, async (req, reply) => {
    if (!(await admitStart())) throw throttled(5 + Math.floor(Math.random() * 10));
    try {
      const { created, view } = await startAttempt(req.em, req.actor, req.params.examId, app.clock.now(), requestLang(req));
      return reply.code(created ? 201 : 200).send(view);
    } finally {
      releaseStart();
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
