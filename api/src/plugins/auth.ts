import fp from 'fastify-plugin';
import { fastifyCookie } from '@fastify/cookie';
import jwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.js';
import { can, type Permission } from '../access/permissions.js';
import type { Role } from '../access/roles.js';
import { AppError, forbidden, unauthenticated } from '../lib/errors.js';

export const ACCESS_COOKIE = 'at';
export const REFRESH_COOKIE = 'rt';
/**
 * Not a credential: a cookie the web app can read (not HttpOnly), set with the session cookies and cleared with them,
 * saying a session may exist. Without it the app does not ask `/api/me` or refresh, so a signed-out page load
 * makes no request that is bound to fail (and logs no 401 in the console).
 */
export const SESSION_HINT_COOKIE = 'signed_in';
export const ACCESS_TOKEN_SECONDS = 15 * 60;

interface TokenPayload {
  sub: string;
  role: Role;
  org: string;
  sid: string;
  pwc?: boolean;
  exp?: number;
}

/**
 * Who may call a route; every route under /api says it, or the app refuses to start. `auth: 'public'`: anyone.
 * `auth: 'signed-in'`: any signed-in person (their own things: session, profile). `permission`: those whose role
 * holds it in the permission table (access/permissions.ts). `allowPending`: reachable while the account must still
 * change its initial password.
 */
export interface RouteAuth {
  auth?: 'public' | 'signed-in';
  permission?: Permission;
  allowPending?: boolean;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenPayload;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAuth {}
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyInstance {
    signAccessToken(actor: Actor): string;
    /** The actor a request's token names; null without a token; throws 401 for a bad one. */
    verifyActor(req: FastifyRequest): Actor | null;
  }
}

export default fp<{ secret: string }>(async (app, opts) => {
  await app.register(jwt, {
    secret: opts.secret,
    // HS256 only, on both sides: a token that names another algorithm (none, RS256 with the secret as a key) is refused.
    sign: { algorithm: 'HS256', expiresIn: ACCESS_TOKEN_SECONDS },
    verify: { algorithms: ['HS256'] },
    cookie: { cookieName: ACCESS_COOKIE, signed: false },
  });

  app.decorate('signAccessToken', (a: Actor) =>
    app.jwt.sign({ sub: a.id, role: a.role, org: a.orgUnitId, sid: a.sessionId, ...(a.mustChangePassword ? { pwc: true } : {}) }));
  app.decorateRequest('actor', null as unknown as Actor);

  const toActor = (p: TokenPayload): Actor => ({ id: p.sub, role: p.role, orgUnitId: p.org, sessionId: p.sid, mustChangePassword: !!p.pwc, exp: p.exp });

  /** The caller's token: a Bearer header for API clients, else the httpOnly cookie the browser carries. */
  function tokenOf(req: FastifyRequest): string | undefined {
    const authorization = req.headers.authorization;
    if (typeof authorization === 'string') return authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    // Parsed here rather than by @fastify/cookie's hooks, which only the session routes need (see auth.routes.ts).
    const cookies = req.headers.cookie;
    return cookies && cookies.includes(`${ACCESS_COOKIE}=`) ? fastifyCookie.parse(cookies)[ACCESS_COOKIE] : undefined;
  }

  // Verified tokens, by their exact text, until they expire: a busy client costs one HMAC, not one per request.
  // A token is only ever cached after full verification, and its expiry is checked on every hit.
  const verified = new Map<string, Actor>();
  const CACHE_MAX = 20_000;

  app.decorate('verifyActor', (req: FastifyRequest): Actor | null => {
    const token = tokenOf(req);
    if (!token) return null;
    const hit = verified.get(token);
    if (hit) {
      if ((hit.exp ?? 0) * 1000 > Date.now()) return hit;
      verified.delete(token);
      throw unauthenticated('invalid_token');
    }
    let actor: Actor;
    try {
      // The plugin's global verifier: HS256 only; synchronous for a shared secret.
      actor = toActor(app.jwt.verify<TokenPayload>(token));
    } catch {
      throw unauthenticated('invalid_token');
    }
    if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, actor);
    return actor;
  });

  // A route that does not say who may call it is a mistake found at start, not a door left open.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    // The interactive API documentation (a plugin's routes) is for signed-in people, as the document itself shows.
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config ?? {}), auth: 'signed-in' } as typeof route.config;
    const cfg = route.config as RouteAuth | undefined;
    const declared = (cfg?.auth ? 1 : 0) + (cfg?.permission ? 1 : 0);
    if (declared !== 1) throw new Error(`route ${String(route.method)} ${route.url} must declare exactly one of auth or permission`);
  });

  // Every route is guarded unless it says `auth: 'public'`; one without a declaration is refused (fails closed).
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions;
    if (!route.url || !req.url.startsWith('/api')) return done();
    const cfg = route.config as RouteAuth | undefined;
    if (cfg?.auth === 'public') return done();
    try {
      const actor = app.verifyActor(req);
      if (!actor) throw unauthenticated();
      req.actor = actor;
      if (actor.mustChangePassword && !cfg?.allowPending) throw new AppError(403, 'password_change_required');
      if (cfg?.permission ? !can(actor, cfg.permission) : cfg?.auth !== 'signed-in') throw forbidden();
      done();
    } catch (err) {
      done(err as Error);
    }
  });
});
