import { Type, type TProperties, type ObjectOptions } from '@sinclair/typebox';

/** An object schema that drops unknown fields (Fastify's ajv removes properties not declared here). */
export const Obj = <T extends TProperties>(props: T, opts: ObjectOptions = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts });

export const Uuid = Type.String({ format: 'uuid' });

const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), code: Type.String(),
  instance: Type.Optional(Type.String()), requestId: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() }))),
});

/** The problem+json responses every operation may give, for the OpenAPI document. */
export const problemResponses = {
  400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 429: Problem,
};
