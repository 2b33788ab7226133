import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';
import { execSql } from '../../api/src/lib/sql.js';
import { readContentTree, syncContent, type ContentTree } from '../../api/src/modules/courses/content-sync.js';
import { parseModuleFile } from '../../api/src/modules/courses/front-matter.js';
import { makePng } from '../helpers/png.js';
import { readZip } from '../helpers/zip-reader.js';

/** A row as `sql` returns it; a test names the columns it reads. */
type Row = Record<string, unknown>;
/** One entry of a problem+json `errors` list. */
interface FieldError { path: string; code: string; message: string }
interface TocItem { id: string; text: string; depth: number }
interface RevisionItem { number: number; origin: string; state: string; current: boolean }

let ctx: TestContext;
let content: ContentTree;
type Who = 'admin' | 'trainer' | 'manager' | 'staff' | 'staff2';
const tokens = {} as Record<Who, string>;
const ids = {} as Record<Who, string>;

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  const made = {
    admin: await makeUser(ctx.orm, { role: 'admin', orgUnitId: tree.company.id }),
    trainer: await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id, displayName: '许培训' }),
    manager: await makeUser(ctx.orm, { role: 'manager', orgUnitId: tree.countyA.id }),
    staff: await makeUser(ctx.orm, { orgUnitId: tree.areaA.id }),
    staff2: await makeUser(ctx.orm, { orgUnitId: tree.areaB.id }),
  };
  for (const [who, u] of Object.entries(made) as [Who, (typeof made)[Who]][]) {
    ids[who] = u.id;
    tokens[who] = (await login(ctx.app, u.username)).token;
  }
  content = readContentTree('content');
  await syncContent(ctx.orm.em.fork(), 'content', ctx.clock.now());
});
afterAll(async () => { await ctx?.close(); });

