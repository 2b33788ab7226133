import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';
import { execSql } from '../../api/src/lib/sql.js';
import type { Actor } from '../../api/src/access/actor.js';
import { ContentError, readContentTree, syncContent, type SyncReport } from '../../api/src/modules/courses/content-sync.js';
import { resolveConflict } from '../../api/src/modules/courses/module-files.js';
import { makePng } from '../helpers/png.js';
import { CONTENT_SYNC_VERSION, prepareDatabase } from '../../api/src/startup.js';
import { contentFingerprint } from '../../api/src/modules/content/sync-state.js';
import { RENDER_VERSION } from '../../api/src/modules/questions/question-render.js';
import { migrationsList } from '../../migrations/index.js';

/** A row as `sql` returns it; a test names the columns it reads. */
type Row = Record<string, unknown>;
/** A language of a stored revision (`module_revision.locales`), as far as these tests read it. */
interface RenderedLocale { title: string; html: string; toc: { id: string }[] }

let ctx: TestContext;
let trainer: { token: string; actor: Actor };
let learner: string;
const roots: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  const t = await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id, displayName: '培训师甲' });
  trainer = {
    token: (await login(ctx.app, t.username)).token,
    actor: { id: t.id, role: 'trainer', orgUnitId: tree.company.id, sessionId: randomUUID(), mustChangePassword: false },
  };
  learner = (await login(ctx.app, (await makeUser(ctx.orm, { orgUnitId: tree.areaA.id })).username)).token;
});
afterAll(async () => {
  await ctx?.close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

// ---------- building content trees ----------


interface ModuleOpts { id: string; title: string; minutes?: number; positions?: string[]; tags?: string[]; body: string }

function moduleText(o: ModuleOpts): string {
  return [
    '---',
    `id: ${o.id}`,
    `title: ${JSON.stringify(o.title)}`,
    `summary: ${JSON.stringify(`${o.title}：概要 summary`)}`,
    'objectives:',
    '  - "说出要点"',
    '  - "能向客户解释"',
    `minutes: ${o.minutes ?? 20}`,
    `tags: [${(o.tags ?? ['测试']).map((t) => JSON.stringify(t)).join(', ')}]`,
    `positions: [${(o.positions ?? ['account_manager', 'marketing_manager']).join(', ')}]`,
    '---',
    '',
    o.body,
  ].join('\n');
}

const write = (path: string, text: string | Buffer) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

const trackJson = (id: string, order: number, zh: string, en: string) =>
  JSON.stringify({ id, order, title: { zh, en }, summary: { zh: `${zh}的概要`, en: `About ${en}` } }, null, 2);

const SLUGS = { basics: 'cs-order-basics', visit: 'cs-visit-notes', phone: 'cs-phone-manners' };
const PATHS = {
  basicsZh: '01-alpha/01-order-basics/index.zh.md',
  basicsEn: '01-alpha/01-order-basics/index.en.md',
  visitZh: '01-alpha/02-visit-notes/index.zh.md',
  phoneZh: '02-beta/01-phone-manners/index.zh.md',
  phoneEn: '02-beta/01-phone-manners/index.en.md',
};
const basicsBody = (extra = '') => `# 订单基础\n\n## 一、订单流程\n\n先看流程图：\n\n![订单流程](diagram.png)\n\n## 二、常见错误\n\n不要替客户报需求。${extra}\n`;

/** Two tracks, three modules: one in both languages with an image, one only in Chinese, one in both. */
function baseTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'content-sync-'));
  roots.push(dir);
  write(join(dir, '01-alpha/track.json'), trackJson('cs-alpha', 1, '甲类课程', 'Alpha track'));
  write(join(dir, '02-beta/track.json'), trackJson('cs-beta', 2, '乙类课程', 'Beta track'));
  write(join(dir, PATHS.basicsZh), moduleText({ id: SLUGS.basics, title: '订单基础', body: basicsBody() }));
  write(join(dir, PATHS.basicsEn), moduleText({ id: SLUGS.basics, title: 'Ordering basics', tags: ['orders'], body: '# Ordering basics\n\n## The flow\n\n![flow](diagram.png)\n\n## Mistakes\n\nText.\n' }));
  write(join(dir, '01-alpha/01-order-basics/diagram.png'), makePng(1));
  write(join(dir, PATHS.visitZh), moduleText({ id: SLUGS.visit, title: '拜访记录', minutes: 15, positions: ['account_manager'], body: '# 拜访记录\n\n## 记什么\n\n记客户的需求。\n' }));
  write(join(dir, PATHS.phoneZh), moduleText({ id: SLUGS.phone, title: '电话礼仪', body: '# 电话礼仪\n\n## 接听\n\n三声之内接听。\n' }));
  write(join(dir, PATHS.phoneEn), moduleText({ id: SLUGS.phone, title: 'Phone manners', tags: ['phone'], body: '# Phone manners\n\n## Answering\n\nWithin three rings.\n' }));
  return dir;
}

