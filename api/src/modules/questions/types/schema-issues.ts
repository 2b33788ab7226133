/**
 * A question's schema errors as the bank's issues (`{ path, code, params }`, codes from the message catalogue), so
 * that what the schema refuses reads like what the rules refuse.
 */
import { Kind, type TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError, type ValueErrorIterator } from '@sinclair/typebox/errors';
import type { QuestionIssue } from './common.js';

/** A JSON pointer (`/options/1/text`) as the bank's dotted path (`options.1.text`). */
export const dotted = (pointer: string) =>
  pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');

const TYPE_NAMES: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.String]: 'string', [ValueErrorType.Number]: 'number', [ValueErrorType.Integer]: 'integer',
  [ValueErrorType.Boolean]: 'boolean', [ValueErrorType.Array]: 'array', [ValueErrorType.Object]: 'object',
};

const limitOf = (s: TSchema, key: string) => (s as Record<string, unknown>)[key];

/** The literal values of a union of literals, or null when it is some other union. */
function literalValues(schema: TSchema): unknown[] | null {
  const members = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!members?.length || !members.every((m) => m[Kind] === 'Literal')) return null;
  return members.map((m) => (m as unknown as { const: unknown }).const);
}

function issueOf(e: ValueError): QuestionIssue[] {
  const path = dotted(e.path);
  const one = (code: string, params: Record<string, unknown> = {}): QuestionIssue[] => [{ path, code, params }];
  const typeName = TYPE_NAMES[e.type];
  if (typeName) return one('field.type', { type: typeName });
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty: return one('field.required');
    case ValueErrorType.ObjectAdditionalProperties: return one('field.unknown');
    case ValueErrorType.Literal: return one('field.enum', { values: String((e.schema as unknown as { const: unknown }).const) });
    case ValueErrorType.StringMinLength: {
      const limit = limitOf(e.schema, 'minLength');
      return limit === 1 ? one('field.required') : one('field.min_length', { limit });
    }
    case ValueErrorType.StringMaxLength: return one('field.max_length', { limit: limitOf(e.schema, 'maxLength') });
    case ValueErrorType.NumberMinimum: case ValueErrorType.IntegerMinimum: return one('field.minimum', { limit: limitOf(e.schema, 'minimum') });
    case ValueErrorType.NumberExclusiveMinimum: case ValueErrorType.IntegerExclusiveMinimum:
      return one('field.minimum', { limit: limitOf(e.schema, 'exclusiveMinimum') });
    case ValueErrorType.NumberMaximum: case ValueErrorType.IntegerMaximum: return one('field.maximum', { limit: limitOf(e.schema, 'maximum') });
    case ValueErrorType.NumberExclusiveMaximum: case ValueErrorType.IntegerExclusiveMaximum:
      return one('field.maximum', { limit: limitOf(e.schema, 'exclusiveMaximum') });
    case ValueErrorType.ArrayMinItems: return one('field.min_items', { limit: limitOf(e.schema, 'minItems') });
    case ValueErrorType.ArrayMaxItems: return one('field.max_items', { limit: limitOf(e.schema, 'maxItems') });
    case ValueErrorType.Union: {
      const values = literalValues(e.schema);
      if (values) return one('field.enum', { values: values.join(', ') });
      return bestBranch(e);
    }
    default: return one('field.invalid');
  }
}

/**
 * A value that fits no member of a union (a numeric answer that is neither a value nor a range, say) is reported
 * by the member it comes closest to: the one with the fewest issues, where a member that refuses the value's very
 * kind (a string where an object was meant) counts as the furthest.
 */
function bestBranch(e: ValueError): QuestionIssue[] {
  const path = dotted(e.path);
  let best: QuestionIssue[] | null = null;
  let bestCost = Infinity;
  for (const branch of e.errors) {
    const issues = issuesFrom(branch);
    const cost = issues.some((i) => i.path === path && i.code === 'field.type') ? 1000 + issues.length : issues.length;
    if (cost < bestCost) { best = issues; bestCost = cost; }
  }
  return best ?? [{ path, code: 'field.invalid', params: {} }];
}

/** Every issue of an error iterator (TypeBox's `Errors`), the first one per path. */
export function issuesFrom(errors: ValueErrorIterator | Iterable<ValueError>): QuestionIssue[] {
  const out: QuestionIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    for (const issue of issueOf(e)) {
      if (seen.has(issue.path)) continue;
      seen.add(issue.path);
      out.push(issue);
    }
  }
  return out;
}

const RULE_KEYWORDS = new Set(['minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'pattern', 'multipleOf']);

/**
 * The shape of a schema: the same kinds, fields, required fields, literals and closed objects, without the value
 * rules (lengths, ranges, counts). What the shape refuses cannot be a question at all; the rules are checked with
 * the bank's own codes after normalising (question-model.ts `validateQuestion`).
 */
export function shapeOf<T extends TSchema>(schema: T): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string | symbol, unknown> = {};
    for (const key of Reflect.ownKeys(node)) {
      if (typeof key === 'string' && RULE_KEYWORDS.has(key)) continue;
      out[key] = visit((node as Record<string | symbol, unknown>)[key]);
    }
    return out;
  };
  return visit(schema) as T;
}
