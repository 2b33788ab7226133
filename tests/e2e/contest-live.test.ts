import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { queryOne, sql } from '../../api/src/lib/sql.js';
import { normaliseQuestion } from '../../api/src/modules/questions/question-model.js';
import { insertQuestions } from '../../api/src/modules/questions/question-store.js';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();
const DOCS = join(process.cwd(), 'docs', 'ui');

/** Three questions for the contest: a single choice, a multiple choice and a fill-in, all found by "竞赛E2E". */
async function contestQuestions() {
  const em = product.server.orm.em.fork();
  const trainer = (await queryOne<{ id: string }>(em, sql`select id from app_user where username = 'trainer'`))!;
  const qs = [
    { type: 'single_choice', key: 'e2e-contest-1', language: 'zh', stem: '竞赛E2E 第一题：卷烟零售许可证由谁核发？', points: 1, difficulty: 2,
      options: [{ text: '烟草专卖局', correct: true }, { text: '市场监督管理局', correct: false }, { text: '商务局', correct: false }],
      explanation: '烟草专卖零售许可证由烟草专卖行政主管部门核发。' },
    { type: 'multiple_choice', key: 'e2e-contest-2', language: 'zh', stem: '竞赛E2E 第二题：哪些属于客户经理的日常工作？', points: 1, difficulty: 2,
      options: [{ text: '走访零售客户', correct: true }, { text: '采集市场信息', correct: true }, { text: '发放许可证', correct: false }] },
    { type: 'fill_blank', key: 'e2e-contest-3', language: 'zh', stem: '竞赛E2E 第三题：按订单组织货源，首先要客户自报{{1}}。', points: 1, difficulty: 2,
      blanks: [{ answers: ['需求'] }], explanation: '自报需求是按订单组织货源的起点。' },
  ];
  await em.fork().transactional((tx) => insertQuestions(tx, qs.map((q) => ({
    question: normaliseQuestion(q), status: 'active' as const, source: 'browser' as const, createdBy: trainer.id }))));
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
/** Visible controls in the page's main part whose hit box is under 44 x 44 px. */
const smallTargets = (page: Page) => page.evaluate(() => [...document.querySelectorAll('.shell main :is(a[href], button, input, select, textarea, summary)')]
  .filter((el) => el.getBoundingClientRect().width > 0 && !el.closest('.stem'))
  .map((el) => {
    const r = el.getBoundingClientRect();
    return { what: `${el.tagName} ${(el.textContent ?? '').trim().slice(0, 20)}`, w: Math.round(r.width), h: Math.round(r.height) };
  })
  .filter((x) => x.w < 43.5 || x.h < 43.5));

describe('live knowledge contest', () => {
  it('a host and three players (360 px Chinese, English, one who reloads) play three questions to the final leaderboard', async () => {
    await contestQuestions();
    const base = product.server.baseUrl;
    const contexts: BrowserContext[] = [];
    const open = async (viewport: { width: number; height: number }, locale: string, user: string) => {
      const context = await product.browser.newContext({ viewport, locale });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      await signIn(page, base, user);
      return page;
    };
    try {
      // ---- the host defines the contest ----
      const host = await open({ width: 1280, height: 800 }, 'zh-CN', 'trainer');
      await host.goto(`${base}/contest-admin/new`);
      await host.getByTestId('contest-form').waitFor();
      await host.fill('#contest-titleZh', '十二月政策知识竞赛');
      await host.fill('#contest-titleEn', 'December policy contest');
      await host.fill('#contest-answerSeconds', '3');
      await host.fill('#contest-streakBonus', '100');
      await host.getByTestId('create-contest').click();
      // The server's problems land beside their fields, in Chinese.
      await host.locator('#contest-answerSeconds-error').waitFor();
      await host.getByTestId('bank-q').fill('竞赛E2E');
      await host.getByTestId('bank-search').click();
      const found = host.getByTestId('bank-found').locator('li');
      await expect.poll(() => found.count()).toBe(3);
      for (const n of ['第一题', '第二题', '第三题']) await found.filter({ hasText: n }).getByRole('button').click();
      await expect.poll(() => host.getByTestId('chosen').locator('li').count()).toBe(3);
      await host.fill('#contest-answerSeconds', '60');
      expect(await host.getByTestId('rules-preview').textContent()).toContain('答对得 1000 分；速度加分最多 500 分（越快越多）；连对加分每题 100 分，最多 5 题；同分按总用时排名');
      await host.getByTestId('create-contest').click();
      await host.waitForURL(/\/contest-admin\/[0-9a-f-]{36}$/);
      const contestId = host.url().split('/').pop()!;
      const code = (await host.getByTestId('join-code').textContent())!.trim();
      expect(code).toMatch(/^\d{6}$/);
      expect(await host.getByTestId('rules').textContent()).toContain('同分按总用时排名');

      // ---- three players join ----
      const zh = await open({ width: 360, height: 740 }, 'zh-CN', '10001');
      await zh.getByTestId('home-join-contest').click();
      await zh.getByTestId('join-code-input').fill(code);
      await zh.getByTestId('join-submit').click();
      await zh.waitForURL(`${base}/contests/${contestId}`);
      await zh.getByTestId('lobby').waitFor();
      expect(await zh.getByTestId('rules').textContent()).toContain('答对得 1000 分');

      const en = await open({ width: 412, height: 860 }, 'en-GB', '10002');
      await en.goto(`${base}/contests`);
      // A wrong code is said beside the field, in English.
      await en.getByTestId('join-code-input').fill('000000');
      await en.getByTestId('join-submit').click();
      await en.getByRole('alert').first().waitFor();
      await en.getByTestId('join-code-input').fill(code);
      await en.getByTestId('join-submit').click();
      await en.getByTestId('lobby').waitFor();
      expect(await en.getByTestId('rules').textContent()).toContain('A right answer scores 1000 points');

      const re = await open({ width: 390, height: 800 }, 'zh-CN', '10003');
      await re.goto(`${base}/contests/${contestId}`);
      await re.getByTestId('lobby').waitFor();

      await expect.poll(() => host.getByTestId('joined-count').textContent()).toContain('已加入 3 人');
      await expect.poll(() => host.getByTestId('player-names').locator('li').count()).toBe(3);
      await host.screenshot({ path: join(ARTIFACTS, 'contest-host-lobby.png') });
      await zh.screenshot({ path: join(ARTIFACTS, 'contest-player-lobby-zh-phone.png'), fullPage: true });

      // ---- question 1: single choice ----
      await host.getByTestId('host-start').click();
      await host.getByTestId('countdown').waitFor();
      for (const p of [zh, en, re]) await p.getByTestId('option-0').waitFor();
      expect(await overflow(zh)).toBeLessThanOrEqual(0);
      expect(await smallTargets(zh)).toEqual([]);
      await zh.screenshot({ path: join(ARTIFACTS, 'contest-player-question-zh-phone.png'), fullPage: true });
      await zh.getByTestId('option-0').click();
      await en.getByTestId('option-1').click();
      await re.getByTestId('option-0').click();
      for (const p of [zh, en, re]) await p.getByTestId('received').waitFor();
      expect(await zh.getByTestId('received').textContent()).toContain('答案已收到');
      expect(await en.getByTestId('received').textContent()).toContain('Answer received');
      // A reload mid-question comes back to the question with the answer shown as received.
      await re.reload();
      await re.getByTestId('received').waitFor();
      expect(await re.getByTestId('my-answer').textContent()).toBe('A');
      await expect.poll(() => host.getByTestId('answered').textContent()).toContain('已答 3 / 3');
      await host.screenshot({ path: join(ARTIFACTS, 'contest-host-question.png') });
      await host.getByTestId('host-next').click();
      await host.getByTestId('reveal').waitFor();
      expect(await host.getByTestId('key').textContent()).toBe('A');
      expect(await host.getByTestId('distribution').locator('li').count()).toBe(3);
      await host.screenshot({ path: join(ARTIFACTS, 'contest-host-reveal.png') });
      await host.screenshot({ path: join(DOCS, 'contest-host-projector.png') });
      await zh.getByTestId('result').waitFor();
      expect(await zh.getByTestId('verdict').textContent()).toBe('答对了');
      expect(Number(await zh.getByTestId('gained').textContent().then((x) => x!.replace(/\D/g, '')))).toBeGreaterThan(1000);
      expect(await zh.getByTestId('rank').textContent()).toMatch(/^[12]$/);
      expect(await zh.getByTestId('streak').textContent()).toBe('1');
      await en.getByTestId('result').waitFor();
      expect(await en.getByTestId('verdict').textContent()).toBe('Wrong');
      expect(await en.getByTestId('score').textContent()).toBe('0');
      expect(await en.getByTestId('rank').textContent()).toBe('3');
      expect(await overflow(zh)).toBeLessThanOrEqual(0);
      await zh.screenshot({ path: join(ARTIFACTS, 'contest-player-result-zh-phone.png'), fullPage: true });
      await zh.screenshot({ path: join(DOCS, 'contest-player-zh-phone.png'), fullPage: true });
      await host.getByTestId('host-next').click();
      await host.getByTestId('leaderboard').waitFor();
      expect(await host.getByTestId('board-line').count()).toBe(3);
      await host.screenshot({ path: join(ARTIFACTS, 'contest-host-board.png') });

      // ---- question 2: multiple choice with a submit ----
      await host.getByTestId('host-next').click();
      for (const p of [zh, en, re]) await p.getByTestId('submit-answer').waitFor();
      // The host pauses: the phones say so and take no answer until the host resumes.
      await host.getByTestId('host-pause').click();
      await expect.poll(() => zh.getByTestId('countdown').textContent()).toContain('已暂停');
      await expect.poll(() => en.getByTestId('countdown').textContent()).toContain('Paused');
      expect(await en.getByTestId('option-0').isDisabled()).toBe(true);
      await host.getByTestId('host-resume').click();
      await expect.poll(() => zh.getByTestId('countdown').textContent()).toMatch(/剩余 \d+ 秒/);
      await expect.poll(() => en.getByTestId('option-0').isDisabled()).toBe(false);
      await zh.getByTestId('option-0').click();
      await zh.getByTestId('option-1').click();
      await zh.getByTestId('submit-answer').click();
      await en.getByTestId('option-0').click();
      await en.getByTestId('option-1').click();
      await en.getByTestId('submit-answer').click();
      await re.getByTestId('option-2').click();
      await re.getByTestId('submit-answer').click();
      for (const p of [zh, en, re]) await p.getByTestId('received').waitFor();
      await expect.poll(() => host.getByTestId('answered').textContent()).toContain('已答 3 / 3');
      await host.getByTestId('host-next').click();
      await host.getByTestId('reveal').waitFor();
      expect(await host.getByTestId('key').textContent()).toBe('A, B');
      await zh.getByTestId('result').waitFor();
      expect(await zh.getByTestId('streak').textContent()).toBe('2');
      await en.getByTestId('result').waitFor();
      expect(await en.getByTestId('verdict').textContent()).toBe('Right');
      await re.getByTestId('result').waitFor();
      expect(await re.getByTestId('verdict').textContent()).toBe('答错了');
      await host.getByTestId('host-next').click();
      await host.getByTestId('leaderboard').waitFor();

      // ---- question 3: typed fill-in ----
      await host.getByTestId('host-next').click();
      for (const p of [zh, en, re]) await p.getByTestId('blank-0').waitFor();
      await zh.getByTestId('blank-0').fill('需求');
      await zh.getByTestId('submit-answer').click();
      await en.getByTestId('blank-0').fill('需求');
      await en.getByTestId('submit-answer').click();
      await re.getByTestId('blank-0').fill('库存');
      await re.getByTestId('submit-answer').click();
      for (const p of [zh, en, re]) await p.getByTestId('received').waitFor();
      await expect.poll(() => host.getByTestId('answered').textContent()).toContain('已答 3 / 3');
      await host.getByTestId('host-next').click();
      await host.getByTestId('reveal').waitFor();
      expect(await host.getByTestId('key').textContent()).toBe('需求');
      await zh.getByTestId('result').waitFor();
      expect(await zh.getByTestId('streak').textContent()).toBe('3');
      await host.getByTestId('host-next').click();
      await host.getByTestId('leaderboard').waitFor();
      await host.getByTestId('host-next').click();

      // ---- the final leaderboard ----
      await expect.poll(() => host.getByTestId('projector').getAttribute('data-phase')).toBe('finished');
      await host.getByTestId('leaderboard').waitFor();
      const lines = host.getByTestId('board-line');
      expect(await lines.count()).toBe(3);
      expect(await lines.first().textContent()).toContain(await queryOne<{ n: string }>(product.server.orm.em.fork(),
        sql`select display_name as n from app_user where username = '10001'`).then((r) => r!.n));
      await host.screenshot({ path: join(ARTIFACTS, 'contest-host-final.png') });
      for (const p of [zh, en, re]) await p.getByTestId('final').waitFor();
      expect(await zh.getByTestId('final-result').textContent()).toContain('排第 1 名');
      expect(await en.getByTestId('final-result').textContent()).toMatch(/in place [23]\./);
      expect(await zh.getByTestId('board-line').count()).toBe(3);
      expect(await overflow(zh)).toBeLessThanOrEqual(0);
      await zh.screenshot({ path: join(ARTIFACTS, 'contest-player-final-zh-phone.png'), fullPage: true });
      const results = await queryOne<{ n: number }>(product.server.orm.em.fork(), sql`select count(*)::int as n from contest_result where contest_id = ${contestId}`);
      expect(results?.n).toBe(3);
    } finally {
      for (const c of contexts) await c.close();
    }
  });
});