function copyTree(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'content-sync-'));
  roots.push(dir);
  cpSync(from, dir, { recursive: true });
  return dir;
}

function replaceIn(d: string, file: string, from: string | RegExp, to: string) {
  const path = join(d, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  expect(next, `${file}: ${from}`).not.toBe(text);
  writeFileSync(path, next);
}

const sync = (dir: string) => syncContent(ctx.orm.em.fork(), dir, ctx.clock.now());

// ---------- looking at the database ----------

const q = <T = Row>(query: string, params: unknown[] = []) => execSql<T>(ctx.orm.em.fork(), query, params);

async function moduleRow(slug: string) {
  const [m] = await q<Row & { id: string }>(`select * from course_module where slug = ?`, [slug]);
  return m;
}

async function revisions(slug: string) {
  return q<Row & { locales: Record<string, RenderedLocale> }>(`select r.number, r.origin, r.state, r.minutes, r.locales, r.published_at from module_revision r join course_module m on m.id = r.module_id
             where m.slug = ? order by r.number`, [slug]);
}

/** Everything the sync may touch, to tell "nothing changed" exactly. */
async function snapshot() {
  return {
    tracks: await q(`select id, sort_order, title_zh, title_en, summary_zh, summary_en, archived_at, updated_at from track order by id`),
    modules: await q(`select id, slug, track_id, sort_order, source, source_path, file_hash, published_revision_id, draft_revision_id,
                             edited_in_browser, conflict, archived_at, updated_at from course_module order by slug`),
    revisions: await q(`select id, module_id, number, origin, state, content_hash, published_at from module_revision order by id`),
    assets: await q(`select module_id, filename, sha256 from module_asset order by module_id, filename`),
    progress: await q(`select user_id, module_id, seconds_spent, position, completed_at from study_progress order by user_id, module_id`),
  };
}

const reportOf = (r: SyncReport) => ({ ...r, created: [...r.created].sort(), revised: [...r.revised].sort(), archived: [...r.archived].sort() });

const asTrainer = () => ({ ...bearer(trainer.token), 'accept-language': 'zh' });
const asLearner = (lang = 'zh') => ({ ...bearer(learner), 'accept-language': lang });

// The tests below walk one content tree through its life: created, re-synchronised, changed, pruned, broken, edited.
let dir: string;

describe('synchronising a new content tree', () => {
  it('creates tracks and modules, each with a published revision 1 from the files', async () => {
    dir = baseTree();
    const report = await sync(dir);
    expect(reportOf(report)).toEqual({
      tracks: 2, created: Object.values(SLUGS).sort(), revised: [], archived: [], conflicts: [], unchanged: 0,
    });

    const tracks = await q(`select id, sort_order, title_zh, title_en from track where id like 'cs-%' order by sort_order`);
    expect(tracks).toEqual([
      { id: 'cs-alpha', sort_order: 1, title_zh: '甲类课程', title_en: 'Alpha track' },
      { id: 'cs-beta', sort_order: 2, title_zh: '乙类课程', title_en: 'Beta track' },
    ]);

    for (const slug of Object.values(SLUGS)) {
      const m = await moduleRow(slug);
      expect(m).toMatchObject({ source: 'file', edited_in_browser: false, draft_revision_id: null, archived_at: null, conflict: null });
      expect(m.file_hash).toMatch(/^[0-9a-f]{64}$/);
      const revs = await revisions(slug);
      expect(revs.map((r) => [r.number, r.origin, r.state])).toEqual([[1, 'file', 'published']]);
      expect(revs[0].published_at).not.toBeNull();
    }
    const basics = await moduleRow(SLUGS.basics);
    expect(basics).toMatchObject({ track_id: 'cs-alpha', sort_order: 1, source_path: '01-alpha/01-order-basics' });
    expect((await moduleRow(SLUGS.visit)).sort_order).toBe(2);
    expect((await moduleRow(SLUGS.phone)).track_id).toBe('cs-beta');

    // Only the languages that have a file, rendered once, with the image pointed at the module's assets.
    const [rev] = await revisions(SLUGS.basics);
    expect(Object.keys(rev.locales).sort()).toEqual(['en', 'zh']);
    expect(rev.locales.zh.html).toContain(`src="/api/modules/${basics.id}/assets/diagram.png"`);
    expect(rev.locales.zh.toc.map((t: { id: string }) => t.id)).toEqual(['一-订单流程', '二-常见错误']);
    expect(Object.keys((await revisions(SLUGS.visit))[0].locales)).toEqual(['zh']);
    const assets = await q(`select filename, mime, size from module_asset where module_id = ?`, [basics.id]);
    expect(assets).toEqual([{ filename: 'diagram.png', mime: 'image/png', size: makePng(1).length }]);

    // A learner can read it at once, and fetch the image.
    const res = await ctx.app.inject({ url: `/api/modules/${SLUGS.basics}`, headers: asLearner() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: '订单基础', lang: 'zh', fallback: false, revision: { number: 1, state: 'published' } });
    expect(res.json().languages.sort()).toEqual(['en', 'zh']);
    const img = await ctx.app.inject({ url: `/api/modules/${basics.id}/assets/diagram.png`, headers: asLearner() });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.rawPayload.equals(makePng(1))).toBe(true);
  });

  it('changes nothing when run again on the same files', async () => {
    const before = await snapshot();
    const again = await sync(dir);
    expect(reportOf(again)).toEqual({ tracks: 2, created: [], revised: [], archived: [], conflicts: [], unchanged: 3 });
    const third = await sync(dir);
    expect(third.unchanged).toBe(3);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a changed file', () => {
  it('becomes a new published revision, and the learner\'s progress on the module survives', async () => {
    const m = await moduleRow(SLUGS.basics);
    // The learner reads for a while and leaves a resume position.
    ctx.clock.advance(30_000);
    const first = await ctx.app.inject({ method: 'POST', url: `/api/modules/${m.id}/progress`, headers: asLearner(), payload: { clientId: 'tab-1', seq: 1, seconds: 30, position: '一-订单流程', sectionsRead: ['一-订单流程'] } });
    expect(first.statusCode, first.body).toBe(200);
    ctx.clock.advance(40_000);
    const second = await ctx.app.inject({ method: 'POST', url: `/api/modules/${m.id}/progress`, headers: asLearner(), payload: { clientId: 'tab-1', seq: 2, seconds: 40, position: '二-常见错误' } });
    expect(second.json().secondsSpent).toBe(70);
    const [progressBefore] = await q(`select * from study_progress where module_id = ?`, [m.id]);

    ctx.clock.advance(3600_000);
    write(join(dir, PATHS.basicsZh), moduleText({ id: SLUGS.basics, title: '订单基础（修订）', minutes: 25, body: basicsBody('\n\n## 三、新增一节\n\n补充内容。') }));
    replaceIn(dir, PATHS.basicsEn, /^minutes: .*$/m, 'minutes: 25'); // the same in both languages
    const report = await sync(dir);
    expect(reportOf(report)).toMatchObject({ created: [], revised: [SLUGS.basics], archived: [], conflicts: [], unchanged: 2 });

    const revs = await revisions(SLUGS.basics);
    expect(revs.map((r) => [r.number, r.origin, r.state])).toEqual([[1, 'file', 'published'], [2, 'file', 'published']]);
    expect(revs[1].minutes).toBe(25);
    const after = await moduleRow(SLUGS.basics);
    expect(after.file_hash).not.toBe(m.file_hash);
    expect(after.id).toBe(m.id);

    const [progressAfter] = await q(`select * from study_progress where module_id = ?`, [m.id]);
    expect(progressAfter).toEqual(progressBefore);
    const read = (await ctx.app.inject({ url: `/api/modules/${SLUGS.basics}`, headers: asLearner() })).json();
    expect(read).toMatchObject({ title: '订单基础（修订）', minutes: 25, revision: { number: 2 } });
    expect(read.toc.map((t: { id: string }) => t.id)).toContain('三-新增一节');
    expect(read.progress).toMatchObject({ secondsSpent: 70, position: '二-常见错误', sectionsRead: ['一-订单流程'] });

    // And only once: the same files again are unchanged.
    expect((await sync(dir)).unchanged).toBe(3);
    expect(await revisions(SLUGS.basics)).toHaveLength(2);
  });

  it('takes in a changed image as part of the new revision', async () => {
    write(join(dir, '01-alpha/01-order-basics/diagram.png'), makePng(2));
    expect((await sync(dir)).revised).toEqual([SLUGS.basics]);
    const m = await moduleRow(SLUGS.basics);
    const img = await ctx.app.inject({ url: `/api/modules/${m.id}/assets/diagram.png`, headers: asLearner() });
    expect(img.rawPayload.equals(makePng(2))).toBe(true);
  });
});

describe('a deleted module folder', () => {
  it('archives the module; learners no longer see it; the folder coming back restores it without a new revision', async () => {
    const saved = readFileSync(join(dir, PATHS.visitZh));
    rmSync(join(dir, '01-alpha/02-visit-notes'), { recursive: true });
    const report = await sync(dir);
    expect(reportOf(report)).toMatchObject({ archived: [SLUGS.visit], created: [], revised: [], unchanged: 2 });
    const m = await moduleRow(SLUGS.visit);
    expect(m.archived_at).not.toBeNull();
    expect(await revisions(SLUGS.visit)).toHaveLength(1); // history is kept

    const res = await ctx.app.inject({ url: `/api/modules/${SLUGS.visit}`, headers: asLearner() });
    expect(res.statusCode).toBe(404);
    const list = (await ctx.app.inject({ url: '/api/modules?trackId=cs-alpha', headers: asLearner() })).json();
    expect(list.items.map((i: { slug: string }) => i.slug)).toEqual([SLUGS.basics]);
    // A second run does not archive it again.
    expect((await sync(dir)).archived).toEqual([]);

    write(join(dir, PATHS.visitZh), saved);
    const back = await sync(dir);
    expect(reportOf(back)).toMatchObject({ created: [], revised: [], archived: [], unchanged: 3 });
    expect((await moduleRow(SLUGS.visit)).archived_at).toBeNull();
    expect(await revisions(SLUGS.visit)).toHaveLength(1);
    expect((await ctx.app.inject({ url: `/api/modules/${SLUGS.visit}`, headers: asLearner() })).statusCode).toBe(200);
  });
});

describe('malformed content', () => {
  const cases: { name: string; breakIt: (d: string) => void; expected: { file: string; field: string; reason: RegExp }[] }[] = [
    {
      name: 'a missing title',
      breakIt: (d) => replaceIn(d, PATHS.phoneZh, /^title: .*\n/m, ''),
      expected: [{ file: PATHS.phoneZh, field: 'title', reason: /required/i }],
    },
    {
      name: 'minutes that are not a number',
      breakIt: (d) => replaceIn(d, PATHS.basicsEn, /^minutes: .*$/m, 'minutes: about half an hour'),
      expected: [{ file: PATHS.basicsEn, field: 'minutes', reason: /integer/i }],
    },
    {
      name: 'YAML that does not parse',
      breakIt: (d) => replaceIn(d, PATHS.phoneEn, /^tags: .*$/m, 'tags: [phone, "manners'),
      expected: [{ file: PATHS.phoneEn, field: '(front matter)', reason: /YAML/ }],
    },
    {
      name: 'an unknown position',
      breakIt: (d) => replaceIn(d, PATHS.visitZh, /^positions: .*$/m, 'positions: [account_manager, cashier]'),
      expected: [{ file: PATHS.visitZh, field: 'positions.1', reason: /.+/ }],
    },
    {
      name: 'an id used by two modules',
      breakIt: (d) => {
        replaceIn(d, PATHS.phoneZh, `id: ${SLUGS.phone}`, `id: ${SLUGS.basics}`);
        replaceIn(d, PATHS.phoneEn, `id: ${SLUGS.phone}`, `id: ${SLUGS.basics}`);
      },
      expected: [{ file: '02-beta/01-phone-manners', field: 'id', reason: new RegExp(`"${SLUGS.basics}" is already used by 01-alpha/01-order-basics`) }],
    },
    {
      name: 'a missing track.json',
      breakIt: (d) => unlinkSync(join(d, '02-beta/track.json')),
      expected: [{ file: '02-beta', field: 'track.json', reason: /missing/ }],
    },
    {
      name: 'a track.json that is not JSON',
      breakIt: (d) => writeFileSync(join(d, '02-beta/track.json'), '{ "id": "cs-beta", '),
      expected: [{ file: '02-beta/track.json', field: '(file)', reason: /not valid JSON/ }],
    },
    {
      name: 'no front matter at all',
      breakIt: (d) => writeFileSync(join(d, PATHS.visitZh), '# 拜访记录\n\n正文\n'),
      expected: [{ file: PATHS.visitZh, field: '(front matter)', reason: /front matter/ }],
    },
    {
      name: 'minutes that differ between the languages, and several problems at once',
      breakIt: (d) => {
        replaceIn(d, PATHS.phoneEn, /^minutes: .*$/m, 'minutes: 45');
        replaceIn(d, PATHS.basicsZh, /^title: .*\n/m, '');
      },
      expected: [
        { file: PATHS.basicsZh, field: 'title', reason: /required/i },
        { file: '02-beta/01-phone-manners', field: 'minutes', reason: /differs/ },
      ],
    },
  ];

  it.each(cases)('$name: syncContent throws ContentError with file, field and reason, and changes nothing', async ({ breakIt, expected }) => {
    const broken = copyTree(dir);
    // Alongside the problem, a valid change and a new module: a partial sync would take these in.
    writeFileSync(join(broken, PATHS.phoneZh.replace('phone-manners/index.zh.md', 'phone-manners/extra.png')), makePng(9));
    write(join(broken, '02-beta/02-new-module/index.zh.md'), moduleText({ id: 'cs-never-created', title: '不应出现', body: '# 不应出现\n\n正文\n' }));
    breakIt(broken);
    const before = await snapshot();

    let error: unknown;
    try {
      await sync(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContentError);
    const issues = (error as ContentError).issues;
    for (const want of expected) {
      expect(issues, JSON.stringify(issues)).toContainEqual({ file: want.file, field: want.field, reason: expect.stringMatching(want.reason) });
      // The message a person reads at start-up names all three as well.
      const line = (error as Error).message.split('\n').find((l) => l.includes(`${want.file}: ${want.field}: `));
      expect(line, (error as Error).message).toBeDefined();
    }
    expect(issues).toHaveLength(expected.length);
    expect((error as Error).message).toMatch(/nothing was synchronised/);
    expect(await snapshot()).toEqual(before);
    expect(await moduleRow('cs-never-created')).toBeUndefined();
  });

  it('throws the same way from readContentTree, before any database work', () => {
    const broken = copyTree(dir);
    unlinkSync(join(broken, '01-alpha/track.json'));
    expect(() => readContentTree(broken)).toThrow(ContentError);
  });
});

describe('a module edited in the browser whose file then changes', () => {
  let id: string;

  async function source() {
    const res = await ctx.app.inject({ url: `/api/modules/${id}/source`, headers: asTrainer() });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  it('gets a conflict recorded, and neither the browser\'s text nor the published text is overwritten', async () => {
    id = (await moduleRow(SLUGS.phone)).id;
    const before = await source();
    const patch = await ctx.app.inject({
      method: 'PATCH', url: `/api/modules/${id}`, headers: asTrainer(),
      payload: { locales: { ...before.locales, zh: { ...before.locales.zh, body: '# 电话礼仪\n\n## 接听\n\n浏览器里改过的内容。\n' } } },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json()).toMatchObject({ hasDraft: true, revision: { number: 2, state: 'draft' } });
    const revisionsBefore = await revisions(SLUGS.phone);

    ctx.clock.advance(60_000);
    write(join(dir, PATHS.phoneZh), moduleText({ id: SLUGS.phone, title: '电话礼仪', body: '# 电话礼仪\n\n## 接听\n\n文件里的新内容。\n' }));
    const report = await sync(dir);
    expect(reportOf(report)).toMatchObject({ conflicts: [SLUGS.phone], revised: [], created: [] });

    const src = await source();
    expect(src.conflict).toMatchObject({ path: '02-beta/01-phone-manners', detectedAt: ctx.clock.now().toISOString() });
    expect(src.conflict.fileHash).toMatch(/^[0-9a-f]{64}$/);
    expect(src.locales.zh.body).toContain('浏览器里改过的内容');
    expect(await revisions(SLUGS.phone)).toEqual(revisionsBefore);
    const learnerView = (await ctx.app.inject({ url: `/api/modules/${SLUGS.phone}`, headers: asLearner() })).json();
    expect(learnerView.html).toContain('三声之内接听');
    expect(learnerView.html).not.toContain('文件里的新内容');
    const listed = (await ctx.app.inject({ url: '/api/modules?includeDrafts=true&trackId=cs-beta', headers: asTrainer() })).json();
    expect(listed.items.find((i: { slug: string }) => i.slug === SLUGS.phone).hasConflict).toBe(true);

    // Synchronising again does not pile up revisions or move the conflict's date.
    ctx.clock.advance(60_000);
    expect((await sync(dir)).conflicts).toEqual([SLUGS.phone]);
    expect((await source()).conflict).toEqual(src.conflict);
    expect(await revisions(SLUGS.phone)).toEqual(revisionsBefore);
  });

  it('keep_browser acknowledges the file change and keeps the browser\'s text', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: `/api/modules/${id}/conflict`, headers: asTrainer(), payload: { resolution: 'keep_browser' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().conflict).toBeNull();
    expect(res.json().locales.zh.body).toContain('浏览器里改过的内容');
    // The same file is not asked about again.
    const again = await sync(dir);
    expect(again.conflicts).toEqual([]);
    expect(again.unchanged).toBe(3);
    expect((await source()).conflict).toBeNull();
    // Nothing left to resolve.
    const none = await ctx.app.inject({ method: 'POST', url: `/api/modules/${id}/conflict`, headers: asTrainer(), payload: { resolution: 'keep_browser' } });
    expect(none.statusCode).toBe(409);
  });

  it('a further change of the file is a new conflict; take_file makes the file the newest published revision', async () => {
    write(join(dir, PATHS.phoneZh), moduleText({ id: SLUGS.phone, title: '电话礼仪（文件版）', body: '# 电话礼仪\n\n## 接听\n\n文件里的第二版。\n' }));
    expect((await sync(dir)).conflicts).toEqual([SLUGS.phone]);
    const countBefore = (await revisions(SLUGS.phone)).length;

    await resolveConflict(ctx.orm.em.fork(), trainer.actor, id, 'take_file', dir, ctx.clock.now());

    const revs = await revisions(SLUGS.phone);
    const newest = revs[revs.length - 1];
    expect(newest).toMatchObject({ origin: 'file', state: 'published' });
    expect(revs.filter((r) => r.origin === 'file' && r.state === 'published')).toHaveLength(2);
    expect(revs.length).toBeLessThanOrEqual(countBefore + 1);
    const m = await moduleRow(SLUGS.phone);
    expect(m).toMatchObject({ conflict: null, edited_in_browser: false });

    const learnerView = (await ctx.app.inject({ url: `/api/modules/${SLUGS.phone}`, headers: asLearner() })).json();
    expect(learnerView).toMatchObject({ title: '电话礼仪（文件版）', revision: { number: newest.number } });
    expect(learnerView.html).toContain('文件里的第二版');
    // The trainer's editor shows the file's text too: taking the file sets the browser's edits aside.
    const src = await source();
    expect(src.locales.zh.body).toContain('文件里的第二版');
    expect(src.hasDraft).toBe(false);

    // The files are in charge again: the next change is taken in directly.
    expect((await sync(dir)).unchanged).toBe(3);
    write(join(dir, PATHS.phoneZh), moduleText({ id: SLUGS.phone, title: '电话礼仪（第三版）', body: '# 电话礼仪\n\n## 接听\n\n第三版。\n' }));
    expect((await sync(dir)).revised).toEqual([SLUGS.phone]);
    expect((await ctx.app.inject({ url: `/api/modules/${SLUGS.phone}`, headers: asLearner() })).json().title).toBe('电话礼仪（第三版）');
  });
});

describe('the real content folder', () => {
  it('synchronises: at least 18 modules in 6 tracks, every module in both languages', async () => {
    const tree = readContentTree('content');
    expect(tree.tracks).toHaveLength(6);
    expect(tree.modules.length).toBeGreaterThanOrEqual(18);
    for (const m of tree.modules) expect(Object.keys(m.locales).sort(), m.sourcePath).toEqual(['en', 'zh']);

    const report = await sync('content');
    expect(report.tracks).toBe(6);
    expect(report.created.sort()).toEqual(tree.modules.map((m) => m.slug).sort());

    const rows = await q<{ slug: string; track_id: string; number: number; locales: Record<string, RenderedLocale> }>(`
      select m.slug, m.track_id, r.number, r.locales from course_module m join module_revision r on r.id = m.published_revision_id
       where m.slug = any(?::text[]) and m.archived_at is null`, [`{${tree.modules.map((m) => m.slug).join(',')}}`]);
    expect(rows).toHaveLength(tree.modules.length);
    for (const r of rows) {
      expect(r.number).toBe(1);
      expect(Object.keys(r.locales).sort(), r.slug).toEqual(['en', 'zh']);
      for (const lang of ['zh', 'en']) {
        expect(r.locales[lang].title.length, `${r.slug} ${lang}`).toBeGreaterThan(0);
        expect(r.locales[lang].toc.length, `${r.slug} ${lang} toc`).toBeGreaterThan(1);
        expect(r.locales[lang].html, `${r.slug} ${lang}`).not.toMatch(/<script/i);
      }
    }
    const trackIds = new Set(rows.map((r) => r.track_id));
    expect([...trackIds].sort()).toEqual(tree.tracks.map((t) => t.id).sort());
    const tracks = (await ctx.app.inject({ url: '/api/tracks', headers: asLearner('en') })).json().items;
    for (const t of tree.tracks) {
      const found = tracks.find((x: { id: string }) => x.id === t.id);
      expect(found, t.id).toMatchObject({ title: t.title.en, titles: { zh: t.title.zh, en: t.title.en } });
      expect(found.modules).toBe(tree.modules.filter((m) => m.trackId === t.id).length);
    }
    // The tree above is no longer in the files, so its modules are archived; a second run is all unchanged.
    expect(report.archived.sort()).toEqual(Object.values(SLUGS).sort());
    const again = await sync('content');
    expect(again.unchanged).toBe(tree.modules.length);
    expect(again.created).toEqual([]);
  });
});

describe('the start-up sync, skipped while the files are unchanged', () => {
  const prepare = (d: string) => prepareDatabase(ctx.orm, { seedDemo: false, demoPassword: 'Unused-Password-1', dataDir: d, contentDir: d }, ctx.app.log);

  it('skips a second start on the same files, and still takes in a file changed after the skip', async () => {
    const d = baseTree();
    await prepare(d);
    expect((await revisions(SLUGS.phone)).at(-1)?.locales.zh.title).toBe('电话礼仪');
    const [stored] = await q<{ fingerprint: string }>(`select fingerprint from sync_state where name = 'content'`);
    expect(stored.fingerprint).toBe(contentFingerprint(d, [`sync ${CONTENT_SYNC_VERSION}`, `render ${RENDER_VERSION}`, ...migrationsList.map((m) => m.name)]));
    // Skipped: a change made in the database meanwhile is not undone, because the sync did not run.
    await q(`update track set title_zh = '改过的' where id = 'cs-beta'`);
    await prepare(d);
    expect((await q<{ title_zh: string }>(`select title_zh from track where id = 'cs-beta'`))[0].title_zh).toBe('改过的');
    const before = (await revisions(SLUGS.phone)).length;
    replaceIn(d, PATHS.phoneZh, 'title: "电话礼仪"', 'title: "电话礼仪（新）"');
    await prepare(d);
    const after = await revisions(SLUGS.phone);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)?.locales.zh.title).toBe('电话礼仪（新）');
    // The same run brought the track back to its file.
    expect((await q<{ title_zh: string }>(`select title_zh from track where id = 'cs-beta'`))[0].title_zh).toBe('乙类课程');
  });

  it('fingerprints every file the syncs read, at any depth, and the versions of the code reading them', () => {
    const d = baseTree();
    const fp = (extra = ['x']) => contentFingerprint(d, extra);
    const first = fp();
    expect(fp()).toBe(first);
    expect(fp(['y'])).not.toBe(first);
    write(join(d, 'questions/alpha.zh.json'), '{"questions":[]}');
    const withBank = fp();
    expect(withBank).not.toBe(first);
    write(join(d, 'questions/alpha.zh.json'), '{"questions": []}');
    const bankEdited = fp();
    expect(bankEdited).not.toBe(withBank);
    write(join(d, '01-alpha/01-order-basics/diagram.png'), makePng(2));
    expect(fp()).not.toBe(bankEdited);
    const image = fp();
    unlinkSync(join(d, PATHS.visitZh));
    expect(fp()).not.toBe(image);
  });
});
