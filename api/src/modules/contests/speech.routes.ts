import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import {
  CreateSpeechContestBody, JudgeScoreBody, MySpeechResult, SpeakerParams, SpeechContestList, SpeechContestParams, SpeechContestView,
} from './speech.schemas.js';
import {
  closeSpeakerScoring, createSpeechContest, getMySpeechResult, getSpeechContest, listSpeechContests, publishSpeechResults, submitJudgeScore,
} from './speech.service.js';

const tags = ['contests'];
const hosts = { permission: 'contests.host' } as const;
const players = { permission: 'contests.play' } as const;

export const speechRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/speech-contests', {
    config: hosts,
    schema: { operationId: 'createSpeechContest', tags, body: CreateSpeechContestBody, response: { 201: SpeechContestView, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createSpeechContest(req.em, req.actor, req.body, app.clock.now(), requestLang(req))));

  app.get('/speech-contests', {
    config: players,
    schema: { operationId: 'listSpeechContests', tags, response: { 200: SpeechContestList, ...problemResponses } },
  }, async (req) => listSpeechContests(req.em, req.actor, requestLang(req)));

  app.get('/speech-contests/:contestId', {
    config: players,
    schema: { operationId: 'getSpeechContest', tags, params: SpeechContestParams, response: { 200: SpeechContestView, ...problemResponses } },
  }, async (req) => getSpeechContest(req.em, req.actor, req.params.contestId, requestLang(req)));

  app.put('/speech-contests/:contestId/speakers/:speakerId/score', {
    config: players,
    schema: { operationId: 'submitJudgeScore', tags, params: SpeakerParams, body: JudgeScoreBody, response: { 200: SpeechContestView, ...problemResponses } },
  }, async (req) => submitJudgeScore(req.em, req.actor, req.params.contestId, req.params.speakerId, req.body, app.clock.now(), requestLang(req)));

  app.post('/speech-contests/:contestId/speakers/:speakerId/close', {
    config: hosts,
    schema: { operationId: 'closeSpeakerScoring', tags, params: SpeakerParams, response: { 200: SpeechContestView, ...problemResponses } },
  }, async (req) => closeSpeakerScoring(req.em, req.actor, req.params.contestId, req.params.speakerId, app.clock.now(), requestLang(req)));

  app.post('/speech-contests/:contestId/publish', {
    config: hosts,
    schema: { operationId: 'publishSpeechResults', tags, params: SpeechContestParams, response: { 200: SpeechContestView, ...problemResponses } },
  }, async (req) => publishSpeechResults(req.em, req.actor, req.params.contestId, app.clock.now(), requestLang(req)));

  app.get('/speech-contests/:contestId/my-result', {
    config: players,
    schema: { operationId: 'getMySpeechResult', tags, params: SpeechContestParams, response: { 200: MySpeechResult, ...problemResponses } },
  }, async (req) => getMySpeechResult(req.em, req.actor, req.params.contestId, requestLang(req)));
};
