import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../api/src/access/roles.js';
import { prepareDatabase } from '../../api/src/startup.js';
import { query, queryOne, sql, exec } from '../../api/src/lib/sql.js';
import { examRecords } from '../../api/src/modules/exams/exam-results.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer } from '../helpers/factories.js';

interface Workbook { worksheets: { rowCount: number; getRow(n: number): { getCell(n: number): { value: unknown } } }[]; xlsx: { load(b: ArrayBuffer): Promise<unknown> } }
const ExcelJS = createRequire(new URL('../../api/package.json', import.meta.url))('exceljs') as { Workbook: new () => Workbook };
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, trace: () => {}, fatal: () => {}, child: () => quiet, level: 'silent', silent: () => {} } as never;

let ctx: TestContext;
const tokens: Record<string, string> = {};
let pastExam: string;
const em = () => ctx.orm.em.fork();

beforeAll(async () => {
  ctx = await createTestContext();
  const dataDir = mkdtempSync(join(tmpdir(), 'exam-results-'));
  await prepareDatabase(ctx.orm, { seedDemo: true, demoPassword: 'Demo-Harbor-2026', dataDir, contentDir: 'content' }, quiet);
  const users = await query<{ id: string; username: string; role: Role; org_unit_id: string }>(em(), sql`
    select id, username, role, org_unit_id from app_user where username in ('trainer', 'manager', '10001', 'admin')`);
  for (const u of users) {
    tokens[u.username] = ctx.app.signAccessToken({ id: u.id, role: u.role, orgUnitId: u.org_unit_id, sessionId: randomUUID(), mustChangePassword: false });
  }
  // The monthly exam three months back, closed, with its missed people.
  pastExam = (await queryOne<{ id: string }>(em(), sql`
    select id from exam where kind = 'monthly' and closes_at < now() order by opens_at desc offset 2 limit 1`))!.id;
}, 120_000);
afterAll(async () => ctx?.close());

const get = (url: string, who = 'trainer', lang = 'zh') =>
  ctx.app.inject({ url, headers: { ...bearer(tokens[who]), 'accept-language': lang } });

