import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { base64Length, ROSTER_IMPORT_LIMITS } from '../../lib/import-limits.js';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import { importUsers, ROSTER_HEADER } from './roster-import.js';
import { CreateUserBody, ImportReportSchema, ImportUsersBody, ListUsersQuery, ResetPasswordBody, UpdateUserBody, UserParams, UserSchema } from './users.schemas.js';
import { createUser, getUserInScope, listUsers, resetUserPassword, toUserDto, updateUser } from './users.service.js';

const tags = ['users'];

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/users', {
    config: { permission: 'people.read' },
    schema: { operationId: 'listUsers', tags, querystring: ListUsersQuery, response: { 200: Type.Object({ items: Type.Array(UserSchema), total: Type.Integer() }), ...problemResponses } },
  }, async (req) => listUsers(req.em, req.actor, req.query));

  app.get('/users/:userId', {
    config: { permission: 'people.read' },
    schema: { operationId: 'getUser', tags, params: UserParams, response: { 200: UserSchema, ...problemResponses } },
  }, async (req) => {
    const { user, unitName } = await getUserInScope(req.em, req.actor, req.params.userId);
    return toUserDto(user, unitName);
  });

  app.post('/users', {
    config: { permission: 'people.admin' },
    schema: { operationId: 'createUser', tags, body: CreateUserBody, response: { 201: UserSchema, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createUser(req.em, req.actor, req.body)));

  app.patch('/users/:userId', {
    config: { permission: 'people.update' },
    schema: { operationId: 'updateUser', tags, params: UserParams, body: UpdateUserBody, response: { 200: UserSchema, ...problemResponses } },
  }, async (req) => updateUser(req.em, app.clock, req.actor, req.params.userId, req.body));

  app.post('/users/:userId/password-reset', {
    config: { permission: 'people.admin' },
    schema: { operationId: 'resetUserPassword', tags, params: UserParams, body: ResetPasswordBody, response: { 200: Type.Object({ temporaryPassword: Type.String() }), ...problemResponses } },
  }, async (req) => resetUserPassword(req.em, app.clock, req.actor, req.params.userId, req.body.password));

  app.post('/users/import', {
    config: { permission: 'people.admin' },
    bodyLimit: base64Length(ROSTER_IMPORT_LIMITS.maxFileBytes) + 64 * 1024,
    schema: { operationId: 'importUsers', tags, body: ImportUsersBody, response: { 200: ImportReportSchema, ...problemResponses } },
  }, async (req) => importUsers(req.em, req.actor, requestLang(req), req.body));

  app.get('/users/import/template.csv', {
    config: { permission: 'people.admin' },
    schema: { operationId: 'getRosterTemplate', tags, produces: ['text/csv'] },
  }, async (_req, reply) => {
    const example = [ROSTER_HEADER, '20001,张伟,account_manager,河西市烟草公司/安宁县营销部/城区片区,staff', '20002,李娜,marketing_manager,河西市烟草公司/安宁县营销部,staff'];
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="roster-template.csv"')
      .send('\uFEFF' + example.join('\r\n') + '\r\n');
  });
};
