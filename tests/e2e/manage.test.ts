import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

describe('a department head organises learning', () => {
  it('records meeting attendance, assigns a module to a named person, and the person sees it', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, 'manager');

    // Attendance at this morning's meeting, for two people of the department.
    await page.getByRole('link', { name: '学习考勤' }).click();
    await page.getByText('张伟').first().waitFor();
    await page.getByLabel(/张伟/).check();
    await page.getByLabel(/王芳/).check();
    await page.getByRole('button', { name: '登记出勤' }).click();
    await page.getByText(/已保存：2 人，/).waitFor();
    // The month's totals count the confirmed meeting at once.
    await page.getByRole('row', { name: /张伟.*\b30\b/ }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'attendance-zh-phone.png'), fullPage: true });
    // Nobody outside the department is offered: 永和县's staff (10015 and on) are not in the list.
    expect(await page.getByText('10015').count()).toBe(0);
    expect(await page.getByText('10014').count()).toBeGreaterThan(0);

    // A module for one named person, due in a week.
    await page.getByRole('link', { name: '学习任务' }).click();
    await page.locator('#ttype').selectOption('module');
    await page.getByRole('combobox', { name: '学习内容', exact: true }).selectOption({ label: '电话与信息服务礼仪' });
    await page.getByRole('checkbox', { name: '客户经理' }).uncheck();
    await page.getByPlaceholder('按工号或姓名搜索').fill('10002');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await page.getByLabel(/王芳/).check();
    const due = new Date(Date.now() + 5 * 86400_000).toISOString().slice(0, 10);
    await page.locator('#due').fill(due);
    await page.getByRole('button', { name: '布置', exact: true }).click();
    await page.getByText('已布置“电话与信息服务礼仪”，涉及 1 人。').waitFor();
    await page.getByRole('button', { name: '完成情况' }).first().click();
    await page.getByRole('cell', { name: /王芳/ }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'assignments-zh-phone.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();

    // 王芳 (10002) finds it under "due soon", and her confirmed meeting minutes.
    const staff = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    staff.setDefaultTimeout(10_000);
    const p2 = await staff.newPage();
    await signIn(p2, product.server.baseUrl, '10002');
    const mine = p2.getByTestId('my-learning');
    await mine.getByText('即将到期').waitFor();
    await mine.getByRole('link', { name: '电话与信息服务礼仪' }).waitFor();
    await p2.getByRole('link', { name: '学习记录' }).click();
    const sessions = p2.locator('ul.list');
    await sessions.getByText('早会学习').waitFor();
    await sessions.getByText('已确认').waitFor();
    await p2.screenshot({ path: join(ARTIFACTS, 'study-log-zh-phone.png'), fullPage: true });
    await staff.close();
  });
});