describe('exam results', () => {
  it('gives a trainer every person the exam reached, with who passed, failed or missed it', async () => {
    const res = await get(`/api/exams/${pastExam}/results`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    const staff = await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from app_user where role = 'staff'`);
    expect(r.summary.people).toBe(staff!.n);
    const attempts = await query<{ id: string; user_id: string; score: number; passed: boolean }>(em(), sql`
      select id, user_id, score::float as score, passed from exam_attempt where exam_id = ${pastExam}`);
    expect(r.summary.participants).toBe(attempts.length);
    const missed = r.people.filter((p: { outcome: string }) => p.outcome === 'missed');
    expect(missed.length).toBe(r.summary.people - attempts.length);
    expect(r.summary.passed).toBe(attempts.filter((a) => a.passed).length);
    const byUser = new Map(attempts.map((a) => [a.user_id, a]));
    for (const p of r.people) {
      if (p.outcome === 'missed') { expect(byUser.has(p.userId)).toBe(false); expect(p.attemptId).toBeNull(); continue; }
      // Each row names its attempt, so the results can open its integrity log.
      expect(p.attemptId).toBe(byUser.get(p.userId)!.id);
      expect(p.score).toBe(byUser.get(p.userId)!.score);
      expect(p.outcome).toBe(byUser.get(p.userId)!.passed ? 'passed' : 'failed');
    }
    expect(r.distribution.reduce((s: number, n: number) => s + n, 0)).toBe(attempts.length);
    expect(r.units.reduce((s: number, u: { people: number }) => s + u.people, 0)).toBe(r.summary.people);
  });

  it("limits a manager to the people of their own county", async () => {
    const res = await get(`/api/exams/${pastExam}/results`, 'manager');
    expect(res.statusCode).toBe(200);
    const inCounty = await queryOne<{ n: number }>(em(), sql`
      select count(*)::int as n from app_user u join org_unit o on o.id = u.org_unit_id
       where u.role = 'staff' and o.path like (select o2.path from app_user m join org_unit o2 on o2.id = m.org_unit_id where m.username = 'manager') || '%'`);
    expect(res.json().summary.people).toBe(inCounty!.n);
    expect(inCounty!.n).toBeLessThan(40);
  });

  it('exports the results as CSV and XLSX, headers in the language asked for, cells guarded', async () => {
    await exec(em(), sql`update app_user set display_name = '=HYPERLINK("x")' where username = '10002'`);
    const csv = await get(`/api/exams/${pastExam}/results/export?format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('工号');
    expect(lines.length).toBe(1 + (await get(`/api/exams/${pastExam}/results`)).json().summary.people);
    expect(csv.body).toContain(`'=HYPERLINK`);
    const xlsx = await get(`/api/exams/${pastExam}/results/export?format=xlsx`, 'trainer', 'en');
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe('Username');
    expect(ws.rowCount).toBe(lines.length);
    expect((await get(`/api/exams/${pastExam}/results/export?format=pdf`)).statusCode).toBe(400);
  });

  it('analyses the items: facility as the mean share of points, measures within their ranges', async () => {
    const res = await get(`/api/exams/${pastExam}/item-analysis`);
    expect(res.statusCode, res.body).toBe(200);
    const a = res.json();
    const attempts = await queryOne<{ n: number }>(em(), sql`select count(*)::int as n from exam_attempt where exam_id = ${pastExam}`);
    expect(a.test.attempts).toBe(attempts!.n);
    expect(a.test.cic).toBeGreaterThan(0);
    expect(a.test.cic).toBeLessThanOrEqual(100);
    const q = a.questions.find((x: { attempts: number }) => x.attempts >= 5);
    const expected = await queryOne<{ f: number; n: number }>(em(), sql`
      select round((100 * avg(q.score / q.points))::numeric, 2)::float as f, count(*)::int as n
        from attempt_question q join exam_attempt a on a.id = q.attempt_id
       where a.exam_id = ${pastExam} and q.question_version_id = ${q.versionId}`);
    expect(q.attempts).toBe(expected!.n);
    expect(q.facility).toBeCloseTo(expected!.f, 1);
    expect(q.responses.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBeGreaterThanOrEqual(q.attempts);
    for (const x of a.questions) {
      if (x.discrimination !== null) { expect(x.discrimination).toBeGreaterThanOrEqual(-100); expect(x.discrimination).toBeLessThanOrEqual(100); }
      expect(JSON.stringify(x.responses)).not.toContain('option:undefined');
    }
  });

  it("lists each person's exams per period for the assessment record, missed ones as such", async () => {
    const person = await queryOne<{ id: string }>(em(), sql`
      select u.id from app_user u where u.role = 'staff' and not exists (
        select 1 from exam_attempt a where a.exam_id = ${pastExam} and a.user_id = u.id) limit 1`);
    const first = await queryOne<{ id: string }>(em(), sql`select id from app_user where username = '10001'`);
    const periods = await query<{ period: string }>(em(), sql`select distinct period from exam order by period`);
    const from = periods[0].period;
    const to = periods[periods.length - 1].period;
    const records = await examRecords(em(), [person!.id, first!.id], from, to, new Date(), 'zh');
    const mine = records.get(first!.id)!;
    expect(mine.filter((r) => r.kind === 'monthly')).toHaveLength(13);
    expect(mine.filter((r) => r.outcome === 'passed' || r.outcome === 'failed')).toHaveLength(12);
    expect(mine.filter((r) => r.outcome === 'not_started')).toHaveLength(1);
    const theirs = records.get(person!.id)!;
    const period = (await queryOne<{ period: string }>(em(), sql`select period from exam where id = ${pastExam}`))!.period;
    expect(theirs.find((r) => r.examId === pastExam)?.outcome).toBe('missed');
    expect(theirs.filter((r) => r.period === period).length).toBeGreaterThanOrEqual(1);
  });
});
