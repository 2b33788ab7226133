import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { base64Length } from '../../lib/import-limits.js';
import { requestLang, t } from '../../lib/i18n.js';
import { problemResponses } from '../../lib/schema.js';
import { questionValidatorCompiler } from './question-body.js';
import { normaliseQuestion, validateQuestion } from './question-model.js';
import { exportQuestions, importQuestions, questionTemplate } from './question-import.js';
import {
  bulkUpdate, compareVersions, createQuestion, getQuestion, getVersion, listCategories, listFacets, listQuestions, listVersions,
  previewOf, updateQuestion,
} from './questions.service.js';
import {
  BulkBody, BulkResult, CategorySchema, CompareQuery, CompareSchema, ExportBody, FacetsSchema, ImportBody, ImportReportSchema, ListQuestionsQuery,
  MAX_IMPORT_BYTES, PreviewResponse, QuestionBody, QuestionDetailSchema, QuestionListItemSchema, QuestionParams, TemplateParams, TemplateQuery,
  VersionDetailSchema, VersionParams, VersionSchema,
} from './questions.schemas.js';

const tags = ['questions'];
// The bank holds the answer keys: trainers and admins only, on every route (staff and managers get 403).
const config = { permission: 'questions.manage' } as const;

const attachment = (filename: string) => `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

export const questionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Question bodies are checked against their type's schema, picked by `type` (question-body.ts).
  const validatorCompiler = questionValidatorCompiler(app);

  app.get('/questions', {
    config,
    schema: { operationId: 'listQuestions', tags, querystring: ListQuestionsQuery, response: { 200: Type.Object({ items: Type.Array(QuestionListItemSchema), total: Type.Integer() }), ...problemResponses } },
  }, async (req) => listQuestions(req.em, req.actor, req.query));

  app.get('/questions/facets', {
    config,
    schema: { operationId: 'listQuestionFacets', tags, response: { 200: FacetsSchema, ...problemResponses } },
  }, async (req) => listFacets(req.em, req.actor, requestLang(req)));

  app.get('/question-categories', {
    config,
    schema: { operationId: 'listQuestionCategories', tags, response: { 200: Type.Object({ items: Type.Array(CategorySchema) }), ...problemResponses } },
  }, async (req) => ({ items: await listCategories(req.em, req.actor) }));

  app.get('/questions/:questionId', {
    config,
    schema: { operationId: 'getQuestion', tags, params: QuestionParams, response: { 200: QuestionDetailSchema, ...problemResponses } },
  }, async (req) => getQuestion(req.em, req.actor, req.params.questionId));

  app.post('/questions', {
    config, validatorCompiler,
    schema: { operationId: 'createQuestion', tags, body: QuestionBody, response: { 201: QuestionDetailSchema, ...problemResponses } },
  }, async (req, reply) => reply.code(201).send(await createQuestion(req.em, req.actor, req.body, requestLang(req))));

  app.put('/questions/:questionId', {
    config, validatorCompiler,
    schema: { operationId: 'updateQuestion', tags, params: QuestionParams, body: QuestionBody, response: { 200: QuestionDetailSchema, ...problemResponses } },
  }, async (req) => updateQuestion(req.em, req.actor, req.params.questionId, req.body));

  // The editor's live preview: renders an unsaved question as a learner would see it, and lists what is wrong with it.
  app.post('/questions/preview', {
    config, validatorCompiler,
    schema: { operationId: 'previewQuestion', tags, body: QuestionBody, response: { 200: PreviewResponse, ...problemResponses } },
  }, async (req) => {
    const lang = requestLang(req);
    const { status: _s, baseVersion: _b, ...fields } = req.body;
    const q = normaliseQuestion(fields, { language: lang });
    const issues = validateQuestion(q, { mode: 'import' }).map((i) => ({ path: i.path, code: i.code, message: t(lang, i.code, i.params) }));
    try {
      return { ...previewOf(q, 'preview'), issues };
    } catch {
      // A question too broken to draw (an option that is not an object, say) still gets its list of issues.
      return { learner: null, answer: null, issues };
    }
  });

  app.get('/questions/:questionId/versions', {
    config,
    schema: { operationId: 'listQuestionVersions', tags, params: QuestionParams, response: { 200: Type.Object({ items: Type.Array(VersionSchema) }), ...problemResponses } },
  }, async (req) => ({ items: await listVersions(req.em, req.actor, req.params.questionId) }));

  app.get('/questions/:questionId/versions/compare', {
    config,
    schema: { operationId: 'compareQuestionVersions', tags, params: QuestionParams, querystring: CompareQuery, response: { 200: CompareSchema, ...problemResponses } },
  }, async (req) => compareVersions(req.em, req.actor, req.params.questionId, req.query.from, req.query.to));

  app.get('/questions/:questionId/versions/:number', {
    config,
    schema: { operationId: 'getQuestionVersion', tags, params: VersionParams, response: { 200: VersionDetailSchema, ...problemResponses } },
  }, async (req) => getVersion(req.em, req.actor, req.params.questionId, req.params.number));

  app.post('/questions/bulk', {
    config,
    schema: { operationId: 'bulkUpdateQuestions', tags, body: BulkBody, response: { 200: BulkResult, ...problemResponses } },
  }, async (req) => bulkUpdate(req.em, req.actor, requestLang(req), req.body));

  app.post('/questions/import', {
    config,
    // A 10 MB file is 13.4 MB of base64; the body may carry that and the options.
    bodyLimit: base64Length(MAX_IMPORT_BYTES) + 64 * 1024,
    schema: { operationId: 'importQuestions', tags, body: ImportBody, response: { 200: ImportReportSchema, ...problemResponses } },
  }, async (req) => importQuestions(req.em, req.actor, requestLang(req), req.body));

  app.post('/questions/export', {
    config,
    schema: {
      operationId: 'exportQuestions', tags, body: ExportBody,
      produces: ['text/plain', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    },
  }, async (req, reply) => {
    const file = await exportQuestions(req.em, req.actor, requestLang(req), req.body, app.clock.now());
    // What could not be written travels in headers, so that the body stays the file itself.
    return reply.type(file.mime).header('content-disposition', attachment(file.filename))
      .header('x-exported-count', String(file.exported)).header('x-skipped-count', String(file.skipped.length))
      .header('x-skipped', encodeURIComponent(JSON.stringify(file.skipped.slice(0, 50))))
      .send(file.data);
  });

  app.get('/questions/templates/:format', {
    config,
    schema: { operationId: 'getQuestionTemplate', tags, params: TemplateParams, querystring: TemplateQuery, produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
  }, async (req, reply) => {
    const file = await questionTemplate(req.params.format, req.query.header ?? requestLang(req));
    return reply.type(file.mime).header('content-disposition', attachment(file.filename)).send(file.data);
  });
};
