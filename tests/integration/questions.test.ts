import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execSql } from '../../api/src/lib/sql.js';
import { prepareDatabase } from '../../api/src/startup.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';

let ctx: TestContext;
let dataDir: string;
const tokens = {} as Record<'admin' | 'trainer' | 'manager' | 'staff', string>;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

beforeAll(async () => {
  ctx = await createTestContext();
  dataDir = mkdtempSync(join(tmpdir(), 'questions-test-'));
  // What a first start does: the demo organisation, the course modules, then the shipped question bank.
  await prepareDatabase(ctx.orm, { seedDemo: true, demoPassword: 'Demo-Harbor-2026', dataDir, contentDir: 'content' }, quiet);
  const tree = await makeOrgTree(ctx.orm);
  for (const role of ['admin', 'trainer', 'manager', 'staff'] as const) {
    const user = await makeUser(ctx.orm, { role, orgUnitId: role === 'manager' ? tree.countyA.id : tree.company.id });
    tokens[role] = (await login(ctx.app, user.username)).token;
  }
});
afterAll(async () => {
  await ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const as = (role: keyof typeof tokens, lang = 'en') => ({ ...bearer(tokens[role]), 'accept-language': lang });
const em = () => ctx.orm.em.fork();
/** The next start runs the syncs as after a change of the shipped files (otherwise it skips them: startup.ts). */
const forgetSync = () => execSql(em(), `delete from sync_state`);
const count = async (table: string, where = 'true', params: unknown[] = []) =>
  Number((await execSql<{ n: number }>(em(), `select count(*)::int as n from ${table} where ${where}`, params))[0].n);

const single = (over: Record<string, unknown> = {}) => ({
  type: 'single_choice', stem: '持证零售户应当从哪里**进货**？', points: 1, difficulty: 2, language: 'zh', tags: ['进货渠道'],
  modules: ['floating-total-management'], category: '测试/渠道',
  options: [
    { text: '当地烟草公司', correct: true, feedback: '正确。' },
    { text: '镇上批发部', correct: false, feedback: '批发部没有烟草批发资格。' },
    { text: '网上商城', correct: false },
  ],
  explanation: '持证零售户应当在当地烟草公司进货。',
  ...over,
});

async function create(body: Record<string, unknown>, role: keyof typeof tokens = 'trainer') {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/questions', headers: as(role), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('the shipped bank', () => {
  it('is loaded at start with the demo organisation: at least 180 active questions per language, linked to modules', async () => {
    for (const lang of ['zh', 'en']) {
      expect(await count('question', `language = ? and source = 'file' and status = 'active'`, [lang])).toBeGreaterThanOrEqual(180);
    }
    // Every shipped question names its modules, and the links point at real course modules.
    expect(await count('question q', `q.source = 'file' and not exists (select 1 from question_module m where m.question_id = q.id)`)).toBe(0);
    const res = await ctx.app.inject({ url: '/api/questions?language=zh&type=matching&limit=200', headers: as('trainer') });
    expect(res.json().total).toBeGreaterThanOrEqual(6);
    // All nine types arrive.
    const types = await execSql<{ type: string }>(em(), `select distinct v.type from question q join question_version v on v.id = q.current_version_id`);
    expect(types.map((t) => t.type).sort()).toEqual(['essay', 'fill_blank', 'matching', 'multiple_choice', 'numeric', 'ordering', 'short_answer', 'single_choice', 'true_false']);
  });

  it('is idempotent: a second start adds nothing and keeps what trainers changed', async () => {
    const [one] = await execSql<{ id: string }>(em(), `select id from question where key = 'so-001' and language = 'zh'`);
    const before = (await ctx.app.inject({ url: `/api/questions/${one.id}`, headers: as('trainer') })).json();
    const edited = await ctx.app.inject({
      method: 'PUT', url: `/api/questions/${one.id}`, headers: as('trainer'),
      payload: { ...before.question, stem: `${before.question.stem}（已修订）`, baseVersion: before.version.number },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const totals = { questions: await count('question'), versions: await count('question_version'), categories: await count('question_category') };
    await forgetSync();
    await prepareDatabase(ctx.orm, { seedDemo: true, demoPassword: 'Demo-Harbor-2026', dataDir, contentDir: 'content' }, quiet);
    expect({ questions: await count('question'), versions: await count('question_version'), categories: await count('question_category') }).toEqual(totals);
    const after = (await ctx.app.inject({ url: `/api/questions/${one.id}`, headers: as('trainer') })).json();
    expect(after.question.stem).toContain('（已修订）');
  });

  it('is loaded again when a question is missing from the bank', async () => {
    const [q] = await execSql<{ id: string }>(em(), `select id from question where key = 'ip-002' and language = 'en'`);
    await execSql(em(), `delete from question where id = ?`, [q.id]);
    await forgetSync();
    await prepareDatabase(ctx.orm, { seedDemo: true, demoPassword: 'Demo-Harbor-2026', dataDir, contentDir: 'content' }, quiet);
    expect(await count('question', `key = 'ip-002' and language = 'en'`)).toBe(1);
  });
});

describe('creating and reading questions', () => {
  it('creates a question of each of the nine types and reads it back with its learner preview', async () => {
    const bodies = [
      single({ key: 't-single' }),
      { type: 'multiple_choice', key: 't-multi', stem: '哪些是守法经营的要求？', points: 2, difficulty: 2, scoring: 'partial',
        options: [{ text: '持证经营', correct: true }, { text: '正规进货', correct: true }, { text: '出借许可证', correct: false }] },
      { type: 'true_false', key: 't-tf', stem: '总量浮动管理“有上限、无下限”。', points: 1, difficulty: 1, answer: true, feedbackFalse: '再想想。' },
      { type: 'fill_blank', key: 't-fill', stem: '共同价值观：国家利益至上、{{1}}利益至上。', points: 1, difficulty: 1, blanks: [{ answers: ['消费者'] }] },
      { type: 'numeric', key: 't-num', stem: '315 万元 ÷ 105 箱 = ？元/箱', points: 2, difficulty: 3, answers: [{ value: 30000, tolerance: 0 }] },
      { type: 'matching', key: 't-match', stem: '配对：', points: 3, difficulty: 2,
        pairs: [{ left: '上柜率', right: '已上柜客户占比' }, { left: '动销率', right: '有销售的比例' }, { left: '重购率', right: '再次订购的比例' }], distractors: ['指导比例'] },
      { type: 'ordering', key: 't-order', stem: '排序：', points: 2, difficulty: 2, items: ['选准客户', '指导陈列', '收集反馈', '分析数据'] },
      { type: 'short_answer', key: 't-short', stem: '写出答复要点。', points: 5, difficulty: 3, rubric: '说明正规渠道（3分）。' },
      { type: 'essay', key: 't-essay', stem: '谈谈如何提升单箱均价。', points: 10, difficulty: 4, rubric: '分析（3分）；措施（5分）；条理（2分）。' },
    ];
    for (const body of bodies as Record<string, unknown>[]) {
      const created = await create(body);
      expect(created.key).toBe(body.key);
      expect(created.status).toBe('draft');
      expect(created.version.number).toBe(1);
      expect(created.question.type).toBe(body.type);
      const learner = created.preview.learner;
      expect(learner.type).toBe(body.type);
      // The learner view gives nothing away.
      expect(JSON.stringify(learner)).not.toMatch(/"correct"|"weight"|"answer"|feedback|rubric/);
      const read = await ctx.app.inject({ url: `/api/questions/${created.id}`, headers: as('trainer') });
      expect(read.statusCode).toBe(200);
      expect(read.json().question).toEqual(created.question);
    }
  });

  it('renders the stem through the sanitising pipeline and keeps blanks as blanks', async () => {
    const q = await create(single({ key: 't-xss', stem: 'Click <script>alert(1)</script> [here](javascript:alert(1)) **now**', language: 'en' }));
    const html = q.preview.learner.stemHtml;
    expect(html).not.toContain('<script');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<strong>now</strong>');
    const fill = (await ctx.app.inject({ url: '/api/questions?q=t-fill', headers: as('trainer') })).json().items[0];
    const detail = (await ctx.app.inject({ url: `/api/questions/${fill.id}`, headers: as('trainer') })).json();
    expect(detail.preview.learner.stemHtml).toContain('<span class="blank">1</span>');
    expect(detail.preview.learner.blanks).toBe(1);
  });

  it('shuffles ordering items under ids that do not reveal the order', async () => {
    const [row] = await execSql<{ id: string }>(em(), `select id from question where key = 't-order'`);
    const detail = (await ctx.app.inject({ url: `/api/questions/${row.id}`, headers: as('trainer') })).json();
    const shown = detail.preview.learner.items.map((i: { html: string }) => i.html.replace(/<[^>]+>/g, '').trim());
    expect([...shown].sort()).toEqual([...detail.question.items].sort());
    expect(shown).not.toEqual(detail.question.items);
    expect(detail.preview.learner.items.map((i: { id: string }) => i.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers problem+json with a path for every field that is wrong', async () => {
    const res = await ctx.app.inject({
      method: 'POST', url: '/api/questions', headers: as('trainer'),
      payload: single({ key: 'bad one', difficulty: 7, options: [{ text: '甲', correct: true }, { text: '', correct: false }, { text: '丙', correct: true }], modules: ['no-such-module'], category: 'a//b' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    const paths = Object.fromEntries(body.errors.map((e: { path: string; code: string }) => [e.path, e.code]));
    expect(paths).toMatchObject({
      key: 'field.pattern', difficulty: 'question.difficulty_range', 'options.1.text': 'field.required', options: 'question.single_needs_one_correct',
      'modules.0': 'question.unknown_module', category: 'question.category_path',
    });
    expect(body.errors.find((e: { path: string }) => e.path === 'modules.0').message).toBe('no module with id "no-such-module"');
  });

  it('gives the reasons in the language of the request', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/questions', headers: as('trainer', 'zh-CN'), payload: { type: 'riddle', stem: '？', points: 1, difficulty: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'type', code: 'question.unknown_type' });
    expect(res.json().errors[0].message).toContain('题型');
  });

  it('checks a body against its type\'s schema: a field the type does not have is refused, a wrong kind is named', async () => {
    const post = (payload: Record<string, unknown>, url = '/api/questions') => ctx.app.inject({ method: 'POST', url, headers: as('trainer'), payload });
    // `answer` belongs to true/false, `rubric` to person-graded types: neither is a single-choice field.
    for (const url of ['/api/questions', '/api/questions/preview']) {
      const extra = await post(single({ key: 't-extra', answer: true, rubric: '?' }), url);
      expect(extra.statusCode, url).toBe(400);
      expect(extra.headers['content-type']).toContain('application/problem+json');
      const byPath = Object.fromEntries(extra.json().errors.map((e: { path: string; code: string }) => [e.path, e.code]));
      expect(byPath).toEqual({ answer: 'field.unknown', rubric: 'field.unknown' });
    }
    const nested = await post(single({ key: 't-extra', options: [{ text: 'a', correct: true, score: 1 }, { text: 'b' }] }));
    expect(nested.statusCode).toBe(400);
    expect(nested.json().errors).toEqual([expect.objectContaining({ path: 'options.0.score', code: 'field.unknown' })]);
    const kinds = await post({ type: 'numeric', stem: '?', points: '2', difficulty: 2, answers: [{ value: 'ten', tolerance: 0 }] });
    expect(kinds.statusCode).toBe(400);
    const kindPaths = Object.fromEntries(kinds.json().errors.map((e: { path: string; code: string }) => [e.path, e.code]));
    expect(kindPaths).toEqual({ points: 'field.type', 'answers.0.value': 'field.type' });
    const nul = await post(single({ key: 't-extra', stem: 'a\u0000b' }));
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errors).toEqual([expect.objectContaining({ path: 'stem', code: 'field.text_characters' })]);
    expect(await count('question', `key = 't-extra'`)).toBe(0);
  });

  it('refuses a key already used in the language with 409, and accepts it in the other language', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/questions', headers: as('trainer'), payload: single({ key: 't-single' }) });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0]).toMatchObject({ path: 'key', code: 'bank.key_taken' });
    await create(single({ key: 't-single', language: 'en', stem: 'Where do licensed retailers buy?', category: 'Test/Channels' }));
  });

  it('generates a key when none is given', async () => {
    const q = await create(single({ stem: '没有编号的题目' }));
    expect(q.key).toMatch(/^q-[0-9a-f]{10}$/);
  });

  it('needs a rubric before a person-graded question can be active', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/questions', headers: as('trainer'), payload: { type: 'essay', stem: '论述', points: 10, difficulty: 3, status: 'active' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'rubric', code: 'field.required' })]);
  });
});

describe('render once', () => {
  type Kept = { v: number; learner: { stemHtml: string }; answer: { explanationHtml: string } };
  const kept = async (versionId: string) =>
    (await execSql<{ rendered: Kept | null }>(em(), `select rendered from question_version where id = ?`, [versionId]))[0].rendered;
  const detail = async (id: string) => (await ctx.app.inject({ url: `/api/questions/${id}`, headers: as('trainer') })).json();

  it('keeps the rendering with the version and serves it without rendering again', async () => {
    const q = await create(single({ key: 'r-once', stem: 'Render **once** <script>alert(1)</script>', language: 'en' }));
    const stored = await kept(q.version.id);
    expect(stored?.learner).toEqual(q.preview.learner);
    expect(stored?.answer).toEqual(q.preview.answer);
    expect(stored?.learner.stemHtml).toContain('<strong>once</strong>');
    expect(stored?.learner.stemHtml).not.toContain('<script');
    // Change what is kept: a read that rendered the markdown again would not show it.
    await execSql(em(), `update question_version set rendered = jsonb_set(rendered, '{learner,stemHtml}', to_jsonb(?::text)) where id = ?`, ['<p>kept</p>', q.version.id]);
    expect((await detail(q.id)).preview.learner.stemHtml).toBe('<p>kept</p>');
    const version = (await ctx.app.inject({ url: `/api/questions/${q.id}/versions/1`, headers: as('trainer') })).json();
    expect(version.preview.learner.stemHtml).toBe('<p>kept</p>');
    // A save renders the new content and keeps that.
    const saved = await ctx.app.inject({ method: 'PUT', url: `/api/questions/${q.id}`, headers: as('trainer'), payload: { ...q.question, stem: 'Now *twice*', baseVersion: 1 } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().preview.learner.stemHtml).toContain('<em>twice</em>');
    expect((await kept(q.version.id))?.learner.stemHtml).toContain('<em>twice</em>');
  });

  it('renders at start what has no rendering or an older one, and only that', async () => {
    const q = await create(single({ key: 'r-repair', stem: 'Repair **me**', explanation: 'Because _so_.' }));
    await execSql(em(), `update question_version set rendered = null where id = ?`, [q.version.id]);
    // Until the repair, a read renders it (and nothing is lost).
    expect((await detail(q.id)).preview.learner.stemHtml).toContain('<strong>me</strong>');
    const [shipped] = await execSql<{ id: string }>(em(), `select current_version_id as id from question where key = 'so-001' and language = 'en'`);
    await execSql(em(), `update question_version set rendered = jsonb_set(rendered, '{v}', '0') where id = ?`, [shipped.id]);
    const [other] = await execSql<{ id: string }>(em(), `select current_version_id as id from question where key = 'so-002' and language = 'en'`);
    await execSql(em(), `update question_version set rendered = jsonb_set(rendered, '{learner,stemHtml}', to_jsonb(?::text)) where id = ?`, ['<p>current</p>', other.id]);
    await forgetSync();
    await prepareDatabase(ctx.orm, { seedDemo: true, demoPassword: 'Demo-Harbor-2026', dataDir, contentDir: 'content' }, quiet);
    expect(await count('question_version', `rendered is null or rendered->>'v' <> '1'`)).toBe(0);
    const repaired = await kept(q.version.id);
    expect(repaired?.learner.stemHtml).toContain('<strong>me</strong>');
    expect(repaired?.answer.explanationHtml).toContain('<em>so</em>');
    expect((await kept(shipped.id))?.v).toBe(1);
    // A current rendering is left as it is.
    expect((await kept(other.id))?.learner.stemHtml).toBe('<p>current</p>');
  });

  it('keeps nothing in a learner view that gives the answer away, for any stored question', async () => {
    const rows = await execSql<{ learner: unknown; type: string }>(em(), `select rendered->'learner' as learner, type from question_version`);
    expect(rows.length).toBeGreaterThan(300);
    // Only the fields a learner needs to answer: no correct flags, weights, answers, feedback, rubric or explanation.
    const allowed = new Set(['type', 'response', 'points', 'stemHtml', 'options', 'id', 'html', 'blanks', 'matching', 'left', 'right', 'items']);
    const keys = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(keys)
      : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : []);
    for (const r of rows) expect(keys(r.learner).filter((k) => !allowed.has(k)), r.type).toEqual([]);
  });
});

describe('versions', () => {
  async function put(id: string, body: Record<string, unknown>, role: keyof typeof tokens = 'trainer') {
    const res = await ctx.app.inject({ method: 'PUT', url: `/api/questions/${id}`, headers: as(role), payload: body });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  it('edits an unused draft in place', async () => {
    const q = await create(single({ key: 'v-draft' }));
    const saved = await put(q.id, { ...q.question, stem: '改过的题干', baseVersion: 1 });
    expect(saved.version.number).toBe(1);
    expect(saved.version.id).toBe(q.version.id);
    expect(saved.question.stem).toBe('改过的题干');
    expect(await count('question_version', 'question_id = ?', [q.id])).toBe(1);
  });

  it('makes a new version when a used draft is edited, and leaves the used one exactly as it was', async () => {
    const q = await create(single({ key: 'v-used' }));
    // What an exam does when it takes a question: it pins the version and records the use.
    await execSql(em(), `insert into question_usage (id, question_version_id, used_by_type, used_by_id) values (?, ?, 'exam', ?)`, [randomUUID(), q.version.id, randomUUID()]);
    const [before] = await execSql<{ content: unknown; content_hash: string }>(em(), `select content, content_hash from question_version where id = ?`, [q.version.id]);
    const saved = await put(q.id, { ...q.question, options: [...q.question.options.slice(0, 2), { text: '外地批发市场', correct: false }] });
    expect(saved.version.number).toBe(2);
    expect(saved.version.id).not.toBe(q.version.id);
    const [after] = await execSql<{ content: unknown; content_hash: string }>(em(), `select content, content_hash from question_version where id = ?`, [q.version.id]);
    expect(after).toEqual(before);
    // The old version is still readable, as it was.
    const v1 = (await ctx.app.inject({ url: `/api/questions/${q.id}/versions/1`, headers: as('trainer') })).json();
    expect(v1.used).toBe(true);
    expect(v1.current).toBe(false);
    expect(v1.question.options[2].text).toBe('网上商城');
  });

  it('makes a new version on every content save of an active question; filing and status changes make none', async () => {
    const q = await create(single({ key: 'v-active', status: 'active' }));
    const v2 = await put(q.id, { ...q.question, points: 2 });
    expect(v2.version.number).toBe(2);
    const v3 = await put(q.id, { ...v2.question, explanation: '新的解析。', difficulty: 3 });
    expect(v3.version.number).toBe(3);
    const filed = await put(q.id, { ...v3.question, tags: ['换了标签'], category: '测试/别处', status: 'retired' });
    expect(filed.version.number).toBe(3);
    expect(filed.status).toBe('retired');
    expect(filed.tags).toEqual(['换了标签']);
    expect(filed.category).toBe('测试/别处');

    const history = (await ctx.app.inject({ url: `/api/questions/${q.id}/versions`, headers: as('trainer') })).json().items;
    expect(history.map((v: { number: number }) => v.number)).toEqual([3, 2, 1]);
    expect(history[0]).toMatchObject({ current: true, changes: ['difficulty', 'explanation'] });
    expect(history[1]).toMatchObject({ current: false, changes: ['points'], points: 2 });

    const cmp = (await ctx.app.inject({ url: `/api/questions/${q.id}/versions/compare?from=1&to=3`, headers: as('trainer') })).json();
    expect(cmp.changes).toEqual(expect.arrayContaining([
      { path: 'points', before: 1, after: 2 },
      { path: 'difficulty', before: 2, after: 3 },
      { path: 'explanation', before: '持证零售户应当在当地烟草公司进货。', after: '新的解析。' },
    ]));
    expect(cmp.changes).toHaveLength(3);
  });

  it('refuses a save based on an older version (409), and going back to draft', async () => {
    const q = await create(single({ key: 'v-stale', status: 'active' }));
    await put(q.id, { ...q.question, points: 3, baseVersion: 1 });
    const stale = await ctx.app.inject({ method: 'PUT', url: `/api/questions/${q.id}`, headers: as('trainer'), payload: { ...q.question, points: 4, baseVersion: 1 } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().errors[0]).toMatchObject({ path: 'baseVersion', code: 'bank.stale_version' });
    const back = await ctx.app.inject({ method: 'PUT', url: `/api/questions/${q.id}`, headers: as('trainer'), payload: { ...q.question, status: 'draft' } });
    expect(back.statusCode).toBe(400);
    expect(back.json().errors[0]).toMatchObject({ path: 'status', code: 'bank.no_back_to_draft' });
  });

  it('answers 404 for a question or version that does not exist', async () => {
    const missing = await ctx.app.inject({ url: `/api/questions/${randomUUID()}`, headers: as('trainer') });
    expect(missing.statusCode).toBe(404);
    const [row] = await execSql<{ id: string }>(em(), `select id from question where key = 'v-draft'`);
    const version = await ctx.app.inject({ url: `/api/questions/${row.id}/versions/9`, headers: as('trainer') });
    expect(version.statusCode).toBe(404);
  });
});

describe('browsing, categories and bulk actions', () => {
  it('filters by category subtree, tag, type, difficulty, status, language, module and text', async () => {
    const cats = (await ctx.app.inject({ url: '/api/question-categories', headers: as('trainer') })).json().items;
    const root = cats.find((c: { path: string }) => c.path === '货源政策');
    const child = cats.find((c: { path: string }) => c.path === '货源政策/总量浮动');
    expect(child.parentId).toBe(root.id);
    expect(root.total).toBeGreaterThanOrEqual(child.total);
    const list = async (query: string) => (await ctx.app.inject({ url: `/api/questions?${query}`, headers: as('trainer') })).json();
    const inRoot = await list(`categoryId=${root.id}&limit=200`);
    expect(inRoot.total).toBe(root.total);
    expect(inRoot.items.every((i: { category: string }) => i.category.startsWith('货源政策'))).toBe(true);

    const filtered = await list('type=single_choice&difficulty=1&status=active&language=zh&module=floating-total-management&tag=总量浮动');
    expect(filtered.total).toBeGreaterThan(0);
    for (const i of filtered.items) {
      expect(i).toMatchObject({ type: 'single_choice', difficulty: 1, status: 'active', language: 'zh' });
      expect(i.tags).toContain('总量浮动');
      expect(i.modules).toContain('floating-total-management');
    }
    const text = await list(`q=${encodeURIComponent('有上限 无下限')}`);
    expect(text.total).toBeGreaterThan(0);
    const none = await list('q=zzzz-nothing-like-this');
    expect(none).toEqual({ items: [], total: 0 });
    const page = await list('limit=5&offset=5&language=en');
    expect(page.items).toHaveLength(5);
    expect(page.total).toBeGreaterThanOrEqual(180);
  });

  it('lists the tags and modules to filter by', async () => {
    const facets = (await ctx.app.inject({ url: '/api/questions/facets', headers: as('trainer', 'zh') })).json();
    expect(facets.tags.find((t: { tag: string }) => t.tag === '总量浮动').count).toBeGreaterThan(5);
    const mod = facets.modules.find((m: { slug: string }) => m.slug === 'floating-total-management');
    expect(mod.title).toContain('总量浮动管理');
    expect(mod.count).toBeGreaterThan(0);
    expect(facets.counts.active).toBeGreaterThanOrEqual(360);
  });

  it('tags, untags, moves, retires and activates a selection without making versions', async () => {
    const a = await create(single({ key: 'b-1' }));
    const b = await create(single({ key: 'b-2', stem: '第二题' }));
    const essay = await create({ type: 'essay', key: 'b-3', stem: '没有评分标准的论述题', points: 5, difficulty: 3 });
    const ids = [a.id, b.id];
    const bulk = async (payload: Record<string, unknown>) => {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/questions/bulk', headers: as('trainer'), payload });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const versionsBefore = await count('question_version');
    expect((await bulk({ ids, action: 'add_tags', tags: ['月考', '十一月'] })).updated).toBe(2);
    const tagged = (await ctx.app.inject({ url: '/api/questions?tag=月考', headers: as('trainer') })).json();
    expect(tagged.items.map((i: { key: string }) => i.key).sort()).toEqual(['b-1', 'b-2']);
    expect((await ctx.app.inject({ url: '/api/questions?q=十一月', headers: as('trainer') })).json().total).toBe(2);
    await bulk({ ids: [a.id], action: 'remove_tags', tags: ['十一月'] });
    expect((await ctx.app.inject({ url: `/api/questions/${a.id}`, headers: as('trainer') })).json().tags).toEqual(['月考', '进货渠道']);
    await bulk({ ids, action: 'move', category: '月考/十一月' });
    const cats = (await ctx.app.inject({ url: '/api/question-categories', headers: as('trainer') })).json().items;
    expect(cats.find((c: { path: string }) => c.path === '月考/十一月').questions).toBe(2);
    const activated = await bulk({ ids: [...ids, essay.id], action: 'activate' });
    expect(activated.updated).toBe(2);
    expect(activated.skipped).toEqual([expect.objectContaining({ id: essay.id, key: 'b-3', code: 'bank.not_activated' })]);
    expect((await bulk({ ids, action: 'retire' })).updated).toBe(2);
    expect((await ctx.app.inject({ url: `/api/questions/${b.id}`, headers: as('trainer') })).json().status).toBe('retired');
    expect(await count('question_version')).toBe(versionsBefore);

    const bad = await ctx.app.inject({ method: 'POST', url: '/api/questions/bulk', headers: as('trainer'), payload: { ids, action: 'move' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ path: 'category', code: 'bank.needs_category' });
  });

  it('previews an unsaved question and lists what is wrong with it', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/questions/preview', headers: as('trainer'), payload: single({ options: [{ text: '只有一个', correct: true }] }) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.learner.options).toHaveLength(1);
    expect(body.issues.map((i: { path: string }) => i.path)).toContain('options');
    expect(body.answer.options[0]).toMatchObject({ correct: true, weight: 100 });
  });
});

describe('role guards', () => {
  it('every bank operation refuses staff and managers, changes nothing, and never carries a question or its answers', async () => {
    const [row] = await execSql<{ id: string }>(em(), `select id from question where key = 'so-001' and language = 'zh'`);
    const trainerView = (await ctx.app.inject({ url: `/api/questions/${row.id}`, headers: as('trainer') })).json();
    const secrets = [trainerView.question.options[0].text, trainerView.question.options[0].feedback, trainerView.question.explanation];
    const gift = Buffer.from('::q::Question?{=yes ~no}\n').toString('base64');
    const ops = [
      { method: 'GET', url: '/api/questions' },
      { method: 'GET', url: '/api/questions?q=总量' },
      { method: 'GET', url: '/api/questions/facets' },
      { method: 'GET', url: '/api/question-categories' },
      { method: 'GET', url: `/api/questions/${row.id}` },
      { method: 'POST', url: '/api/questions', payload: single({ key: 'guard-1' }) },
      { method: 'PUT', url: `/api/questions/${row.id}`, payload: { ...trainerView.question, stem: 'changed' } },
      { method: 'POST', url: '/api/questions/preview', payload: trainerView.question },
      { method: 'GET', url: `/api/questions/${row.id}/versions` },
      { method: 'GET', url: `/api/questions/${row.id}/versions/1` },
      { method: 'GET', url: `/api/questions/${row.id}/versions/compare?from=1&to=1` },
      { method: 'POST', url: '/api/questions/bulk', payload: { ids: [row.id], action: 'retire' } },
      { method: 'POST', url: '/api/questions/import', payload: { format: 'gift', content: gift, dryRun: false } },
      { method: 'POST', url: '/api/questions/export', payload: { format: 'gift', ids: [row.id] } },
      { method: 'POST', url: '/api/questions/export', payload: { format: 'csv' } },
      { method: 'GET', url: '/api/questions/templates/csv' },
      { method: 'GET', url: '/api/questions/templates/xlsx' },
    ] as const;
    const before = { questions: await count('question'), versions: await count('question_version'), retired: await count('question', `status = 'retired'`) };
    for (const role of ['staff', 'manager'] as const) {
      for (const op of ops) {
        const res = await ctx.app.inject({ method: op.method, url: op.url, headers: as(role), ...('payload' in op ? { payload: op.payload } : {}) });
        expect(res.statusCode, `${role} ${op.method} ${op.url}`).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('forbidden');
        for (const s of secrets) expect(res.body).not.toContain(s);
        expect(res.body).not.toMatch(/"(correct|options|answer|answers|blanks|pairs|items|rubric|weight)"/);
      }
    }
    expect({ questions: await count('question'), versions: await count('question_version'), retired: await count('question', `status = 'retired'`) }).toEqual(before);
    // Without a session: 401.
    expect((await ctx.app.inject({ url: '/api/questions' })).statusCode).toBe(401);
    // Admins may do what trainers do.
    expect((await ctx.app.inject({ url: '/api/questions', headers: as('admin') })).statusCode).toBe(200);
  });

  it('documents every bank operation with an operationId and a tag', async () => {
    const doc = (await ctx.app.inject({ url: '/api/openapi.json' })).json();
    const ops: { path: string; operationId?: string; tags?: string[] }[] = [];
    for (const [path, item] of Object.entries<Record<string, { operationId?: string; tags?: string[] }>>(doc.paths)) {
      if (!path.startsWith('/api/question')) continue;
      for (const op of Object.values(item)) ops.push({ path, ...op });
    }
    const ids = ops.map((o) => o.operationId);
    expect(ids).toEqual(expect.arrayContaining([
      'listQuestions', 'getQuestion', 'createQuestion', 'updateQuestion', 'importQuestions', 'exportQuestions', 'listQuestionCategories',
      'listQuestionVersions', 'compareQuestionVersions', 'bulkUpdateQuestions', 'getQuestionTemplate', 'previewQuestion',
    ]));
    for (const o of ops) expect(o.tags, o.path).toEqual(['questions']);
  });
});
