import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

// The attendance form on the shared form pattern: every check at once, each message beside its field, a summary at
// the button, focus on the first problem, and nothing a person reads names an internal field.
const RUNS = [
  {
    name: 'zh-phone', viewport: { width: 360, height: 740 }, locale: 'zh-CN',
    l: { record: '登记出勤', people: '请至少勾选一人', minutes: '请填写 1 到 720 之间的整数', summary: '请更正下面 2 处问题后再提交', person: '张伟', saved: /已保存：1 人/ },
  },
  {
    name: 'en-desktop', viewport: { width: 1280, height: 900 }, locale: 'en-GB',
    l: { record: 'Record attendance', people: 'Tick at least one person', minutes: 'Enter a whole number from 1 to 720', summary: 'Please correct 2 problems before submitting', person: '李娜', saved: /people recorded: 1\./ },
  },
] as const;

describe('attendance form', () => {
  for (const run of RUNS) {
    it(`shows every problem beside its field and at the button, and focuses the first (${run.name})`, async () => {
      const { l } = run;
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await signIn(page, product.server.baseUrl, 'manager');
      await page.goto(product.server.baseUrl + '/study/review');
      const form = page.locator('form#attendance');
      await form.getByRole('button', { name: l.record }).waitFor();

      // Nobody ticked and no minutes: both problems at once.
      await form.locator('#att-minutes').fill('0');
      await form.getByRole('button', { name: l.record }).click();
      const peopleError = form.locator('#att-people-error');
      await peopleError.waitFor();
      expect(await peopleError.innerText()).toContain(l.people);
      expect(await form.locator('#att-minutes-error').innerText()).toContain(l.minutes);
      expect(await form.locator('#att-minutes').getAttribute('aria-invalid')).toBe('true');
      expect(await form.locator('#att-people').getAttribute('aria-invalid')).toBe('true');

      // The summary sits at the button, and both are in view together.
      const summary = form.locator('#attendance-summary');
      expect(await summary.innerText()).toContain(l.summary);
      const button = await form.getByRole('button', { name: l.record }).boundingBox();
      const box = await summary.boundingBox();
      expect(box && button && button.y - (box.y + box.height)).toBeLessThan(120);
      // Focus went to the first field with a problem (page order: minutes comes before the people).
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('att-minutes');
      const text = await form.innerText();
      for (const internal of ['userIds', 'uuid', 'minutes：', 'minutes:']) expect(text).not.toContain(internal);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `attendance-form-errors-${run.name}.png`), fullPage: false });

      // Fixing a field clears its own message; the rest stay until fixed, then the record is saved.
      await form.locator('#att-minutes').fill('20');
      await expect.poll(() => form.locator('#att-minutes-error').count()).toBe(0);
      expect(await peopleError.count()).toBe(1);
      await form.getByLabel(new RegExp(l.person)).check();
      await form.getByRole('button', { name: l.record }).click();
      await page.getByText(l.saved).waitFor();
      expect(await summary.count()).toBe(0);
      await context.close();
    });
  }
});

describe('assignment form', () => {
  for (const run of [
    { name: 'zh-phone', viewport: { width: 360, height: 740 }, locale: 'zh-CN', l: { submit: '布置', target: '请选择一项', audience: '请至少选择一个岗位、单位或点名人员', position: '客户经理' } },
    { name: 'en-desktop', viewport: { width: 1280, height: 900 }, locale: 'en-GB', l: { submit: 'Assign', target: 'Choose one', audience: 'Choose at least one position, unit or named person', position: 'Account manager' } },
  ] as const) {
    it(`says at once that the content and the audience are missing, beside each (${run.name})`, async () => {
      const { l } = run;
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await signIn(page, product.server.baseUrl, 'manager');
      await page.goto(product.server.baseUrl + '/assignments');
      const form = page.locator('form#assign');
      // The default audience (account managers) taken away: nothing chosen at all.
      await form.getByLabel(l.position).uncheck();
      await form.getByRole('button', { name: l.submit, exact: true }).click();
      await form.locator('#target-error').waitFor();
      expect(await form.locator('#target-error').innerText()).toContain(l.target);
      expect(await form.locator('#audience-error').innerText()).toContain(l.audience);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('target');
      expect(await form.locator('#assign-summary').count()).toBe(1);
      const text = await form.innerText();
      for (const internal of ['userIds', 'targetId', 'uuid', 'orgUnitIds']) expect(text).not.toContain(internal);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `assignment-form-errors-${run.name}.png`), fullPage: false });
      // Ticking a position clears the audience message only.
      await form.getByLabel(l.position).check();
      await expect.poll(() => form.locator('#audience-error').count()).toBe(0);
      expect(await form.locator('#target-error').count()).toBe(1);
      await context.close();
    });
  }
});
