import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ARTIFACTS, DEMO_PASSWORD, useProduct } from '../helpers/browser.js';

const product = useProduct();

const sizes = [
  { name: 'phone', width: 360, height: 740, locale: 'zh-CN' },
  { name: 'desktop', width: 1280, height: 860, locale: 'en-GB' },
] as const;

const SMALL_GIFT = [
  '$CATEGORY: 导入测试/GIFT',
  '',
  '// [id:e2e-1]',
  '持证零售户应当从哪里进货？{=当地烟草公司 ~镇上批发部 ~网上商城}',
  '',
  '// [id:e2e-2]',
  '总量浮动管理“有上限、无下限”。{T}',
  '',
  '// [id:e2e-3]',
  '这道题的答案区没有结束 {=对 ~错',
  '',
].join('\n');

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

describe('question bank', () => {
  for (const size of sizes) {
    it(`a trainer browses, filters, previews and dry-runs an import at ${size.width}px`, async () => {
      const zh = size.locale === 'zh-CN';
      const context = await product.browser.newContext({ viewport: { width: size.width, height: size.height }, locale: size.locale });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      await page.goto(product.server.baseUrl + '/login');
      await page.fill('#username', 'trainer');
      await page.fill('#password', DEMO_PASSWORD);
      await page.click('button[type=submit]');
      await page.getByTestId('greeting').waitFor();

      // The bank, from the navigation.
      await page.getByRole('link', { name: zh ? '题库' : 'Question bank', exact: true }).first().click();
      await page.waitForURL('**/bank');
      const rows = page.getByTestId('bank-table').locator('tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(50);
      await noSidewaysScroll(page);
      await page.screenshot({ path: join(ARTIFACTS, `bank-list-${size.name}.png`), fullPage: size.name === 'desktop' });

      // Filter: single choice, in Chinese, with a word in it.
      await page.getByTestId('filter-type').selectOption('single_choice');
      await page.waitForURL('**/bank?type=single_choice');
      await page.getByTestId('filter-language').selectOption('zh');
      await page.waitForURL(/language=zh/);
      await page.getByTestId('bank-search').fill('总量');
      await page.getByTestId('bank-search').press('Enter');
      await page.waitForURL(/q=/);
      await page.waitForFunction(() => {
        const cells = [...document.querySelectorAll('[data-testid=bank-table] tbody tr td:nth-child(2)')];
        return cells.length > 0 && cells.length < 50;
      });
      const types = await page.getByTestId('bank-table').locator('tbody tr td:nth-child(3)').allTextContents();
      expect(new Set(types)).toEqual(new Set([zh ? '单选题' : 'Single choice']));
      const stems = await page.getByTestId('bank-table').locator('tbody tr td:nth-child(2)').allTextContents();
      expect(stems.every((s) => s.length > 0)).toBe(true);
      await noSidewaysScroll(page);
      await page.screenshot({ path: join(ARTIFACTS, `bank-filtered-${size.name}.png`), fullPage: true });

      // Open a question: the editor with the learner's preview beside (or below) it.
      const first = page.getByTestId('bank-table').locator('tbody tr td:nth-child(2) a').first();
      const stem = (await first.textContent())!.trim();
      await first.click();
      await page.waitForURL(/\/bank\/[0-9a-f-]{36}/);
      const preview = page.getByTestId('question-preview');
      await preview.waitFor();
      await expect.poll(async () => (await preview.locator('.stem').textContent())?.replace(/\s+/g, '')).toContain(stem.replace(/…$/, '').replace(/\s+/g, '').slice(0, 12));
      expect(await preview.locator('.choice').count()).toBeGreaterThanOrEqual(3);
      await page.getByTestId('answer-view').waitFor();
      expect(await page.locator('#q-stem').inputValue()).not.toBe('');
      await noSidewaysScroll(page);
      await page.screenshot({ path: join(ARTIFACTS, `bank-question-${size.name}.png`), fullPage: true });
      if (size.name === 'phone') {
        await preview.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(ARTIFACTS, `bank-question-preview-${size.name}.png`) });
      }

      // Import: a dry run of a small GIFT file, with one broken question.
      await page.getByRole('link', { name: zh ? '导入' : 'Import', exact: true }).click();
      await page.waitForURL('**/bank/import');
      await page.locator('#imp-file').setInputFiles({ name: 'small.gift', mimeType: 'text/plain', buffer: Buffer.from(SMALL_GIFT, 'utf8') });
      await page.getByTestId('dry-run').click();
      const report = page.getByTestId('import-report');
      await report.waitFor();
      const text = (await report.textContent())!;
      expect(text).toContain(zh ? '新建 2' : 'Create 2');
      expect(text).toContain(zh ? '有误 1' : 'Error 1');
      expect(text).toContain(zh ? '答案区的“{”没有对应的“}”' : 'the answer block opened with "{" is not closed with "}"');
      expect(text).toContain(zh ? '尚未保存任何内容' : 'Nothing has been saved yet');
      const errorRow = report.locator('tr.error');
      expect((await errorRow.locator('td').first().textContent())!.trim()).toBe('10');
      await expect.poll(() => page.getByTestId('templates').locator('a').count()).toBe(4);
      await noSidewaysScroll(page);
      await page.screenshot({ path: join(ARTIFACTS, `bank-import-report-${size.name}.png`), fullPage: true });

      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('shows the version history and its comparison after an edit', async () => {
    const context = await product.browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(product.server.baseUrl + '/login');
    await page.fill('#username', 'trainer');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByTestId('greeting').waitFor();
    await page.goto(product.server.baseUrl + '/bank?q=so-001&language=zh');
    await page.getByTestId('bank-table').locator('tbody tr td:nth-child(2) a').first().click();
    await page.locator('#q-points').waitFor();
    await page.fill('#q-points', '2');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存为第 2 版').waitFor();
    await page.getByRole('link', { name: /版本记录/ }).click();
    await page.getByTestId('versions').locator('tbody tr').nth(1).waitFor();
    const compare = page.getByTestId('compare');
    await compare.getByText('分值').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'bank-history-desktop.png'), fullPage: true });
    await context.close();
  });

  it('a trainer writes a fill-in-the-blank question on a phone, with the preview following the typing', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(product.server.baseUrl + '/login');
    await page.fill('#username', 'trainer2');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByTestId('greeting').waitFor();
    await page.goto(product.server.baseUrl + '/bank/new');
    await page.locator('#q-type').selectOption('fill_blank');
    await page.fill('#q-stem', '总量浮动管理：有');
    // The new question has one blank without its marker: the first click places it, the second adds a blank.
    await page.getByRole('button', { name: '添加一个空' }).click();
    expect(await page.locator('#q-stem').inputValue()).toBe('总量浮动管理：有 {{1}}');
    await page.getByRole('button', { name: '添加一个空' }).click();
    expect(await page.getByRole('button', { name: '删除这个空' }).count()).toBe(2);
    await page.getByRole('button', { name: '删除这个空' }).first().click();
    expect(await page.locator('#q-stem').inputValue()).toBe('总量浮动管理：有 {{1}}');
    expect(await page.getByRole('button', { name: '删除这个空' }).count()).toBe(1);
    await page.getByLabel('第 1 空的答案 1').fill('上限');
    await page.fill('#q-category', '测试/填空');
    const preview = page.getByTestId('question-preview');
    await preview.locator('.blank').waitFor();
    await page.getByText('题目完整，可以保存。').waitFor();
    await noSidewaysScroll(page);
    await page.screenshot({ path: join(ARTIFACTS, 'bank-new-fill-phone.png'), fullPage: true });
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/\/bank\/[0-9a-f-]{36}\?saved=1/);
    await page.getByText('已保存', { exact: true }).waitFor();
    expect(await page.locator('#q-key').inputValue()).toMatch(/^q-/);

    // A mistake is named beside its field.
    await page.goto(product.server.baseUrl + '/bank/new');
    await page.locator('#q-type').selectOption('matching');
    await page.fill('#q-stem', '配对');
    await page.getByLabel('第 1 组左侧').fill('上柜率');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('输入的内容有误').waitFor();
    expect(await page.locator('.field-error').count()).toBeGreaterThan(0);
    expect(await page.locator('.field-error').first().textContent()).toBe('必填');
    await page.getByTestId('question-preview').getByText('配对题').waitFor();
    await noSidewaysScroll(page);
    await page.screenshot({ path: join(ARTIFACTS, 'bank-new-matching-errors-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses the bank to marketing staff', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(product.server.baseUrl + '/login');
    await page.fill('#username', '10001');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByTestId('greeting').waitFor();
    expect(await page.getByRole('link', { name: '题库', exact: true }).count()).toBe(0);
    await page.goto(product.server.baseUrl + '/bank');
    await page.getByText('题库只对培训师和管理员开放').waitFor();
    expect(await page.getByTestId('bank-table').count()).toBe(0);
    await context.close();
  });
});
