/**
 * The check of a question body at the routes that take one (create, update, preview): the body must have the shape
 * of one type's schema (questions.schemas.ts `QuestionBody`, built from types/<type>.ts), chosen by its `type`, with
 * no field the type does not have and only text PostgreSQL can store. The value rules (lengths, ranges, counts) are
 * checked next, after normalising, with the bank's own reasons (validateQuestion), together with the links to modules.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { invalid, type FieldIssue } from '../../lib/errors.js';
import { isStorableText } from '../../lib/schema.js';
import { QUESTION_TYPES, type QuestionIssue, type QuestionType } from './types/common.js';
import { definitionOf } from './types/index.js';
import { issuesFrom, shapeOf } from './types/schema-issues.js';
import { QUESTION_BODIES } from './questions.schemas.js';

const shapes = Object.fromEntries(QUESTION_TYPES.map((t) => [t, TypeCompiler.Compile(shapeOf(QUESTION_BODIES[t]))])) as unknown as
  Record<QuestionType, ReturnType<typeof TypeCompiler.Compile>>;

/** Texts anywhere in a value that PostgreSQL could not store (NUL, half a surrogate pair). */
function unstorable(v: unknown, path: string, out: QuestionIssue[]) {
  if (typeof v === 'string') { if (!isStorableText(v)) out.push({ path, code: 'field.text_characters', params: {} }); return; }
  if (Array.isArray(v)) { v.forEach((x, i) => unstorable(x, path ? `${path}.${i}` : String(i), out)); return; }
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) unstorable(x, path ? `${path}.${k}` : k, out);
}

/** What is wrong with the shape of a question body; empty when it has the shape of its type. */
export function questionBodyIssues(body: unknown): QuestionIssue[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ path: '', code: 'field.type', params: { type: 'object' } }];
  const type = (body as { type?: unknown }).type;
  const def = definitionOf(type);
  if (!def) {
    if (type === undefined || type === null || type === '') return [{ path: 'type', code: 'field.required', params: {} }];
    return [{ path: 'type', code: 'question.unknown_type', params: { type: String(type), values: QUESTION_TYPES.join(', ') } }];
  }
  const issues: QuestionIssue[] = [];
  unstorable(body, '', issues);
  const shape = shapes[def.type];
  if (!shape.Check(body)) for (const issue of issuesFrom(shape.Errors(body))) if (!issues.some((i) => i.path === issue.path)) issues.push(issue);
  return issues;
}

export const toFieldIssues = (issues: QuestionIssue[]): FieldIssue[] => issues.map((i) => ({ path: i.path, reason: i.code, params: i.params }));

/**
 * The validator compiler of the routes that take a question body: the body by questionBodyIssues, every other part
 * (path parameters) by the application's own compiler, so they keep the shared schema rules.
 */
export function questionValidatorCompiler(app: FastifyInstance): FastifySchemaCompiler<unknown> {
  return (route) => {
    if (route.httpPart !== 'body') {
      const base = app.validatorCompiler;
      if (!base) throw new Error('the application has no validator compiler yet');
      return base(route);
    }
    return (data: unknown) => {
      const issues = questionBodyIssues(data);
      return issues.length ? { error: invalid(toFieldIssues(issues)) } : { value: data };
    };
  };
}
