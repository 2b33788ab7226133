import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import {
  AdvanceBody, AnswerAck, AnswerBody, ContestDetail, ContestList, ContestParams, ContestState, CreateContestBody, JoinBody, Leaderboard,
  ListContestsQuery, RunView,
} from './contests.schemas.js';
import { answerContestRun, getContestRun, startContestRun } from './contest-runs.js';
import {
  advanceContest, contestState, createContest, getContest, getContestLeaderboard, isHost, joinContest, listContests, startContest,
  submitContestAnswer, viewableContest,
} from './contests.service.js';
import { ContestHub } from './contest-events.js';

const tags = ['contests'];
const hosts = { permission: 'contests.host' } as const;
const players = { permission: 'contests.play' } as const;

/** How often an idle event stream sends a comment, so proxies and phones keep the connection open. */
const KEEPALIVE_MS = 15000;

export const contestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = new ContestHub(app.orm, app.clock, app.log);
  /** Open streams, ended when the app closes (a stream never ends by itself). */
  const streams = new Set<() => void>();
  app.addHook('onReady', async () => { await hub.start(); });
  app.addHook('onClose', async () => {
    for (const end of [...streams]) end();
    await hub.close();
  });

  app.post('/contests', {
    config: hosts,
    schema: { operationId: 'createContest', tags, body: CreateContestBody, response: { 201: ContestDetail, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createContest(req.em, req.actor, req.body, app.clock.now(), requestLang(req))));

  app.get('/contests', {
    config: hosts,
    schema: { operationId: 'listContests', tags, querystring: ListContestsQuery, response: { 200: ContestList, ...problemResponses } },
  }, async (req) => listContests(req.em, req.actor, req.query, requestLang(req)));

  app.get('/contests/:contestId', {
    config: hosts,
    schema: { operationId: 'getContest', tags, params: ContestParams, response: { 200: ContestDetail, ...problemResponses } },
  }, async (req) => getContest(req.em, req.actor, req.params.contestId, requestLang(req)));

  app.post('/contests/:contestId/start', {
    config: hosts,
    schema: { operationId: 'startContest', tags, params: ContestParams, response: { 200: ContestState, ...problemResponses } },
  }, async (req) => startContest(req.em, req.actor, req.params.contestId, app.clock.now(), requestLang(req)));

  app.post('/contests/:contestId/advance', {
    config: hosts,
    schema: { operationId: 'advanceContest', tags, params: ContestParams, body: AdvanceBody, response: { 200: ContestState, ...problemResponses } },
  }, async (req) => advanceContest(req.em, req.actor, req.params.contestId, req.body, app.clock.now(), requestLang(req)));

  app.post('/contests/join', {
    config: players,
    schema: { operationId: 'joinContest', tags, body: JoinBody, response: { 200: ContestState, ...problemResponses } },
  }, async (req) => joinContest(req.em, req.actor, req.body, app.clock.now(), requestLang(req)));

  app.post('/contests/:contestId/answers', {
    config: players,
    schema: { operationId: 'submitContestAnswer', tags, params: ContestParams, body: AnswerBody, response: { 200: AnswerAck, ...problemResponses } },
  }, async (req) => submitContestAnswer(req.em, req.actor, req.params.contestId, req.body, app.clock.now(), requestLang(req)));

  app.get('/contests/:contestId/state', {
    config: players,
    schema: { operationId: 'getContestState', tags, params: ContestParams, response: { 200: ContestState, ...problemResponses } },
  }, async (req) => contestState(req.em, req.actor, req.params.contestId, app.clock.now(), requestLang(req)));

  app.get('/contests/:contestId/leaderboard', {
    config: players,
    schema: { operationId: 'getContestLeaderboard', tags, params: ContestParams, response: { 200: Leaderboard, ...problemResponses } },
  }, async (req) => getContestLeaderboard(req.em, req.actor, req.params.contestId, app.clock.now()));

  app.post('/contests/:contestId/run', {
    config: players,
    schema: { operationId: 'startContestRun', tags, params: ContestParams, response: { 200: RunView, ...problemResponses } },
  }, async (req) => startContestRun(req.em, req.actor, req.params.contestId, app.clock.now(), requestLang(req)));

  app.get('/contests/:contestId/run', {
    config: players,
    schema: { operationId: 'getContestRun', tags, params: ContestParams, response: { 200: RunView, ...problemResponses } },
  }, async (req) => getContestRun(req.em, req.actor, req.params.contestId, app.clock.now(), requestLang(req)));

  app.post('/contests/:contestId/run/answers', {
    config: players,
    schema: { operationId: 'answerContestRun', tags, params: ContestParams, body: AnswerBody, response: { 200: RunView, ...problemResponses } },
  }, async (req) => answerContestRun(req.em, req.actor, req.params.contestId, req.body, app.clock.now(), requestLang(req)));

  // The live stream of a contest's state (Server-Sent Events): each message is the same ContestState that
  // getContestState answers, for this viewer. Not in the OpenAPI document (a stream that never ends cannot be walked
  // by the access matrix); tests/integration/contests-live.test.ts checks its guard for every role.
  app.get('/contests/:contestId/events', {
    config: players,
    schema: { hide: true, params: ContestParams },
  }, async (req, reply) => {
    const { contestId } = req.params;
    await viewableContest(req.em, req.actor, contestId);
    const host = await isHost(req.em, req.actor, contestId);
    const lang = requestLang(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const stop = hub.subscribe(contestId, { id: req.actor.id, host, lang }, (data) => { res.write(`event: state\ndata: ${data}\n\n`); });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
    keepAlive.unref();
    const end = () => {
      if (!streams.delete(end)) return;
      clearInterval(keepAlive);
      stop();
      res.end();
    };
    streams.add(end);
    req.raw.on('close', end);
    res.on('error', end);
  });
};
