import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { EntityManager } from '@mikro-orm/core';
import type { Orm } from '../db/orm.js';
import type { Clock } from '../lib/clock.js';

declare module 'fastify' {
  interface FastifyInstance {
    orm: Orm;
    clock: Clock;
  }
  interface FastifyRequest {
    /** A request-scoped EntityManager, forked on first use. */
    readonly em: EntityManager;
  }
}

const EM = Symbol('em');

export default fp<{ orm: Orm; clock: Clock }>(async (app, opts) => {
  app.decorate('orm', opts.orm);
  app.decorate('clock', opts.clock);
  app.decorateRequest('em', {
    getter(this: FastifyRequest & { [EM]?: EntityManager }) {
      return (this[EM] ??= opts.orm.em.fork());
    },
  });
});
