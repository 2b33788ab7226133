import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { exec, query, sql } from '../../api/src/lib/sql.js';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

// Five judges score three speakers on phones (360 px; one in English, the others in Chinese), the host closes each
// speaker's scoring and publishes, and a speaker reads their own feedback.
const JUDGES = [
  { username: 'trainer', locale: 'zh-CN', saved: '已保存' },
  { username: 'trainer2', locale: 'en-GB', saved: 'Saved' },
  { username: 'manager', locale: 'zh-CN', saved: '已保存' },
  { username: 'manager2', locale: 'zh-CN', saved: '已保存' },
  { username: 'trainer3', locale: 'zh-CN', saved: '已保存' },
];

async function phone(locale: string) {
  const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale });
  return context.newPage();
}

describe('speech contest', () => {
  it('five judges score on phones, the host closes and publishes, a speaker reads their feedback', async () => {
    const { app, orm, baseUrl } = product.server;
    const em = orm.em.fork();
    // A fifth judge: another trainer with the demo password.
    await exec(em, sql`insert into app_user (id, username, display_name, password_hash, role, position, org_unit_id, disabled, must_change_password)
      select ${randomUUID()}, 'trainer3', '郭评委', password_hash, 'trainer', 'trainer', org_unit_id, false, false from app_user where username = 'trainer'`);
    const people = new Map((await query<{ username: string; id: string; role: string; org_unit_id: string }>(em, sql`
      select username, id, role, org_unit_id from app_user`)).map((r) => [r.username, r]));
    const host = people.get('trainer')!;
    const token = app.signAccessToken({ id: host.id, role: host.role as never, orgUnitId: host.org_unit_id, sessionId: randomUUID(), mustChangePassword: false });
    const created = await app.inject({ method: 'POST', url: '/api/speech-contests', headers: { authorization: `Bearer ${token}` }, payload: {
      titleZh: '服务之星演讲比赛', titleEn: 'Service star speech contest', period: '2026-12', scheduledAt: '2026-12-10T02:00:00Z',
      speakers: ['10001', '10002', '10003'].map((u, i) => ({ userId: people.get(u)!.id, topicZh: `我的服务故事${i + 1}`, topicEn: `My service story ${i + 1}` })),
      judges: JUDGES.map((j) => people.get(j.username)!.id),
      criteria: [{ nameZh: '内容', nameEn: 'Content', weight: 2, maxScore: 10 }, { nameZh: '表达', nameEn: 'Delivery', weight: 1, maxScore: 10 }],
    } });
    expect(created.statusCode).toBe(201);
    const contestId = created.json().id as string;

    const pages: Page[] = [];
    for (const [j, judge] of JUDGES.entries()) {
      const page = await phone(judge.locale);
      pages.push(page);
      await signIn(page, baseUrl, judge.username);
      await page.goto(`${baseUrl}/speech/${contestId}`);
      const speakers = page.getByTestId('speaker');
      await expect.poll(() => speakers.count()).toBe(3);
      for (let s = 0; s < 3; s++) {
        const card = speakers.nth(s);
        const marks = card.getByTestId('mark');
        await marks.nth(0).fill(String(6 + ((j + s) % 4)));
        await card.getByRole('button', { name: judge.locale === 'en-GB' ? 'Plus one' : '加一' }).nth(1).click();
        await card.getByRole('button', { name: judge.locale === 'en-GB' ? 'Plus one' : '加一' }).nth(1).click();
        await card.getByTestId('save-marks').click();
        await expect.poll(() => card.getByTestId('saved-state').textContent()).toContain(judge.saved);
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      if (j === 1) await page.screenshot({ path: join(ARTIFACTS, 'speech-judge-en-phone.png'), fullPage: true });
      if (j === 0) await page.screenshot({ path: join(ARTIFACTS, 'speech-judge-zh-phone.png'), fullPage: true });
    }

    // The host (the first judge's phone) closes each speaker, then sees every mark, and publishes.
    const hostPage = pages[0]!;
    for (let s = 0; s < 3; s++) {
      const card = hostPage.getByTestId('speaker').nth(s);
      await card.getByTestId('close-speaker').click();
      await expect.poll(() => card.getByTestId('speaker-state').textContent()).toContain('评分已结束');
      await expect.poll(() => card.textContent()).toContain('已去掉最高分和最低分');
    }
    await hostPage.getByTestId('publish-speech').click();
    await expect.poll(() => hostPage.getByTestId('speaker').nth(0).getByTestId('speaker-state').textContent()).toMatch(/第 \d 名/);
    await hostPage.screenshot({ path: join(ARTIFACTS, 'speech-host-published.png'), fullPage: true });

    const rows = await query<{ rank: number }>(orm.em.fork(), sql`select rank from contest_result where contest_id = ${contestId} and kind = 'speech'`);
    expect(rows).toHaveLength(3);

    const speaker = await phone('zh-CN');
    await signIn(speaker, baseUrl, '10001');
    await speaker.goto(`${baseUrl}/speech/${contestId}`);
    await expect.poll(() => speaker.getByTestId('speech-feedback').textContent()).toContain('我的成绩与反馈');
    await speaker.screenshot({ path: join(ARTIFACTS, 'speech-feedback-phone.png'), fullPage: true });
  }, 240_000);
});
