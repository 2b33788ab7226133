import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Orm } from '../../api/src/db/orm.js';
import { hashPassword } from '../../api/src/modules/users/password.js';
import { OrgUnit } from '../../api/src/modules/org-units/org-unit.entity.js';
import { User, type Position, type Role } from '../../api/src/modules/users/user.entity.js';

export const PASSWORD = 'Sturdy-Lantern-47';
let hashed: Promise<string> | undefined;
const passwordHash = () => (hashed ??= hashPassword(PASSWORD));

let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-4)}${++seq}`;

export async function makeUnit(orm: Orm, opts: { name?: string; parent?: { id: string; path: string }; kind?: string } = {}) {
  const em = orm.em.fork();
  const id = randomUUID();
  const unit = em.create(OrgUnit, {
    id, name: opts.name ?? unique('单位'), nameEn: null, kind: opts.kind ?? (opts.parent ? 'area' : 'company'),
    parentId: opts.parent?.id ?? null, path: `${opts.parent?.path ?? '/'}${id}/`,
  });
  await em.flush();
  return unit;
}

/** company → two counties → one area each: the usual shape for scope tests. */
export async function makeOrgTree(orm: Orm) {
  const company = await makeUnit(orm, { name: '测试公司', kind: 'company' });
  const countyA = await makeUnit(orm, { name: '甲县营销部', parent: company, kind: 'county' });
  const countyB = await makeUnit(orm, { name: '乙县营销部', parent: company, kind: 'county' });
  const areaA = await makeUnit(orm, { name: '甲县城区', parent: countyA, kind: 'area' });
  const areaB = await makeUnit(orm, { name: '乙县城区', parent: countyB, kind: 'area' });
  return { company, countyA, countyB, areaA, areaB };
}

export async function makeUser(orm: Orm, opts: { role?: Role; orgUnitId: string; username?: string; position?: Position; mustChangePassword?: boolean; disabled?: boolean; displayName?: string }) {
  const em = orm.em.fork();
  const role = opts.role ?? 'staff';
  const user = em.create(User, {
    id: randomUUID(), username: opts.username ?? unique('u'), displayName: opts.displayName ?? unique('测试'),
    passwordHash: await passwordHash(), role,
    position: opts.position ?? (role === 'staff' ? 'account_manager' : role === 'trainer' ? 'trainer' : role === 'manager' ? 'department_head' : 'administrator'),
    orgUnitId: opts.orgUnitId, locale: null, disabled: opts.disabled ?? false, mustChangePassword: opts.mustChangePassword ?? false,
  });
  await em.flush();
  return user;
}

/** Logs in in token mode and returns the bearer token and refresh token. */
export async function login(app: FastifyInstance, username: string, password = PASSWORD, ip = '10.0.0.1') {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, mode: 'token' }, remoteAddress: ip });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { token: body.accessToken as string, refreshToken: body.refreshToken as string, user: body.user };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function problem(res: LightMyRequestResponse) {
  return { status: res.statusCode, type: res.headers['content-type'], body: res.json() };
}
