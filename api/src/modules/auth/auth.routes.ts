import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { unauthenticated } from '../../lib/errors.js';
import { problemResponses } from '../../lib/schema.js';
import type { Actor } from '../../access/actor.js';
import { PERMISSIONS, permissionsOf } from '../../access/permissions.js';
import { ACCESS_COOKIE, ACCESS_TOKEN_SECONDS, REFRESH_COOKIE, SESSION_HINT_COOKIE } from '../../plugins/auth.js';
import { UserSchema } from '../users/users.schemas.js';
import { toUserDto } from '../users/users.service.js';
import { ChangePasswordBody, LoginBody, RefreshBody, SessionSchema, UpdateMeBody } from './auth.schemas.js';
import { changePassword, getMe, login, logout, refreshSession, updateMe, type Session } from './auth.service.js';

const tags = ['auth'];
const MeSchema = Type.Composite([UserSchema, Type.Object({ permissions: Type.Array(Type.Union(PERMISSIONS.map((p) => Type.Literal(p)))) })]);
// A browser refreshes and logs out with the cookie alone and no body; Fastify validates an absent body as null.
const OptionalRefreshBody = Type.Union([RefreshBody, Type.Null()]);

export const authRoutes: FastifyPluginAsyncTypebox<{ cookieSecure: boolean }> = async (app, opts) => {
  // Cookies are set and read only by these routes: registered here, their hooks do not run on every other request.
  await app.register(cookie);
  const secure = opts.cookieSecure;

  function sendSession(reply: FastifyReply, s: Session, mode: 'cookie' | 'token') {
    const accessToken = app.signAccessToken(s.actor);
    if (mode === 'cookie') {
      reply.setCookie(ACCESS_COOKIE, accessToken, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: ACCESS_TOKEN_SECONDS });
      reply.setCookie(REFRESH_COOKIE, s.refreshToken, { httpOnly: true, sameSite: 'strict', secure, path: '/api/auth', expires: s.refreshExpiresAt });
      reply.setCookie(SESSION_HINT_COOKIE, '1', { httpOnly: false, sameSite: 'strict', secure, path: '/', expires: s.refreshExpiresAt });
    }
    return { user: toUserDto(s.user), accessToken, expiresIn: ACCESS_TOKEN_SECONDS, ...(mode === 'token' ? { refreshToken: s.refreshToken } : {}) };
  }

  // Answers with tokens are never compressed (plugins/compression.ts: BREACH).
  app.post('/auth/login', {
    config: { auth: 'public' },
    compress: false,
    schema: { operationId: 'login', tags, body: LoginBody, response: { 200: SessionSchema, ...problemResponses } },
  }, async (req, reply) => {
    const s = await login(req.em, app.clock, { username: req.body.username, password: req.body.password, ip: req.ip, userAgent: req.headers['user-agent'] });
    return sendSession(reply, s, req.body.mode);
  });

  app.post('/auth/refresh', {
    config: { auth: 'public' },
    compress: false,
    schema: { operationId: 'refreshSession', tags, body: OptionalRefreshBody, response: { 200: SessionSchema, ...problemResponses } },
  }, async (req, reply) => {
    const fromBody = req.body?.refreshToken;
    const token = fromBody ?? req.cookies[REFRESH_COOKIE];
    if (!token) {
      reply.clearCookie(SESSION_HINT_COOKIE, { path: '/' });
      throw unauthenticated();
    }
    const s = await refreshSession(req.em, app.clock, token, req.headers['user-agent']);
    return sendSession(reply, s, fromBody ? 'token' : 'cookie');
  });

  app.post('/auth/logout', {
    config: { auth: 'public' },
    schema: { operationId: 'logout', tags, body: OptionalRefreshBody, response: { 204: Type.Null(), ...problemResponses } },
  }, async (req, reply) => {
    let actor: Actor | null = null;
    try {
      actor = app.verifyActor(req);
    } catch {
      actor = null; // an expired access token still lets the refresh token end the session
    }
    await logout(req.em, app.clock, actor, req.body?.refreshToken ?? req.cookies[REFRESH_COOKIE]);
    reply.clearCookie(ACCESS_COOKIE, { path: '/' }).clearCookie(REFRESH_COOKIE, { path: '/api/auth' }).clearCookie(SESSION_HINT_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  // Answers from the verified token alone, without the database: a cheap "am I still signed in" for clients.
  app.get('/auth/session', {
    config: { auth: 'signed-in', allowPending: true },
    schema: {
      operationId: 'getSession', tags,
      response: { 200: Type.Object({ userId: Type.String(), role: Type.String(), orgUnitId: Type.String(), mustChangePassword: Type.Boolean(), expiresAt: Type.String() }), ...problemResponses },
    },
  }, async (req) => {
    const exp = req.actor.exp;
    return {
      userId: req.actor.id, role: req.actor.role, orgUnitId: req.actor.orgUnitId, mustChangePassword: req.actor.mustChangePassword,
      expiresAt: new Date((exp ?? 0) * 1000).toISOString(),
    };
  });

  // The web app decides what to show from these permissions; it lists no roles of its own.
  app.get('/me', {
    config: { auth: 'signed-in', allowPending: true },
    schema: { operationId: 'getMe', tags, response: { 200: MeSchema, ...problemResponses } },
  }, async (req) => ({ ...toUserDto(await getMe(req.em, req.actor)), permissions: permissionsOf(req.actor) }));

  app.patch('/me', {
    config: { auth: 'signed-in', allowPending: true },
    schema: { operationId: 'updateMe', tags, body: UpdateMeBody, response: { 200: MeSchema, ...problemResponses } },
  }, async (req) => ({ ...toUserDto(await updateMe(req.em, req.actor, req.body)), permissions: permissionsOf(req.actor) }));

  app.post('/me/password', {
    config: { auth: 'signed-in', allowPending: true },
    schema: { operationId: 'changePassword', tags, body: ChangePasswordBody, response: { 200: SessionSchema, ...problemResponses } },
  }, async (req, reply) => {
    const s = await changePassword(req.em, app.clock, req.actor, req.body, req.headers['user-agent']);
    return sendSession(reply, s, req.headers.authorization ? 'token' : 'cookie');
  });
};
