import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../api/src/access/roles.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, makeOrgTree, makeUser } from '../helpers/factories.js';
import { syncContent } from '../../api/src/modules/courses/content-sync.js';

/**
 * Sends malformed input to every operation of the OpenAPI document and asserts the answer: a 4xx problem+json,
 * never a 5xx. For each operation a plausible body is built from its request schema, then each field in turn (and
 * the body as a whole) is replaced by a hostile value; every query parameter and path parameter gets the same
 * treatment. Path parameters are filled with objects that exist where the test can name one, so the handlers run
 * past their lookups, and with ids that name nothing.
 */

interface JsonSchema {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema;
  anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; enum?: unknown[]; const?: unknown; format?: string; minimum?: number;
  minLength?: number; pattern?: string; minItems?: number;
}
interface Parameter { name: string; in: 'query' | 'path' | 'header'; schema?: JsonSchema }
interface Operation {
  operationId: string; method: string; path: string; parameters: Parameter[];
  body?: JsonSchema; multipart: boolean;
}

const HOSTILE_VALUES: unknown[] = [
  'a\u0000b', '\u0000', 'x\ud800y', '\udc00', 2147483648, -2147483649, 9223372036854775808, 1e308, -1.5, 0.5,
  null, true, false, [], {}, [null], ['\u0000'], { nested: '\u0000' }, '', ' ', 'x'.repeat(20_000),
  '2026-02-31', '2026-13-45', '0000-01-01', '0000-01', '<script>alert(1)</script>', "'; drop table app_user; --",
  '../../../etc/passwd', '%00', '\\', 'NaN', '-0', '1e999',
];
const HOSTILE_QUERY = ['%00', 'a%00b', '%ED%A0%80', '2147483648', '9223372036854775808', '-1', '1.5', 'NaN', '2026-02-31',
  '2026-13-45', '0000-01', '0000-01-01', '', '%C0%AF', 'x'.repeat(5000), "'", '[]', 'true'];
const HOSTILE_PATH = ['%00', 'a%00b', '%C0%AF', '%ED%A0%80', '9223372036854775808', '-1', "'", '..', 'x'.repeat(500), 'null'];

/** A value the schema accepts, as simple as possible. */
function sample(s: JsonSchema | undefined, depth = 0): unknown {
  if (!s || depth > 6) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return sample(alt.find((a) => a.type !== 'null') ?? alt[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sample(v, depth + 1);
      return out;
    }
    case 'array': return Array.from({ length: Math.max(1, s.minItems ?? 0) }, () => sample(s.items, depth + 1));
    case 'integer': case 'number': return Math.max(1, s.minimum ?? 1);
    case 'boolean': return true;
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'day') return '2027-01-15';
      if (s.format === 'month') return '2027-01';
      if (s.format === 'date-time') return '2027-01-15T08:00:00Z';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1)).replace(/x{8}$/, 'Abcdef1!');
    default: return null;
  }
}

/** Every path to a field of a sampled body, one and two levels deep (`['items', 0, 'stem']` style). */
function fieldPaths(value: unknown, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
  if (depth > 2 || value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k], depth + 1)]);
}

function replaced(body: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

let ctx: TestContext;
let ops: Operation[];
const tokens = {} as Record<Role, string>;
const real: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  const people = {
    admin: await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id }),
    trainer: await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id }),
    manager: await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyA.id }),
    staff: await makeUser(ctx.orm, { role: 'staff', orgUnitId: tree.areaA.id }),
  };
  for (const role of ROLES) {
    const u = people[role];
    tokens[role] = ctx.app.signAccessToken({ id: u.id, role, orgUnitId: u.orgUnitId, sessionId: randomUUID(), mustChangePassword: false });
  }
  // Objects that exist, so handlers get past their lookups with hostile bodies.
  await syncContent(ctx.orm.em.fork(), 'content', ctx.clock.now());
  const created = await ctx.app.inject({ method: 'POST', url: '/api/modules', headers: bearer(tokens.trainer), payload: {
    trackId: 'etiquette-communication', minutes: 10, positions: ['account_manager'],
    locales: { zh: { title: '模糊测试', summary: '概要', objectives: ['要点'], tags: ['测试'], body: '# 模糊测试\n\n## 一节\n\n正文。\n' } },
  } });
  expect(created.statusCode, created.body).toBe(201);
  const moduleId = (created.json() as { id: string }).id;
  const q = await ctx.app.inject({ method: 'POST', url: '/api/questions', headers: bearer(tokens.trainer), payload: {
    type: 'true_false', stem: '模糊测试', points: 1, difficulty: 2, language: 'zh', tags: ['测试'], modules: [], category: '测试/模糊', answer: true,
  } });
  expect(q.statusCode, q.body).toBe(201);
  const questionId = (q.json() as { id: string }).id;
  Object.assign(real, {
    id: moduleId, moduleId, questionId, userId: people.staff.id, orgUnitId: tree.areaA.id, unitId: tree.areaA.id,
    number: '1', filename: 'missing.png', format: 'csv',
  });

  const doc = ctx.app.swagger() as unknown as {
    paths: Record<string, Record<string, { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
  };
  ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
    operationId: op.operationId, method: method.toUpperCase(), path, parameters: op.parameters ?? [],
    body: op.requestBody?.content['application/json']?.schema,
    multipart: !!op.requestBody?.content['multipart/form-data'],
  })));
}, 120_000);
afterAll(async () => { await ctx?.close(); });