const as = (who: Who, lang = 'zh') => ({ ...bearer(tokens[who]), 'accept-language': lang });
const get = (who: Who, url: string, lang = 'zh') => ctx.app.inject({ url, headers: as(who, lang) });
const send = (who: Who, method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, lang = 'zh') =>
  ctx.app.inject({ method, url, headers: as(who, lang), ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
const q = <T = Row>(query: string, params: unknown[] = []) => execSql<T>(ctx.orm.em.fork(), query, params);

async function moduleId(slug: string): Promise<string> {
  const [m] = await q<{ id: string }>(`select id from course_module where slug = ?`, [slug]);
  return m.id;
}

async function counts() {
  const [r] = await q(`select (select count(*) from course_module)::int as modules, (select count(*) from module_revision)::int as revisions,
                              (select count(*) from module_asset)::int as assets, (select count(*) from study_progress)::int as progress`);
  return r;
}

function expectProblem(res: LightMyRequestResponse, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  if (code) expect(res.json().code).toBe(code);
  return res.json();
}

const slugsOf = (res: LightMyRequestResponse) => {
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.map((i: { slug: string }) => i.slug) as string[];
};

const locale = (title: string, body: string, over: Record<string, unknown> = {}) => ({
  title, summary: `${title}的概要`, objectives: ['说出要点'], tags: ['测试标签'], body, ...over,
});

async function createModule(who: Who, over: Record<string, unknown> = {}) {
  const res = await send(who, 'POST', '/api/modules', {
    trackId: 'etiquette-communication', minutes: 10, positions: ['account_manager'],
    locales: { zh: locale('新建模块', '# 新建模块\n\n## 第一节\n\n第一版正文。\n') }, ...over,
  });
  return res;
}

/** Reads a module as a learner would (the heartbeat route), enough to complete it. */
async function completeModule(who: Who, slug: string) {
  const id = await moduleId(slug);
  const [{ minutes }] = await q<{ minutes: number }>(`select r.minutes from module_revision r join course_module m on m.published_revision_id = r.id where m.id = ?`, [id]);
  const clientId = randomUUID();
  let spent = 0;
  for (let seq = 1; spent < minutes * 30 + 120; seq++) {
    const res = await send(who, 'POST', `/api/modules/${id}/progress`, { clientId, seq, seconds: 120, reachedEnd: spent + 120 >= minutes * 30 });
    expect(res.statusCode, res.body).toBe(200);
    spent = res.json().secondsSpent;
    if (res.json().completedAt) return res.json();
    ctx.clock.advance(120_000);
  }
  throw new Error(`${slug} did not complete`);
}


function multipart(filename: string, data: Buffer, type = 'image/png') {
  const boundary = `----vitest${randomUUID().replace(/-/g, '')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head, 'utf8'), data, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const upload = (who: Who, id: string, filename: string, data: Buffer, type?: string) => {
  const m = multipart(filename, data, type);
  return ctx.app.inject({ method: 'POST', url: `/api/modules/${id}/assets`, headers: { ...as(who, 'en'), ...m.headers }, payload: m.payload });
};

/**
 * The entries of a ZIP, read by Python's zipfile (independent of the writer) from the central directory: every
 * entry's CRC-32 checked against its inflated data, sizes as declared, names flagged UTF-8.
 */
function unzip(buf: Buffer): Map<string, Buffer> {
  const { bad, entries } = readZip(buf);
  expect(bad).toBeNull();
  const out = new Map<string, Buffer>();
  for (const e of entries) {
    expect(e.size).toBe(e.data.length);
    expect(crc32(e.data) >>> 0).toBe(e.crc);
    if (/[^\x20-\x7e]/.test(e.name)) expect(e.flagUtf8).toBe(true);
    out.set(e.name, e.data);
  }
  expect(out.size).toBe(entries.length); // no name twice
  return out;
}

const specOf = (slug: string) => content.modules.find((m) => m.slug === slug)!;
const trackSlugs = (trackId: string) => content.modules.filter((m) => m.trackId === trackId).sort((a, b) => a.order - b.order).map((m) => m.slug);

// ---------------------------------------------------------------------------------------------------------------------

describe('the catalogue', () => {
  it('lists the six tracks in order, in the reader\'s language, with module counts', async () => {
    const zh = (await get('staff', '/api/tracks', 'zh')).json().items;
    const en = (await get('staff', '/api/tracks', 'en-GB,en;q=0.9')).json().items;
    const expected = [...content.tracks].sort((a, b) => a.order - b.order);
    expect(zh.map((t: { id: string }) => t.id)).toEqual(expected.map((t) => t.id));
    expect(zh.map((t: { title: string }) => t.title)).toEqual(expected.map((t) => t.title.zh));
    expect(en.map((t: { title: string }) => t.title)).toEqual(expected.map((t) => t.title.en));
    expect(en.map((t: { summary: string }) => t.summary)).toEqual(expected.map((t) => t.summary.en));
    for (const t of zh) {
      expect(t.modules, t.id).toBe(trackSlugs(t.id).length);
      expect(t).toMatchObject({ completed: 0, percent: 0 });
    }
    expect(zh.reduce((n: number, t: { modules: number }) => n + t.modules, 0)).toBe(content.modules.length);
  });

  it('lists every published module in track and module order', async () => {
    const items = (await get('staff', '/api/modules', 'en')).json().items;
    const order = [...content.tracks].sort((a, b) => a.order - b.order).flatMap((t) => trackSlugs(t.id));
    expect(items.map((i: { slug: string }) => i.slug)).toEqual(order);
    const first = items[0];
    const spec = specOf(first.slug);
    expect(first).toMatchObject({ lang: 'en', fallback: false, title: spec.locales.en.fm.title, minutes: spec.minutes, status: 'published', progress: null, assignment: null, hasConflict: false });
  });

  it('searches Chinese words across both languages', async () => {
    expect(slugsOf(await get('staff', `/api/modules?q=${encodeURIComponent('演讲比赛')}`, 'en'))).toEqual(['meeting-and-contest-speaking']);
    const fake = slugsOf(await get('staff', `/api/modules?q=${encodeURIComponent('假烟')}`));
    expect(fake.sort()).toEqual(['customer-service-information-delivery', 'monopoly-law-retail-licensing', 'monopoly-system-industry-values', 'recognising-illegal-retail-business'].sort());
  });

  it('searches English words regardless of case and surrounding spaces', async () => {
    expect(slugsOf(await get('staff', `/api/modules?q=${encodeURIComponent('  Speech CONTEST ')}`, 'zh'))).toEqual(['meeting-and-contest-speaking']);
    expect(slugsOf(await get('staff', '/api/modules?q=counterfeit')).sort()).toEqual(['customer-service-information-delivery', 'monopoly-law-retail-licensing', 'recognising-illegal-retail-business'].sort());
    expect(slugsOf(await get('staff', '/api/modules?q=zzzz-no-such-words'))).toEqual([]);
    // LIKE wildcards in the query are literal characters, not patterns.
    expect(slugsOf(await get('staff', `/api/modules?q=${encodeURIComponent('演讲%比赛')}`))).toEqual([]);
    expect(slugsOf(await get('staff', `/api/modules?q=${encodeURIComponent('speech_contest')}`))).toEqual([]);
  });

  it('filters by track, by tag in the reader\'s language, and combines filters', async () => {
    expect(slugsOf(await get('staff', '/api/modules?trackId=supply-ordering'))).toEqual(trackSlugs('supply-ordering'));
    expect(slugsOf(await get('staff', '/api/modules?trackId=no-such-track'))).toEqual([]);
    const tagged = (lang: 'zh' | 'en', tag: string) => content.modules.filter((m) => m.locales[lang].fm.tags.includes(tag)).map((m) => m.slug).sort();
    expect(tagged('zh', '飞信').length).toBeGreaterThan(1);
    expect(slugsOf(await get('staff', `/api/modules?tag=${encodeURIComponent('飞信')}`, 'zh')).sort()).toEqual(tagged('zh', '飞信'));
    expect(slugsOf(await get('staff', `/api/modules?tag=${encodeURIComponent('total-quantity floating')}`, 'en')).sort()).toEqual(tagged('en', 'total-quantity floating'));
    const both = slugsOf(await get('staff', `/api/modules?trackId=etiquette-communication&tag=${encodeURIComponent('飞信')}`));
    expect(both).toEqual(tagged('zh', '飞信').filter((s) => specOf(s).trackId === 'etiquette-communication'));
    const searchInTrack = slugsOf(await get('staff', `/api/modules?trackId=laws-regulations&q=counterfeit`));
    expect(searchInTrack.sort()).toEqual(['monopoly-law-retail-licensing', 'recognising-illegal-retail-business']);
  });

  it('filters to what is assigned to the learner', async () => {
    expect(slugsOf(await get('staff', '/api/modules?assigned=true'))).toEqual([]);
    const target = await moduleId('v3-overview-daily-routine');
    const due = new Date(ctx.clock.now().getTime() + 20 * 86400_000).toISOString().slice(0, 10);
    const a = await send('trainer', 'POST', '/api/assignments', { targetType: 'module', targetId: target, userIds: [ids.staff], dueOn: due });
    expect(a.statusCode, a.body).toBe(201);
    const mine = (await get('staff', '/api/modules?assigned=true')).json().items;
    expect(mine.map((i: { slug: string; assignment: unknown }) => [i.slug, i.assignment])).toEqual([['v3-overview-daily-routine', { dueOn: due }]]);
    expect(slugsOf(await get('staff2', '/api/modules?assigned=true'))).toEqual([]);
  });

  it('filters to what is unfinished, and counts completed modules per track', async () => {
    const done = await completeModule('staff', 'phone-and-message-etiquette');
    expect(done.completedAt).not.toBeNull();
    const unfinished = slugsOf(await get('staff', '/api/modules?unfinished=true'));
    expect(unfinished).not.toContain('phone-and-message-etiquette');
    expect(unfinished).toHaveLength(content.modules.length - 1);
    expect(slugsOf(await get('staff2', '/api/modules?unfinished=true'))).toHaveLength(content.modules.length);
    const listed = (await get('staff', '/api/modules?trackId=etiquette-communication')).json().items.find((i: { slug: string }) => i.slug === 'phone-and-message-etiquette');
    expect(listed.progress).toMatchObject({ reachedEnd: true });
    expect(listed.completion).toMatchObject({ percent: 100, complete: true, remaining: { minutes: 0, sections: 0, end: false } });
    const track = (await get('staff', '/api/tracks')).json().items.find((t: { id: string }) => t.id === 'etiquette-communication');
    const n = trackSlugs('etiquette-communication').length;
    expect(track).toMatchObject({ completed: 1, modules: n, percent: Math.round(100 / n) });
    // Another learner's completion is theirs alone.
    expect((await get('staff2', '/api/tracks')).json().items.find((t: { id: string }) => t.id === 'etiquette-communication').completed).toBe(0);
  });
});

describe('the reader', () => {
  it('opens a module by slug and by id, in the reader\'s language, with its table of contents', async () => {
    const slug = 'floating-total-management';
    const id = await moduleId(slug);
    const bySlug = (await get('staff', `/api/modules/${slug}`, 'zh')).json();
    const byId = (await get('staff', `/api/modules/${id}`, 'zh')).json();
    expect(byId).toEqual(bySlug);
    const spec = specOf(slug);
    expect(bySlug).toMatchObject({
      id, slug, trackId: 'supply-ordering', trackTitle: '货源政策与订单供货', lang: 'zh', fallback: false, title: spec.locales.zh.fm.title,
      minutes: spec.minutes, objectives: spec.locales.zh.fm.objectives, revision: { number: 1, state: 'published' },
      completionSeconds: spec.minutes * 30,
    });
    expect(bySlug.languages.sort()).toEqual(['en', 'zh']);
    const h2 = [...spec.locales.zh.body.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim());
    expect(bySlug.toc.filter((t: TocItem) => t.depth === 2).map((t: TocItem) => t.text)).toEqual(h2);
    for (const t of bySlug.toc) expect(bySlug.html).toContain(`id="${t.id}"`);

    const en = (await get('staff', `/api/modules/${slug}`, 'en')).json();
    expect(en).toMatchObject({ lang: 'en', fallback: false, title: spec.locales.en.fm.title, trackTitle: 'Supply policy and ordering' });
    expect(en.toc.map((t: { id: string }) => t.id)).not.toEqual(bySlug.toc.map((t: { id: string }) => t.id));
  });

  it('links to the previous and next module of the same track', async () => {
    const slugs = trackSlugs('supply-ordering');
    const read = async (s: string) => (await get('staff', `/api/modules/${s}`)).json();
    expect(await read(slugs[0])).toMatchObject({ previous: null, next: slugs[1] });
    expect(await read(slugs[1])).toMatchObject({ previous: slugs[0], next: slugs[2] });
    expect(await read(slugs[slugs.length - 1])).toMatchObject({ previous: slugs[slugs.length - 2], next: null });
  });

  it('answers 404 for an unknown slug or id', async () => {
    expectProblem(await get('staff', '/api/modules/no-such-module'), 404, 'not_found');
    expectProblem(await get('staff', `/api/modules/${randomUUID()}`), 404, 'not_found');
  });

  it('falls back to the other language, and says so, when a module has only one', async () => {
    const created = await createModule('trainer', { locales: { zh: locale('只有中文', '# 只有中文\n\n## 唯一一节\n\n正文。\n') } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await send('trainer', 'POST', `/api/modules/${id}/publish`)).statusCode).toBe(200);
    const en = (await get('staff', `/api/modules/${id}`, 'en')).json();
    expect(en).toMatchObject({ lang: 'zh', fallback: true, languages: ['zh'], title: '只有中文', trackTitle: 'Etiquette and communication' });
    expect(en.toc).toEqual([{ id: '唯一一节', text: '唯一一节', depth: 2 }]);
    const listed = (await get('staff', '/api/modules?trackId=etiquette-communication', 'en')).json().items.find((i: { id: string }) => i.id === id);
    expect(listed).toMatchObject({ lang: 'zh', fallback: true, title: '只有中文' });
    const zh = (await get('staff', `/api/modules/${id}`, 'zh')).json();
    expect(zh).toMatchObject({ lang: 'zh', fallback: false });
    // It joined the end of its track.
    const last = trackSlugs('etiquette-communication').at(-1)!;
    expect(en.previous).toBe(last);
    expect((await get('staff', `/api/modules/${last}`)).json().next).toBe(created.json().slug);
  });
});

describe('drafts', () => {
  it('a module never published is invisible to staff and managers, visible to its authors', async () => {
    const created = await createModule('trainer', { slug: 'draft-only-module' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ published: false, hasDraft: true, source: 'browser', revision: { number: 1, state: 'draft' } });
    const id = created.json().id;
    for (const who of ['staff', 'manager'] as const) {
      expectProblem(await get(who, `/api/modules/${id}`), 404, 'not_found');
      expectProblem(await get(who, '/api/modules/draft-only-module'), 404, 'not_found');
      expect(slugsOf(await get(who, '/api/modules?includeDrafts=true'))).not.toContain('draft-only-module');
      expectProblem(await send(who, 'POST', `/api/modules/${id}/progress`, { clientId: 'c', seq: 1, seconds: 10 }), 404);
    }
    expect(slugsOf(await get('trainer', '/api/modules'))).not.toContain('draft-only-module');
    const authorList = (await get('trainer', '/api/modules?includeDrafts=true')).json().items;
    expect(authorList.find((i: { slug: string }) => i.slug === 'draft-only-module')).toMatchObject({ status: 'draft' });
    expect((await get('trainer', `/api/modules/${id}?draft=true`)).json()).toMatchObject({ title: '新建模块', revision: { state: 'draft' } });
    // A draft cannot be discarded when it is all the module has.
    expectProblem(await send('trainer', 'DELETE', `/api/modules/${id}/draft`), 409, 'conflict');
  });

  it('while a published module has a draft, staff keep reading the published text', async () => {
    const slug = 'am-visiting-etiquette';
    const id = await moduleId(slug);
    const src = (await get('trainer', `/api/modules/${id}/source`)).json();
    const patched = await send('trainer', 'PATCH', `/api/modules/${id}`, {
      locales: { ...src.locales, zh: { ...src.locales.zh, title: '拜访礼仪（草稿标题）', body: `${src.locales.zh.body}\n\n## 草稿新增\n\n草稿里的内容。\n` } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ hasDraft: true, published: true, revision: { number: 2, state: 'draft' } });

    const published = specOf(slug).locales.zh.fm.title;
    for (const url of [`/api/modules/${slug}`, `/api/modules/${slug}?draft=true`]) {
      const r = (await get('staff', url)).json();
      expect(r).toMatchObject({ title: published, revision: { number: 1, state: 'published' } });
      expect(r.html).not.toContain('草稿里的内容');
    }
    expect((await get('staff', '/api/modules?q=' + encodeURIComponent('草稿里的内容'))).json().items).toEqual([]);
    expect((await get('trainer', `/api/modules/${slug}`)).json().title).toBe(published);
    expect((await get('trainer', `/api/modules/${slug}?draft=true`)).json()).toMatchObject({ title: '拜访礼仪（草稿标题）', revision: { number: 2, state: 'draft' } });
    const authorItem = (await get('trainer', '/api/modules?includeDrafts=true&trackId=etiquette-communication')).json().items.find((i: { slug: string }) => i.slug === slug);
    expect(authorItem).toMatchObject({ status: 'published_with_draft', title: '拜访礼仪（草稿标题）' });
    // Leave the module as it was for the tests below.
    expect((await send('trainer', 'DELETE', `/api/modules/${id}/draft`)).statusCode).toBe(200);
  });
});

