import { Type, type TProperties, type ObjectOptions } from '@sinclair/typebox';

/** An object schema that drops unknown fields (Fastify's ajv removes properties not declared here). */
export const Obj = <T extends TProperties>(props: T, opts: ObjectOptions = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts });

export const Uuid = Type.String({ format: 'uuid' });

const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), code: Type.String(),
  instance: Type.Optional(Type.String()), requestId: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() }))),
  /** On a 409 `duplicate`: the existing records the request would repeat. */
  duplicates: Type.Optional(Type.Array(Type.Object({
    id: Type.String(), userId: Type.Optional(Type.String()), name: Type.String(), day: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()), minutes: Type.Optional(Type.Integer()), reason: Type.String(), message: Type.String(),
  }))),
});

/** The problem+json responses every operation may give, for the OpenAPI document. */
export const problemResponses = {
  400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 429: Problem,
};

/**
 * The text, number and date rules every route gets, defined here once and applied by app.ts to every schema it
 * compiles (body, query, path parameters, headers):
 * - text never holds a NUL character or half of a surrogate pair (PostgreSQL refuses the first; the second is not
 *   text at all and breaks every encoder downstream);
 * - an integer without its own bounds stays within PostgreSQL's `integer`, so it always fits the column it is for;
 * - `format: 'day'` is a real calendar day (yyyy-mm-dd, years 1900 to 2999) and `format: 'month'` a real month
 *   (yyyy-mm): the shape alone lets through 2026-02-31 and 0000-01, which the database then refuses.
 */
export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;

export const Day = (opts: { description?: string } = {}) => Type.String({ format: 'day', ...opts });
export const Month = (opts: { description?: string } = {}) => Type.String({ format: 'month', ...opts });

/** Text PostgreSQL can store and every encoder can write: no NUL, no lone surrogate. */
/**
 * A file sent as base64 text in a JSON body (an import). The validator does not walk its characters: for a 10 MB
 * file the text check and a maxLength count would hold the event loop for hundreds of milliseconds. Its size is
 * bounded by the route's bodyLimit and checked by the handler from the text's length; its bytes are checked when
 * they are decoded (off the event loop, in the import's worker).
 */
export const Base64File = (opts: { description?: string } = {}) => Type.String({ ...opts, storableText: false });

export function isStorableText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

export function isCalendarDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

export function isCalendarMonth(s: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  return !!m && Number(m[1]) >= 1900 && Number(m[1]) <= 2999 && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/** The keyword and formats app.ts adds to its Ajv instances, as plain definitions (lib does not import Ajv). */
export const schemaKeywords = [
  { keyword: 'storableText', type: 'string' as const, schemaType: 'boolean' as const, errors: false as const,
    validate: (on: unknown, data: unknown) => !on || typeof data !== 'string' || isStorableText(data) },
];
export const schemaFormats = {
  day: { type: 'string' as const, validate: isCalendarDay },
  month: { type: 'string' as const, validate: isCalendarMonth },
};

type SchemaNode = Record<string, unknown>;

/**
 * A copy of a route schema with the rules above applied throughout: every string schema is marked `storableText`,
 * every integer without bounds gets PostgreSQL's. Other keywords are left as written.
 */
export function withSchemaRules<T>(schema: T): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    const out: SchemaNode = {};
    for (const [k, v] of Object.entries(node as SchemaNode)) {
      // `properties` and `patternProperties` map names to schemas; `enum`/`const`/`examples`/`default` are values.
      if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') out[k] = v;
      else if ((k === 'properties' || k === 'patternProperties' || k === '$defs' || k === 'definitions') && v && typeof v === 'object') {
        out[k] = Object.fromEntries(Object.entries(v as SchemaNode).map(([name, s]) => [name, visit(s)]));
      } else out[k] = visit(v);
    }
    const types = Array.isArray(out.type) ? out.type : [out.type];
    if (types.includes('string') && out.storableText === undefined) out.storableText = true;
    if (types.includes('integer')) {
      if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = INT_MIN;
      if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = INT_MAX;
    }
    return out;
  };
  return visit(schema) as T;
}
