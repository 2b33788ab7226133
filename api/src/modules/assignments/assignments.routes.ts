import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requestLang } from '../../lib/i18n.js';
import { Day, Obj, Uuid, problemResponses } from '../../lib/schema.js';
import { CompletionSchema } from '../courses/courses.schemas.js';
import { assignmentCompletion, assignmentSummary, assignmentHistory, correctAssignment, createAssignment, getMyLearning, listAssignments, withdrawAssignment } from './assignments.service.js';
import { HistorySchema, Reason, WithdrawBody } from '../study/study.schemas.js';

const tags = ['assignments'];
const assigners = { permission: 'assignments.manage' } as const;
const correctors = { permission: 'assignments.correct' } as const;
const Positions = Type.Array(Type.Union([Type.Literal('account_manager'), Type.Literal('marketing_manager')]), { maxItems: 5 });

const CreateAssignmentBody = Obj({
  targetType: Type.Union([Type.Literal('module'), Type.Literal('track')]),
  targetId: Type.String({ minLength: 1, maxLength: 64 }),
  positions: Type.Optional(Positions),
  orgUnitIds: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
  userIds: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
  dueOn: Type.Optional(Type.Union([Day(), Type.Null()])),
  note: Type.Optional(Type.String({ maxLength: 1000 })),
  /** The person saw that the same assignment exists and chose to make it again. */
  confirmDuplicate: Type.Optional(Type.Boolean()),
});
const CorrectAssignmentBody = Obj({
  reason: Reason,
  positions: Type.Optional(Positions),
  orgUnitIds: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
  userIds: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
  dueOn: Type.Optional(Type.Union([Day(), Type.Null()])),
  note: Type.Optional(Type.String({ maxLength: 1000 })),
  confirmDuplicate: Type.Optional(Type.Boolean()),
});
const AssignmentParams = Obj({ assignmentId: Uuid });
const AssignmentSchema = Type.Object({
  id: Uuid, targetType: Type.String(), targetId: Type.String(), title: Type.String(), positions: Type.Array(Type.String()),
  orgUnitIds: Type.Array(Type.String()), userIds: Type.Array(Type.String()), dueOn: Type.Union([Type.String(), Type.Null()]), note: Type.String(),
  createdBy: Type.String(), createdAt: Type.String(), people: Type.Integer(),
  /** The viewer may change or withdraw it (made within their scope). */
  editable: Type.Boolean(),
});
const LearningItem = Type.Object({
  id: Uuid, slug: Type.String(), title: Type.String(), trackId: Type.String(), minutes: Type.Integer(), dueOn: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]), secondsSpent: Type.Integer(), completion: CompletionSchema,
});

export const assignmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/assignments', {
    config: assigners,
    schema: { operationId: 'createAssignment', tags, body: CreateAssignmentBody, response: { 201: AssignmentSchema, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createAssignment(req.em, req.actor, req.body, app.clock.now(), requestLang(req))));

  app.patch('/assignments/:assignmentId', {
    config: correctors,
    schema: { operationId: 'correctAssignment', tags, params: AssignmentParams, body: CorrectAssignmentBody, response: { 200: AssignmentSchema, ...problemResponses } },
  }, async (req) => correctAssignment(req.em, req.actor, req.params.assignmentId, req.body, app.clock.now(), requestLang(req)));

  app.post('/assignments/:assignmentId/withdraw', {
    config: correctors,
    schema: { operationId: 'withdrawAssignment', tags, params: AssignmentParams, body: WithdrawBody, response: { 200: Type.Object({ id: Uuid, withdrawn: Type.Boolean() }), ...problemResponses } },
  }, async (req) => withdrawAssignment(req.em, req.actor, req.params.assignmentId, req.body, app.clock.now()));

  app.get('/assignments/:assignmentId/history', {
    config: correctors,
    schema: { operationId: 'getAssignmentHistory', tags, params: AssignmentParams, response: { 200: HistorySchema, ...problemResponses } },
  }, async (req) => ({ items: await assignmentHistory(req.em, req.actor, req.params.assignmentId) }));

  app.get('/assignments', {
    config: assigners,
    schema: { operationId: 'listAssignments', tags, response: { 200: Type.Object({ items: Type.Array(AssignmentSchema) }), ...problemResponses } },
  }, async (req) => ({ items: await listAssignments(req.em, req.actor, requestLang(req)) }));

  app.get('/assignments/summary', {
    config: assigners,
    schema: {
      operationId: 'getAssignmentSummary', tags,
      response: {
        200: Type.Object({
          people: Type.Integer(), peopleDone: Type.Integer(), peopleOverdue: Type.Integer(),
          modules: Type.Integer(), modulesDone: Type.Integer(), modulesOverdue: Type.Integer(),
        }),
        ...problemResponses,
      },
    },
  }, async (req) => assignmentSummary(req.em, req.actor, app.clock.now()));

  app.get('/assignments/:assignmentId/completion', {
    config: assigners,
    schema: {
      operationId: 'getAssignmentCompletion', tags, params: Obj({ assignmentId: Uuid }),
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ userId: Uuid, username: Type.String(), displayName: Type.String(), orgUnitName: Type.String(), modulesTotal: Type.Integer(), modulesDone: Type.Integer(), minutes: Type.Integer(), complete: Type.Boolean() })) }), ...problemResponses },
    },
  }, async (req) => ({ items: await assignmentCompletion(req.em, req.actor, req.params.assignmentId) }));

  app.get('/me/learning', {
    config: { permission: 'learning.study' },
    schema: {
      operationId: 'getMyLearning', tags,
      response: {
        200: Type.Object({
          overdue: Type.Array(LearningItem), dueSoon: Type.Array(LearningItem), assigned: Type.Array(LearningItem), done: Type.Array(LearningItem),
          continueReading: Type.Array(LearningItem), totals: Type.Object({ assigned: Type.Integer(), done: Type.Integer(), minutes: Type.Integer() }),
        }),
        ...problemResponses,
      },
    },
  }, async (req) => getMyLearning(req.em, req.actor, requestLang(req), app.clock.now()));
};
