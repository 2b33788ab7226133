import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { invalidField } from '../../lib/errors.js';
import { requestLang } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import {
  compareRevisions, createModule, discardDraft, getModule, getModuleSource, listModuleRevisions, listModules, listTracks,
  previewMarkdown, publishModule, restoreRevision, setModuleArchived, updateModule,
} from './courses.service.js';
import { exportModule, getAsset, listAssets, MAX_IMAGE_BYTES, resolveConflict, uploadAsset } from './module-files.js';
import {
  ArchiveBody, AssetParams, CompareQuery, ConflictBody, CreateModuleBody, GetModuleQuery, ListModulesQuery, ModuleListItemSchema,
  ModuleParams, ModuleSchema, ModuleSourceSchema, ModuleUuidParams, PreviewBody, RevisionParams, RevisionSchema, TrackSchema, UpdateModuleBody,
} from './courses.schemas.js';

const tags = ['courses'];

export const courseRoutes: FastifyPluginAsyncTypebox<{ contentDir: string }> = async (app, opts) => {
  // Only image uploads take multipart bodies; registered here, its hooks stay off every other route.
  await app.register(multipart, { limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 10 } });
  app.get('/tracks', {
    config: { permission: 'learning.study' },
    schema: { operationId: 'listTracks', tags, response: { 200: Type.Object({ items: Type.Array(TrackSchema) }), ...problemResponses } },
  }, async (req) => ({ items: await listTracks(req.em, req.actor, requestLang(req)) }));

  app.get('/modules', {
    config: { permission: 'learning.study' },
    schema: { operationId: 'listModules', tags, querystring: ListModulesQuery, response: { 200: Type.Object({ items: Type.Array(ModuleListItemSchema) }), ...problemResponses } },
  }, async (req) => ({ items: await listModules(req.em, req.actor, requestLang(req), req.query) }));

  app.get('/modules/:moduleId', {
    config: { permission: 'learning.study' },
    schema: { operationId: 'getModule', tags, params: ModuleParams, querystring: GetModuleQuery, response: { 200: ModuleSchema, ...problemResponses } },
  }, async (req) => getModule(req.em, req.actor, requestLang(req), req.params.moduleId, req.query));

  // ----- authoring (trainers and admins) -----
  const author = { permission: 'modules.author' } as const;

  app.post('/modules', {
    config: author,
    schema: { operationId: 'createModule', tags, body: CreateModuleBody, response: { 201: ModuleSourceSchema, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createModule(req.em, req.actor, req.body)));

  app.get('/modules/:moduleId/source', {
    config: author,
    schema: { operationId: 'getModuleSource', tags, params: ModuleUuidParams, response: { 200: ModuleSourceSchema, ...problemResponses } },
  }, async (req) => getModuleSource(req.em, req.actor, req.params.moduleId));

  app.patch('/modules/:moduleId', {
    config: author,
    schema: { operationId: 'updateModule', tags, params: ModuleUuidParams, body: UpdateModuleBody, response: { 200: ModuleSourceSchema, ...problemResponses } },
  }, async (req) => updateModule(req.em, req.actor, req.params.moduleId, req.body));

  app.post('/modules/:moduleId/publish', {
    config: author,
    schema: { operationId: 'publishModule', tags, params: ModuleUuidParams, response: { 200: ModuleSourceSchema, ...problemResponses } },
  }, async (req) => publishModule(req.em, req.actor, req.params.moduleId, app.clock.now()));

  app.delete('/modules/:moduleId/draft', {
    config: author,
    schema: { operationId: 'discardModuleDraft', tags, params: ModuleUuidParams, response: { 200: ModuleSourceSchema, ...problemResponses } },
  }, async (req) => discardDraft(req.em, req.actor, req.params.moduleId));

  app.put('/modules/:moduleId/archived', {
    config: author,
    schema: { operationId: 'setModuleArchived', tags, params: ModuleUuidParams, body: ArchiveBody, response: { 200: ModuleSourceSchema, ...problemResponses } },
  }, async (req) => setModuleArchived(req.em, req.actor, req.params.moduleId, req.body.archived, app.clock.now()));

  app.get('/modules/:moduleId/revisions', {
    config: author,
    schema: { operationId: 'listModuleRevisions', tags, params: ModuleUuidParams, response: { 200: Type.Object({ items: Type.Array(RevisionSchema) }), ...problemResponses } },
  }, async (req) => ({ items: await listModuleRevisions(req.em, req.actor, req.params.moduleId) }));

  app.get('/modules/:moduleId/revisions/compare', {
    config: author,
    schema: {
      operationId: 'compareModuleRevisions', tags, params: ModuleUuidParams, querystring: CompareQuery,
      response: { 200: Type.Object({ from: Type.Integer(), to: Type.Integer(), lang: Type.String(), changes: Type.Array(Type.Object({ op: Type.String(), text: Type.String() })) }), ...problemResponses },
    },
  }, async (req) => compareRevisions(req.em, req.actor, req.params.moduleId, req.query.from, req.query.to, req.query.lang));

  app.post('/modules/:moduleId/revisions/:number/restore', {
    config: author,
    schema: { operationId: 'restoreModuleRevision', tags, params: RevisionParams, response: { 200: ModuleSourceSchema, ...problemResponses } },
  }, async (req) => restoreRevision(req.em, req.actor, req.params.moduleId, req.params.number, app.clock.now()));

  app.post('/modules/:moduleId/conflict', {
    config: author,
    schema: { operationId: 'resolveModuleConflict', tags, params: ModuleUuidParams, body: ConflictBody, response: { 200: ModuleSourceSchema, ...problemResponses } },
  }, async (req) => {
    await resolveConflict(req.em, req.actor, req.params.moduleId, req.body.resolution, opts.contentDir, app.clock.now());
    return getModuleSource(req.em, req.actor, req.params.moduleId);
  });

  app.get('/modules/:moduleId/export', {
    config: author,
    schema: { operationId: 'exportModule', tags, params: ModuleUuidParams, produces: ['application/zip'] },
  }, async (req, reply) => {
    const file = await exportModule(req.em, req.actor, req.params.moduleId);
    return reply.type('application/zip').header('content-disposition', `attachment; filename="${file.filename}"`).send(file.data);
  });

  app.get('/modules/:moduleId/assets', {
    config: author,
    schema: { operationId: 'listModuleAssets', tags, params: ModuleUuidParams, response: { 200: Type.Object({ items: Type.Array(Type.Object({ filename: Type.String(), mime: Type.String(), size: Type.Integer(), url: Type.String() })) }), ...problemResponses } },
  }, async (req) => ({ items: await listAssets(req.em, req.actor, req.params.moduleId) }));

  app.post('/modules/:moduleId/assets', {
    config: author,
    schema: { operationId: 'uploadModuleAsset', tags, params: ModuleUuidParams, consumes: ['multipart/form-data'], response: { 201: Type.Object({ filename: Type.String(), url: Type.String(), markdown: Type.String() }), ...problemResponses } },
  }, async (req, reply) => {
    if (!req.isMultipart()) throw invalidField('file', 'field.required');
    let file;
    try {
      file = await req.file({ limits: { fileSize: MAX_IMAGE_BYTES, files: 1 } });
      if (!file) throw invalidField('file', 'field.required');
      const data = await file.toBuffer();
      return reply.code(201).send(await uploadAsset(req.em, req.actor, req.params.moduleId, { filename: file.filename, data }));
    } catch (err) {
      if ((err as { code?: string } | null)?.code === 'FST_REQ_FILE_TOO_LARGE') throw invalidField('file', 'course.image_too_large', { max: '2 MB' });
      throw err;
    }
  });

  app.get('/modules/:moduleId/assets/:filename', {
    config: { permission: 'learning.study' },
    schema: { operationId: 'getModuleAsset', tags, params: AssetParams, produces: ['image/*'] },
  }, async (req, reply) => {
    const a = await getAsset(req.em, req.actor, req.params.moduleId, req.params.filename);
    reply.header('etag', a.etag).header('cache-control', 'private, max-age=86400').header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.mime).send(a.data);
  });

  app.post('/markdown/preview', {
    config: author,
    schema: { operationId: 'previewMarkdown', tags, body: PreviewBody, response: { 200: Type.Object({ html: Type.String(), toc: Type.Array(Type.Object({ id: Type.String(), text: Type.String(), depth: Type.Integer() })) }), ...problemResponses } },
  }, async (req) => previewMarkdown(req.body.markdown, req.body.moduleId));
};