describe('authoring is for trainers and admins', () => {
  it('refuses every authoring operation to staff and managers with 403, and changes nothing', async () => {
    const id = await moduleId('floating-total-management');
    const before = await counts();
    const png = multipart('x.png', makePng());
    const ops: { method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; url: string; payload?: InjectOptions['payload']; headers?: Record<string, string> }[] = [
      { method: 'POST', url: '/api/modules', payload: { trackId: 'supply-ordering', minutes: 10, positions: ['account_manager'], locales: { zh: locale('越权', '# x\n') } } },
      { method: 'PATCH', url: `/api/modules/${id}`, payload: { minutes: 99 } },
      { method: 'POST', url: `/api/modules/${id}/publish` },
      { method: 'DELETE', url: `/api/modules/${id}/draft` },
      { method: 'PUT', url: `/api/modules/${id}/archived`, payload: { archived: true } },
      { method: 'GET', url: `/api/modules/${id}/source` },
      { method: 'GET', url: `/api/modules/${id}/revisions` },
      { method: 'GET', url: `/api/modules/${id}/revisions/compare?from=1&to=1` },
      { method: 'POST', url: `/api/modules/${id}/revisions/1/restore` },
      { method: 'POST', url: `/api/modules/${id}/conflict`, payload: { resolution: 'keep_browser' } },
      { method: 'GET', url: `/api/modules/${id}/export` },
      { method: 'GET', url: `/api/modules/${id}/assets` },
      { method: 'POST', url: `/api/modules/${id}/assets`, payload: png.payload, headers: png.headers },
      { method: 'POST', url: '/api/markdown/preview', payload: { markdown: '# hi' } },
    ];
    for (const who of ['staff', 'manager'] as const) {
      for (const op of ops) {
        const res = await ctx.app.inject({ method: op.method, url: op.url, payload: op.payload, headers: { ...as(who, 'en'), ...(op.headers ?? {}) } });
        expectProblem(res, 403, 'forbidden');
      }
    }
    expect(await counts()).toEqual(before);
    expect((await get('staff', `/api/modules/${id}`)).json()).toMatchObject({ minutes: specOf('floating-total-management').minutes, revision: { number: 1 } });
  });

  it('lets a trainer preview markdown through the same sanitising pipeline', async () => {
    const id = await moduleId('floating-total-management');
    const res = await send('trainer', 'POST', '/api/markdown/preview', { markdown: '## 小节\n\n![图](a.png)\n\n<script>alert(1)</script>', moduleId: id });
    expect(res.statusCode).toBe(200);
    expect(res.json().toc).toEqual([{ id: '小节', text: '小节', depth: 2 }]);
    expect(res.json().html).toContain(`src="/api/modules/${id}/assets/a.png"`);
    expect(res.json().html).not.toMatch(/<script/i);
  });
});

