import type { FastifyServerOptions } from 'fastify';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<Factories['buildValidator']>;
type SerializerFactory = NonNullable<Factories['buildSerializer']>;
type Validate = ReturnType<ReturnType<ValidatorFactory>>;

/**
 * Fastify compiles every route's validators (Ajv) and response serializers (fast-json-stringify) before it listens:
 * most of a second of a start, for routes most of which nobody calls in that second. These factories hand Fastify a
 * stand-in per schema that compiles the real function on its first call, and keep a list of what is still to be
 * compiled, which `compileAll` works through (server.ts runs it right after listening, in small slices between
 * requests). What a route accepts and answers is unchanged: the stand-in calls the very function Fastify's own
 * compile would have made.
 */
export interface LazyCompilers {
  buildValidator: ValidatorFactory;
  buildSerializer: SerializerFactory;
  /** Compiles everything not compiled yet, yielding to the event loop between schemas. */
  compileAll(): Promise<void>;
  /** How many schemas are still uncompiled. */
  pending(): number;
}

export function lazyCompilers(buildValidator: ValidatorFactory, buildSerializer: SerializerFactory = SerializerSelector()): LazyCompilers {
  const waiting = new Set<() => unknown>();
  const later = <F>(compile: () => F) => {
    let fn: F | undefined;
    const get = () => {
      if (fn === undefined) {
        fn = compile();
        waiting.delete(get);
      }
      return fn;
    };
    waiting.add(get);
    return get;
  };
  return {
    buildValidator: (externalSchemas, options) => {
      const compiler = buildValidator(externalSchemas, options);
      return (route) => {
        const get = later(() => compiler(route));
        // Ajv reports why data failed on the function (`errors`), and replaces a part's root value (coercion) only when
        // Fastify passes the parent, which it does for functions that carry `schemaEnv`, as Ajv's do.
        const state: { errors?: Validate['errors'] } = {};
        const validate = Object.assign((data: unknown, dataCxt?: unknown) => {
          const real = get();
          const result = (real as (d: unknown, c?: unknown) => ReturnType<Validate>)(data, dataCxt);
          validate.errors = real.errors;
          return result;
        }, state, { schemaEnv: true });
        return validate as unknown as Validate;
      };
    },
    buildSerializer: (externalSchemas, options) => {
      const compiler = buildSerializer(externalSchemas, options);
      return (route) => {
        const get = later(() => compiler(route));
        return (doc) => get()(doc);
      };
    },
    async compileAll() {
      for (const get of [...waiting]) {
        get();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    pending: () => waiting.size,
  };
}
