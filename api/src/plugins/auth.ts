import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import jwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import { AppError, forbidden, unauthenticated } from '../lib/errors.js';
import type { Role } from '../modules/users/user.entity.js';

export const ACCESS_COOKIE = 'at';
export const REFRESH_COOKIE = 'rt';
export const ACCESS_TOKEN_SECONDS = 15 * 60;

/** What a verified access token says about the caller. */
export interface Actor {
  id: string;
  role: Role;
  orgUnitId: string;
  sessionId: string;
  mustChangePassword: boolean;
}

interface TokenPayload {
  sub: string;
  role: Role;
  org: string;
  sid: string;
  pwc?: boolean;
}

/**
 * Who may call a route. Default (absent): any signed-in user. `public`: anyone. A list of roles: only those.
 * `allowPending`: reachable while the account must still change its initial password.
 */
export interface RouteAuth {
  auth?: 'public' | readonly Role[];
  allowPending?: boolean;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenPayload;
    user: Actor;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAuth {}
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyInstance {
    signAccessToken(actor: Actor): string;
  }
}

export default fp<{ secret: string }>(async (app, opts) => {
  await app.register(cookie);
  await app.register(jwt, {
    secret: opts.secret,
    // HS256 only, on both sides: a token that names another algorithm (none, RS256 with the secret as a key) is refused.
    sign: { algorithm: 'HS256', expiresIn: ACCESS_TOKEN_SECONDS },
    verify: { algorithms: ['HS256'] },
    cookie: { cookieName: ACCESS_COOKIE, signed: false },
    formatUser: (p) => ({ id: p.sub, role: p.role, orgUnitId: p.org, sessionId: p.sid, mustChangePassword: !!p.pwc }),
  });

  app.decorate('signAccessToken', (a: Actor) =>
    app.jwt.sign({ sub: a.id, role: a.role, org: a.orgUnitId, sid: a.sessionId, ...(a.mustChangePassword ? { pwc: true } : {}) }));
  app.decorateRequest('actor', null as unknown as Actor);

  // Every route is guarded unless it says `auth: 'public'`: forgetting the guard fails closed.
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const cfg = req.routeOptions.config as RouteAuth | undefined;
    if (!req.routeOptions.url || !req.url.startsWith('/api')) return;
    if (cfg?.auth === 'public') return;
    const hasHeader = typeof req.headers.authorization === 'string';
    if (!hasHeader && !req.cookies[ACCESS_COOKIE]) throw unauthenticated();
    try {
      await req.jwtVerify();
    } catch {
      throw unauthenticated('invalid_token');
    }
    req.actor = req.user;
    if (req.actor.mustChangePassword && !cfg?.allowPending) throw new AppError(403, 'password_change_required');
    if (Array.isArray(cfg?.auth) && !cfg.auth.includes(req.actor.role)) throw forbidden();
  });
});
