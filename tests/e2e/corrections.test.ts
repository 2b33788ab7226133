import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

/** What a department head reads and taps, in each language, and whom they record. */
const RUNS = [
  {
    name: 'zh-phone', viewport: { width: 360, height: 740 }, locale: 'zh-CN', kind: 'morning_meeting', people: ['张伟', '王芳'],
    module: '电话与信息服务礼仪',
    l: {
      attendance: '学习考勤', assignments: '学习任务', record: '登记出勤', saved: /已保存：2 人，\d{4}-\d{2}-\d{2}，早会学习，30 分钟。/,
      duplicate: '可能重复，尚未保存任何内容', open: '查看已有记录', reason: '原因（必填）', save: '保存修改', updated: '已保存修改。',
      minutes: '时长（分钟）', withdraw: '撤回', confirmWithdraw: '确认撤回', withdrawn: '已撤回。', cancel: '取消', history: '修改记录',
      assign: '布置', assigned: /已布置“电话与信息服务礼仪”，涉及 1 人。/, target: '学习内容', search: '搜索', searchBox: '按工号或姓名搜索',
      position: '客户经理', reasonRequired: '请说明原因',
    },
  },
  {
    name: 'en-desktop', viewport: { width: 1280, height: 900 }, locale: 'en-GB', kind: 'evening_meeting', people: ['李娜', '刘洋'],
    module: 'Visiting etiquette for account managers',
    l: {
      attendance: 'Attendance', assignments: 'Assignments', record: 'Record attendance', saved: /Saved: Evening meeting on \d{4}-\d{2}-\d{2}, 30 min; people recorded: 2\./,
      duplicate: 'Possible duplicate; nothing has been saved', open: 'Open the existing record', reason: 'Reason (required)', save: 'Save changes',
      updated: 'Changes saved.', minutes: 'Minutes', withdraw: 'Withdraw', confirmWithdraw: 'Confirm withdrawal', withdrawn: 'Withdrawn.', cancel: 'Cancel',
      history: 'History', assign: 'Assign', assigned: /Assigned "Visiting etiquette for account managers"; people reached: 1\./, target: 'What to study',
      search: 'Search', searchBox: 'Search by employee number or name', position: 'Account manager', reasonRequired: 'Give the reason',
    },
  },
] as const;

const noOverflow = async (page: Page) =>
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

describe('a department head corrects records', () => {
  for (const run of RUNS) {
    it(`records attendance, sees the duplicate warning, corrects a record and withdraws an assignment (${run.name})`, async () => {
      const { l } = run;
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await signIn(page, product.server.baseUrl, 'manager');
      await page.goto(product.server.baseUrl + '/study/review');

      // Two people at the meeting: saved, the form starts again empty and says what was saved.
      await page.locator('#kind').selectOption(run.kind);
      for (const p of run.people) await page.getByLabel(new RegExp(p)).check();
      await page.getByRole('button', { name: l.record }).click();
      await page.getByText(l.saved).waitFor();
      expect(await page.getByLabel(new RegExp(run.people[0])).isChecked()).toBe(false);

      // The same meeting again for one of them: a warning naming the existing record, nothing saved.
      await page.locator('#kind').selectOption(run.kind);
      await page.getByLabel(new RegExp(run.people[0])).check();
      await page.getByRole('button', { name: l.record }).click();
      const warning = page.getByRole('alert').filter({ hasText: l.duplicate });
      await warning.waitFor();
      await warning.getByText(run.people[0]).waitFor();
      await noOverflow(page);
      await page.screenshot({ path: join(ARTIFACTS, `corrections-duplicate-${run.name}.png`), fullPage: false });

      // Open the existing record from the warning: its edit form opens right there, with focus in it.
      await warning.getByRole('button', { name: l.open }).click();
      const card = page.locator('#opened article.session');
      await card.getByLabel(l.reason).waitFor();
      expect(await page.evaluate(() => document.activeElement?.closest('article.session') !== null)).toBe(true);
      await card.getByLabel(l.minutes).fill('45');
      // Without a reason nothing is sent, and the field says why.
      await card.getByRole('button', { name: l.save }).click();
      await card.getByText(l.reasonRequired).waitFor();
      await card.getByLabel(l.reason).fill(run.locale.startsWith('zh') ? '实际开会 45 分钟' : 'The meeting ran 45 minutes');
      await card.getByRole('button', { name: l.save }).click();
      // The correction shows in the recent list and in the monthly totals.
      await page.getByRole('row', { name: new RegExp(`${run.people[0]}.*\\b45\\b`) }).waitFor();
      const recent = page.locator('section article.session').filter({ hasText: run.people[0] }).first();
      await recent.getByText(/45/).first().waitFor();
      await recent.getByRole('button', { name: l.history }).click();
      await recent.getByText(/→/).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, `corrections-attendance-${run.name}.png`), fullPage: true });

      // An assignment made by mistake: assigned, then withdrawn with a reason.
      await page.goto(product.server.baseUrl + '/assignments');
      await page.locator('#ttype').selectOption('module');
      await page.getByRole('combobox', { name: l.target, exact: true }).selectOption({ label: run.module });
      await page.getByRole('checkbox', { name: l.position }).first().uncheck();
      await page.getByPlaceholder(l.searchBox).fill(run.people[1]);
      await page.getByRole('button', { name: l.search, exact: true }).click();
      await page.locator('form').getByLabel(new RegExp(run.people[1])).check();
      await page.getByRole('button', { name: l.assign, exact: true }).click();
      await page.getByText(l.assigned).waitFor();
      const item = page.locator('article.card').filter({ hasText: run.module }).first();
      await item.getByRole('button', { name: l.withdraw, exact: true }).click();
      await item.getByLabel(l.reason).fill(run.locale.startsWith('zh') ? '布置错了模块' : 'Wrong module');
      await noOverflow(page);
      await page.screenshot({ path: join(ARTIFACTS, `corrections-withdraw-${run.name}.png`), fullPage: false });
      await item.getByRole('button', { name: l.confirmWithdraw, exact: true }).click();
      await page.getByText(l.withdrawn).waitFor();
      expect(await page.locator('article.card').filter({ hasText: run.module }).count()).toBe(0);
      await noOverflow(page);
      await context.close();
    }, 60_000);
  }
});