function pathWith(op: Operation, override?: { name: string; value: string }): string {
  const filled = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    override?.name === name ? override.value : name === 'moduleId' && op.path.startsWith('/api/questions') ? real.questionId
      : real[name] ?? randomUUID());
  return filled;
}

/** The first role that may call the operation at all (not 401/403 on a plausible request). */
async function callerFor(op: Operation): Promise<string | null> {
  if (op.operationId === 'logout' || op.operationId === 'changePassword') return tokens.staff;
  for (const role of ['trainer', 'admin', 'manager', 'staff'] as Role[]) {
    const res = await ctx.app.inject({ method: op.method as 'GET', url: pathWith(op), headers: bearer(tokens[role]),
      ...(op.body ? { payload: sample(op.body) as object } : {}) });
    if (res.statusCode !== 401 && res.statusCode !== 403) return tokens[role];
  }
  return null;
}

describe('fuzzing every operation', () => {
  it('answers hostile bodies, queries and paths with 4xx problem+json, never 5xx', async () => {
    const failures: string[] = [];
    let sent = 0;
    const check = async (op: Operation, label: string, req: { url: string; payload?: unknown; headers?: Record<string, string>; raw?: string }, token: string | null) => {
      const headers: Record<string, string> = { ...(token ? bearer(token) : {}), ...(req.headers ?? {}) };
      let payload: string | undefined;
      if (req.raw !== undefined) payload = req.raw;
      else if (req.payload !== undefined) { payload = JSON.stringify(req.payload); headers['content-type'] = 'application/json'; }
      const res = await ctx.app.inject({ method: op.method as 'GET', url: req.url, headers, ...(payload !== undefined ? { payload } : {}) });
      sent++;
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode >= 500) failures.push(`${op.operationId} ${label}: ${res.statusCode} ${res.body.slice(0, 160)}`);
      else if (res.statusCode >= 400 && !type.startsWith('application/problem+json')) failures.push(`${op.operationId} ${label}: ${res.statusCode} as ${type}`);
    };

    for (const op of ops) {
      const token = await callerFor(op);
      const base = pathWith(op);
      if (op.body) {
        const good = sample(op.body);
        for (const whole of [null, [], 'text', 42, true, { extra: '\u0000' }]) await check(op, `body=${JSON.stringify(whole)}`, { url: base, payload: whole }, token);
        for (const path of fieldPaths(good)) {
          for (const bad of HOSTILE_VALUES) await check(op, `${path.join('.')}=${JSON.stringify(bad).slice(0, 30)}`, { url: base, payload: replaced(good, path, bad) }, token);
        }
        await check(op, 'broken JSON', { url: base, raw: '{"a":', headers: { 'content-type': 'application/json' } }, token);
        await check(op, 'text/plain body', { url: base, raw: 'a=1', headers: { 'content-type': 'text/plain' } }, token);
      }
      if (op.multipart) {
        await check(op, 'multipart without boundary', { url: base, raw: 'x', headers: { 'content-type': 'multipart/form-data' } }, token);
        await check(op, 'multipart truncated', {
          url: base, raw: '--B\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n\x89PNG',
          headers: { 'content-type': 'multipart/form-data; boundary=B' },
        }, token);
        await check(op, 'multipart filename with NUL', {
          url: base, raw: '--B\r\ncontent-disposition: form-data; name="file"; filename="a\u0000.png"\r\ncontent-type: image/png\r\n\r\nxx\r\n--B--\r\n',
          headers: { 'content-type': 'multipart/form-data; boundary=B' },
        }, token);
      }
      for (const p of op.parameters.filter((x) => x.in === 'query')) {
        for (const bad of HOSTILE_QUERY) {
          const sep = base.includes('?') ? '&' : '?';
          await check(op, `?${p.name}=${bad.slice(0, 20)}`, { url: `${base}${sep}${p.name}=${bad}`, ...(op.body ? { payload: sample(op.body) } : {}) }, token);
        }
        await check(op, `?${p.name} twice`, { url: `${base}?${p.name}=a&${p.name}=b`, ...(op.body ? { payload: sample(op.body) } : {}) }, token);
      }
      for (const p of op.parameters.filter((x) => x.in === 'path')) {
        for (const bad of HOSTILE_PATH) {
          await check(op, `/{${p.name}}=${bad.slice(0, 20)}`, { url: pathWith(op, { name: p.name, value: bad }), ...(op.body ? { payload: sample(op.body) } : {}) }, token);
        }
      }
    }
    expect(failures).toEqual([]);
    // The walk really ran: every operation, with thousands of requests.
    expect(ops.length).toBeGreaterThan(40);
    expect(sent).toBeGreaterThan(2000);
  }, 600_000);
});