describe('bad input', () => {
  const cases: { name: string; body: Record<string, unknown>; path: string; code: string }[] = [
    { name: 'an empty title', body: { locales: { zh: locale('', '# x\n') } }, path: 'locales.zh.title', code: 'field.required' },
    { name: 'a title of spaces', body: { locales: { en: locale('   ', '# x\n') } }, path: 'locales.en.title', code: 'field.pattern' },
    { name: 'an unknown track', body: { trackId: 'no-such-track' }, path: 'trackId', code: 'course.unknown_track' },
    { name: 'no language', body: { locales: {} }, path: 'locales', code: 'course.no_language' },
    { name: 'minutes out of range', body: { minutes: 0 }, path: 'minutes', code: 'field.minimum' },
    { name: 'an unknown position', body: { positions: ['cashier'] }, path: 'positions.0', code: 'field.enum' },
    { name: 'a bad slug', body: { slug: 'Not A Slug' }, path: 'slug', code: 'field.pattern' },
  ];

  it.each(cases)('creating a module with $name gives 400 problem+json naming the field, and saves nothing', async ({ body, path, code }) => {
    const before = await counts();
    const res = await createModule('trainer', body);
    const p = expectProblem(res, 400, 'validation_failed');
    expect(p.errors, res.body).toContainEqual({ path, code, message: expect.any(String) });
    expect(await counts()).toEqual(before);
  });

  it('reports several bad fields at once', async () => {
    const res = await send('trainer', 'POST', '/api/modules', { trackId: 'supply-ordering', minutes: 500, positions: [], locales: { zh: locale('', '# x') } });
    const p = expectProblem(res, 400);
    expect(p.errors.map((e: FieldError) => e.path).sort()).toEqual(['locales.zh.title', 'minutes', 'positions']);
  });

  it('refuses a slug that is taken with 409, naming the field', async () => {
    const p = expectProblem(await createModule('trainer', { slug: 'floating-total-management' }), 409, 'conflict');
    expect(p.errors).toEqual([{ path: 'slug', code: 'course.slug_taken', message: expect.any(String) }]);
  });

  it('refuses bad changes to an existing module and leaves it untouched', async () => {
    const id = await moduleId('supply-allocation-forecasting');
    const before = await q(`select * from course_module where id = ?`, [id]);
    const revs = await counts();
    const src = (await get('trainer', `/api/modules/${id}/source`)).json();
    const bad = [
      { payload: { locales: { ...src.locales, zh: { ...src.locales.zh, title: '' } } }, path: 'locales.zh.title' },
      { payload: { trackId: 'no-such-track' }, path: 'trackId' },
      { payload: { locales: {} }, path: 'locales' },
      { payload: {}, path: '' },
    ];
    for (const b of bad) {
      const p = expectProblem(await send('trainer', 'PATCH', `/api/modules/${id}`, b.payload, 'en'), 400);
      if (b.path) expect(p.errors.map((e: FieldError) => e.path)).toContain(b.path);
    }
    expect(await q(`select * from course_module where id = ?`, [id])).toEqual(before);
    expect(await counts()).toEqual(revs);
  });
});

