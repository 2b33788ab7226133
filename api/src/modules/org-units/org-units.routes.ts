import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { problemResponses } from '../../lib/schema.js';
import { createOrgUnit, listOrgUnits, updateOrgUnit } from './org-units.service.js';
import { CreateOrgUnitBody, ListOrgUnitsQuery, OrgUnitParams, OrgUnitSchema, UpdateOrgUnitBody } from './org-units.schemas.js';

const tags = ['org-units'];

export const orgUnitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/org-units', {
    config: { permission: 'people.read' },
    schema: { operationId: 'listOrgUnits', tags, querystring: ListOrgUnitsQuery, response: { 200: Type.Object({ items: Type.Array(OrgUnitSchema) }), ...problemResponses } },
  }, async (req) => ({ items: await listOrgUnits(req.em, req.actor, req.query) }));

  app.post('/org-units', {
    config: { permission: 'org_units.manage' },
    schema: { operationId: 'createOrgUnit', tags, body: CreateOrgUnitBody, response: { 201: OrgUnitSchema, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createOrgUnit(req.em, req.actor, req.body)));

  app.patch('/org-units/:orgUnitId', {
    config: { permission: 'org_units.manage' },
    schema: { operationId: 'updateOrgUnit', tags, params: OrgUnitParams, body: UpdateOrgUnitBody, response: { 200: OrgUnitSchema, ...problemResponses } },
  }, async (req) => updateOrgUnit(req.em, req.actor, req.params.orgUnitId, req.body, app.clock.now()));
};