describe('publishing and revisions', () => {
  let id: string;
  let slug: string;
  const body1 = '# 草稿课程\n\n## 一、开始\n\n第一版的说法。\n';
  const body2 = '# 草稿课程\n\n## 一、开始\n\n第二版的说法。\n\n## 二、新增\n\n更多内容。\n';

  it('publishing makes the draft the revision learners read', async () => {
    const created = await createModule('trainer', { locales: { zh: locale('草稿课程', body1), en: locale('Draft course', '# Draft course\n\n## Start\n\nFirst.\n') } });
    id = created.json().id;
    slug = created.json().slug;
    expect(slug).toMatch(/^m-[0-9a-f]{8}$/);
    expectProblem(await get('staff', `/api/modules/${id}`), 404);
    const published = await send('trainer', 'POST', `/api/modules/${id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ published: true, hasDraft: false, revision: { number: 1, state: 'published' } });
    const read = (await get('staff', `/api/modules/${slug}`)).json();
    expect(read).toMatchObject({ title: '草稿课程', revision: { number: 1, state: 'published' } });
    expect(read.revision.publishedAt).toBe(ctx.clock.now().toISOString());
    expect(read.html).toContain('第一版的说法');

    ctx.clock.advance(3600_000);
    const src = (await get('trainer', `/api/modules/${id}/source`)).json();
    const patched = await send('trainer', 'PATCH', `/api/modules/${id}`, { minutes: 15, locales: { ...src.locales, zh: { ...src.locales.zh, body: body2 } } });
    expect(patched.json()).toMatchObject({ hasDraft: true, minutes: 15, revision: { number: 2, state: 'draft' } });
    // Saving the draft again edits it in place.
    const again = await send('trainer', 'PATCH', `/api/modules/${id}`, { minutes: 16 });
    expect(again.json()).toMatchObject({ minutes: 16, revision: { number: 2, state: 'draft' } });
    expect(again.json().locales.zh.body).toBe(body2);
    expect((await get('staff', `/api/modules/${slug}`)).json()).toMatchObject({ minutes: 10, revision: { number: 1 } });

    expect((await send('trainer', 'POST', `/api/modules/${id}/publish`)).statusCode).toBe(200);
    const after = (await get('staff', `/api/modules/${slug}`)).json();
    expect(after).toMatchObject({ minutes: 16, revision: { number: 2, state: 'published' } });
    expect(after.html).toContain('第二版的说法');
    expect(after.toc.map((t: TocItem) => t.text)).toEqual(['一、开始', '二、新增']);
    expectProblem(await send('trainer', 'POST', `/api/modules/${id}/publish`), 409, 'conflict');
  });

  it('lists revisions newest first and compares two of them', async () => {
    const revs = (await get('trainer', `/api/modules/${id}/revisions`)).json().items;
    expect(revs.map((r: RevisionItem) => [r.number, r.origin, r.state, r.current])).toEqual([[2, 'browser', 'published', true], [1, 'browser', 'published', false]]);
    expect(revs[0]).toMatchObject({ author: '许培训', title: { zh: '草稿课程', en: 'Draft course' }, minutes: 16 });

    const cmp = await get('trainer', `/api/modules/${id}/revisions/compare?from=1&to=2&lang=zh`);
    expect(cmp.statusCode).toBe(200);
    const changes = cmp.json().changes as { op: string; text: string }[];
    expect(changes.filter((c) => c.op === 'remove').map((c) => c.text).join('')).toContain('第一版的说法');
    expect(changes.filter((c) => c.op === 'add').map((c) => c.text).join('')).toContain('第二版的说法');
    expect(changes.filter((c) => c.op === 'remove').map((c) => c.text).join('')).toContain('minutes: 10');
    expect(changes.filter((c) => c.op === 'add').map((c) => c.text).join('')).toContain('minutes: 16');
    expect(changes.some((c) => c.op === 'equal' && c.text.includes('# 草稿课程'))).toBe(true);
    expectProblem(await get('trainer', `/api/modules/${id}/revisions/compare?from=1&to=9`), 404);
  });

  it('restoring an old revision publishes its text as a new revision and keeps history', async () => {
    const res = await send('trainer', 'POST', `/api/modules/${id}/revisions/1/restore`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().revision).toEqual({ number: 3, state: 'published' });
    const read = (await get('staff', `/api/modules/${slug}`)).json();
    expect(read).toMatchObject({ minutes: 10, revision: { number: 3 } });
    expect(read.html).toContain('第一版的说法');
    const revs = (await get('trainer', `/api/modules/${id}/revisions`)).json().items;
    expect(revs.map((r: RevisionItem) => [r.number, r.origin, r.current])).toEqual([[3, 'restore', true], [2, 'browser', false], [1, 'browser', false]]);
    expectProblem(await send('trainer', 'POST', `/api/modules/${id}/revisions/42/restore`), 404);
  });

  it('discarding a draft removes it and leaves the published text', async () => {
    const src = (await get('trainer', `/api/modules/${id}/source`)).json();
    await send('trainer', 'PATCH', `/api/modules/${id}`, { locales: { ...src.locales, zh: { ...src.locales.zh, body: '# 要丢弃\n\n## x\n\n丢弃的内容。\n' } } });
    expect((await get('trainer', `/api/modules/${id}/revisions`)).json().items[0]).toMatchObject({ number: 4, state: 'draft' });
    const res = await send('admin', 'DELETE', `/api/modules/${id}/draft`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ hasDraft: false, revision: { number: 3, state: 'published' } });
    expect(res.json().locales.zh.body).toBe(body1);
    expect((await get('trainer', `/api/modules/${id}/revisions`)).json().items.map((r: RevisionItem) => r.number)).toEqual([3, 2, 1]);
    expect((await get('staff', `/api/modules/${slug}`)).json().revision.number).toBe(3);
    expectProblem(await send('trainer', 'DELETE', `/api/modules/${id}/draft`), 409, 'conflict');
  });

  it('archiving hides a module from learners; unarchiving brings it back', async () => {
    expect((await send('trainer', 'PUT', `/api/modules/${id}/archived`, { archived: true })).json().archived).toBe(true);
    expectProblem(await get('staff', `/api/modules/${slug}`), 404);
    expect(slugsOf(await get('staff', '/api/modules'))).not.toContain(slug);
    expect((await send('trainer', 'PUT', `/api/modules/${id}/archived`, { archived: false })).json().archived).toBe(false);
    expect((await get('staff', `/api/modules/${slug}`)).statusCode).toBe(200);
  });
});

describe('export', () => {
  it('returns a zip with index.zh.md and index.en.md whose front matter reads back', async () => {
    const created = await createModule('trainer', {
      slug: 'export-me', minutes: 12, positions: ['account_manager', 'marketing_manager'],
      locales: {
        zh: locale('导出：“引号”课程', '# 导出课程\n\n## 一节\n\n正文 **加粗**。\n', { tags: ['导出', '测试'], objectives: ['目标一', '目标二'] }),
        en: locale('Export: "quoted" course', '# Export\n\n## Part\n\nText.\n', { tags: ['export'] }),
      },
    });
    const id = created.json().id;
    const png = makePng();
    expect((await upload('trainer', id, 'Diagram.PNG', png)).statusCode).toBe(201);
    expect((await send('trainer', 'POST', `/api/modules/${id}/publish`)).statusCode).toBe(200);

    const res = await get('trainer', `/api/modules/${id}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="export-me.zip"');
    const entries = unzip(res.rawPayload);
    const [{ n }] = await q(`select sort_order as n from course_module where id = ?`, [id]);
    const folder = `06-etiquette-communication/${String(n).padStart(2, '0')}-export-me`;
    expect([...entries.keys()].sort()).toEqual([`${folder}/diagram.png`, `${folder}/index.en.md`, `${folder}/index.zh.md`]);
    expect(entries.get(`${folder}/diagram.png`)!.equals(png)).toBe(true);

    const zh = entries.get(`${folder}/index.zh.md`)!.toString('utf8');
    expect(zh.startsWith('---\nid: export-me\n')).toBe(true);
    const parsed = parseModuleFile(zh);
    expect(parsed.issues).toEqual([]);
    expect(parsed.data).toEqual({
      id: 'export-me', title: '导出：“引号”课程', summary: '导出：“引号”课程的概要', objectives: ['目标一', '目标二'], minutes: 12,
      tags: ['导出', '测试'], positions: ['account_manager', 'marketing_manager'],
    });
    expect(parsed.body).toBe('# 导出课程\n\n## 一节\n\n正文 **加粗**。\n');
    const en = parseModuleFile(entries.get(`${folder}/index.en.md`)!.toString('utf8'));
    expect(en.issues).toEqual([]);
    expect(en.data?.title).toBe('Export: "quoted" course');
  });

  it('exports a module from the content folder under its own path', async () => {
    const spec = specOf('floating-total-management');
    const entries = unzip((await get('admin', `/api/modules/${await moduleId(spec.slug)}/export`)).rawPayload);
    const zh = parseModuleFile(entries.get(`${spec.sourcePath}/index.zh.md`)!.toString('utf8'));
    expect(zh.issues).toEqual([]);
    expect(zh.data).toEqual(spec.locales.zh.fm);
    expect(zh.body.trim()).toBe(spec.locales.zh.body.trim());
    expect(entries.has(`${spec.sourcePath}/index.en.md`)).toBe(true);
  });
});

describe('images', () => {
  let id: string;
  const png = makePng();

  it('stores an uploaded PNG and serves it with its content type', async () => {
    id = (await createModule('trainer', { slug: 'with-images' })).json().id;
    const res = await upload('trainer', id, '流程 图 Flow.png', png);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ filename: 'flow.png', url: `/api/modules/${id}/assets/flow.png`, markdown: '![](flow.png)' });

    const served = await get('trainer', `/api/modules/${id}/assets/flow.png`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.rawPayload.equals(png)).toBe(true);
    const etag = served.headers.etag as string;
    const cached = await ctx.app.inject({ url: `/api/modules/${id}/assets/flow.png`, headers: { ...as('trainer'), 'if-none-match': etag } });
    expect(cached.statusCode).toBe(304);

    const list = (await get('trainer', `/api/modules/${id}/assets`)).json().items;
    expect(list).toEqual([{ filename: 'flow.png', mime: 'image/png', size: png.length, url: `/api/modules/${id}/assets/flow.png` }]);
    // The same bytes again are the same asset, not a copy.
    expect((await upload('trainer', id, 'again.png', png)).json().filename).toBe('flow.png');
    expect((await get('trainer', `/api/modules/${id}/assets`)).json().items).toHaveLength(1);
    // The type is read from the bytes, not the name.
    const misnamed = await upload('admin', id, 'photo.jpg', Buffer.concat([png, Buffer.from([0])]));
    expect(misnamed.json().filename).toBe('photo.png');
    expect((await get('trainer', `/api/modules/${id}/assets/photo.png`)).headers['content-type']).toBe('image/png');
  });

  const refused: { name: string; file: () => [string, Buffer]; code: string }[] = [
    { name: 'text bytes named .png', file: () => ['notes.png', Buffer.from('this is not an image, just text\n'.repeat(20))], code: 'course.not_an_image' },
    { name: 'an SVG (it can carry script)', file: () => ['evil.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')], code: 'course.not_an_image' },
    { name: 'an image over 2 MB', file: () => ['huge.png', Buffer.concat([png, Buffer.alloc(2 * 1024 * 1024 + 10)])], code: 'course.image_too_large' },
    { name: 'an empty file', file: () => ['empty.png', Buffer.alloc(0)], code: 'course.empty_file' },
  ];

  it.each(refused)('refuses $name with a field error on file, and saves nothing', async ({ file, code }) => {
    const before = await counts();
    const [name, data] = file();
    const res = await upload('trainer', id, name, data);
    const p = expectProblem(res, 400, 'validation_failed');
    expect(p.errors).toEqual([{ path: 'file', code, message: expect.any(String) }]);
    expect(p.errors[0].message.length).toBeGreaterThan(5);
    expect(await counts()).toEqual(before);
  });

  it('refuses an upload without a file', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: `/api/modules/${id}/assets`, headers: as('trainer'), payload: { file: 'x' } });
    expect(res.statusCode).toBe(400);
  });

  it('does not serve the assets of an unpublished module to staff, and does once it is published', async () => {
    expectProblem(await get('staff', `/api/modules/${id}/assets/flow.png`), 404, 'not_found');
    expectProblem(await get('manager', `/api/modules/${id}/assets/flow.png`), 404, 'not_found');
    expect((await send('trainer', 'POST', `/api/modules/${id}/publish`)).statusCode).toBe(200);
    const served = await get('staff', `/api/modules/${id}/assets/flow.png`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.rawPayload.equals(png)).toBe(true);
    expectProblem(await get('staff', `/api/modules/${id}/assets/missing.png`), 404);
    // Archived again: gone for staff.
    await send('trainer', 'PUT', `/api/modules/${id}/archived`, { archived: true });
    expectProblem(await get('staff', `/api/modules/${id}/assets/flow.png`), 404);
  });

  it('refuses uploads to a module that does not exist', async () => {
    expectProblem(await upload('trainer', randomUUID(), 'x.png', png), 404);
  });
});

describe('render once: each revision keeps its outline beside the body', () => {
  interface OutlineRow { id: string; locales: Record<string, { title: string; summary: string; tags: string[]; toc: { id: string; depth: number }[] }>; outline: unknown }
  it('written with every revision (files, the browser, restores), equal to what its text says, and rebuilt the same by the migration', async () => {
    const rows = await q<OutlineRow>(`select id, locales, outline from module_revision order by id`);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) {
      const expected = Object.fromEntries(Object.entries(r.locales).map(([lang, l]) => [lang, {
        title: l.title, summary: l.summary, tags: l.tags, sections: l.toc.filter((t) => t.depth === 2).map((t) => t.id),
      }]));
      expect(r.outline, r.id).toEqual(expected);
    }
    // The migration's backfill gives existing revisions exactly the outline the code writes.
    const { BACKFILL_OUTLINE } = await import('../../migrations/Migration20261202000101_module_outline.js');
    await q(`update module_revision set outline = '{}'`);
    await q(BACKFILL_OUTLINE);
    expect(await q<OutlineRow>(`select id, locales, outline from module_revision order by id`)).toEqual(rows);
  });
});
