import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { execSql } from '../../api/src/lib/sql.js';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

const SLUG = 'floating-total-management';
const login = (page: Page, username: string) => signIn(page, product.server.baseUrl, username);

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const overflowX = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('module authoring', () => {
  it('edits, validates, saves and publishes a module, and a learner on a phone reads the new text', async () => {
    const context = await product.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Confirmations (leaving with unsaved work) are answered yes.
    page.on('dialog', (d) => d.accept());
    await login(page, 'trainer');

    // The list: every module by track, with badges.
    await page.getByRole('link', { name: '课程编写' }).first().click();
    await page.waitForURL('**/author');
    await page.locator(`[data-slug="${SLUG}"]`).waitFor();
    expect(await page.getByRole('heading', { name: '货源政策与订单供货' }).isVisible()).toBe(true);
    expect(await page.locator(`[data-slug="${SLUG}"] [data-testid=status-badge]`).textContent()).toBe('已发布');
    await page.screenshot({ path: join(ARTIFACTS, 'author-list-zh-desktop.png'), fullPage: false });

    // Search narrows the list.
    await page.fill('#author-q', '总量浮动管理：有上限');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=module-row]').length === 1);
    await page.locator(`[data-slug="${SLUG}"] a`).first().click();
    await page.waitForURL(/\/author\/[0-9a-f-]{36}$/);

    const body = page.getByTestId('body');
    await body.waitFor();
    await page.getByTestId('tab-zh').click();
    await page.getByTestId('preview').locator('h1').waitFor();
    expect(await page.getByTestId('preview').locator('h1').textContent()).toContain('总量浮动管理');

    // An empty title: the server's message appears beside the field, in Chinese.
    const title = page.getByTestId('title');
    const originalTitle = await title.inputValue();
    await title.fill('');
    await page.getByTestId('save').click();
    await page.getByTestId('title-error').waitFor();
    expect(await page.getByTestId('title-error').textContent()).toBe('必填');
    await page.getByText('输入的内容有误').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('title');
    await page.screenshot({ path: join(ARTIFACTS, 'author-editor-error-zh-desktop.png') });
    await title.fill(originalTitle);

    // A distinctive sentence under the lesson's heading; the live preview shows it.
    const sentence = `端到端测试加入的句子${Date.now()}，请学员注意。`;
    const text = await body.inputValue();
    await body.fill(text.replace(/^(# [^\n]*\n)/m, `$1\n${sentence}\n`));
    await page.getByTestId('preview').getByText(sentence).waitFor();
    expect(await page.getByTestId('save-state').textContent()).toContain('有未保存的修改');
    await page.screenshot({ path: join(ARTIFACTS, 'author-editor-zh-desktop.png') });

    // Nothing typed is lost: the browser keeps it, and a reload brings it back.
    await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('author-draft:')));
    await page.reload();
    await page.getByTestId('restored-notice').waitFor();
    expect(await page.getByTestId('body').inputValue()).toContain(sentence);

    // Save the draft, then publish.
    await page.getByTestId('save').click();
    await page.getByTestId('notice').getByText('草稿已保存').waitFor();
    expect(await page.locator('.head [data-testid=status-badge]').textContent()).toBe('已发布 · 有未发布的草稿');
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('author-draft:')))).toEqual([]);
    await page.getByTestId('publish').click();
    await page.getByTestId('notice').getByText('已发布').waitFor();
    expect(await page.locator('.head [data-testid=status-badge]').textContent()).toBe('已发布');

    // History: the newest revision compared with the one before shows the added sentence in green.
    await page.getByText('修订历史').click();
    await page.getByTestId('revisions').waitFor();
    await page.getByRole('button', { name: '与上一版对比' }).first().click();
    const added = page.getByTestId('diff').locator('.dl.add', { hasText: sentence });
    await added.waitFor();
    expect(await added.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(220, 245, 227)');
    await page.getByTestId('diff').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'author-history-zh-desktop.png') });

    // The same editor on a phone: one column, nothing sticking out sideways, preview in its own tab.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByText('修订历史').click(); // close it again
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'author-editor-zh-phone.png'), fullPage: true });
    await page.getByRole('button', { name: '预览', exact: true }).click();
    await page.getByTestId('preview').getByText(sentence).waitFor();
    expect(await page.getByTestId('body').isVisible()).toBe(false);
    await page.getByTestId('preview').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'author-preview-zh-phone.png') });

    // A learner, on a phone, reads the published text.
    const learner = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    learner.setDefaultTimeout(15_000);
    const lp = await learner.newPage();
    await login(lp, '10001');
    const api = await lp.request.get(`${product.server.baseUrl}/api/modules/${SLUG}`, { headers: { 'accept-language': 'zh' } });
    expect(api.ok()).toBe(true);
    expect((await api.json()).html).toContain(sentence);
    await lp.goto(`${product.server.baseUrl}/learn/${SLUG}`);
    await lp.getByText(sentence).waitFor();
    await lp.getByText(sentence).scrollIntoViewIfNeeded();
    await lp.screenshot({ path: join(ARTIFACTS, 'author-learner-reads-zh-phone.png') });

    // Restoring the first revision publishes the old text again; the learner no longer gets the sentence.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByText('修订历史').click();
    await page.getByRole('button', { name: '恢复为这一版' }).last().click();
    await page.getByTestId('notice').getByText('旧版本已恢复并发布').waitFor();
    expect(await page.getByTestId('body').inputValue()).not.toContain(sentence);
    const after = await lp.request.get(`${product.server.baseUrl}/api/modules/${SLUG}`, { headers: { 'accept-language': 'zh' } });
    expect((await after.json()).html).not.toContain(sentence);

    // The export is a zip of the module's files.
    const href = await page.getByTestId('export').getAttribute('href');
    const zip = await page.request.get(product.server.baseUrl + href);
    expect(zip.headers()['content-type']).toContain('application/zip');
    expect((await zip.body()).subarray(0, 2).toString('latin1')).toBe('PK');
    expect(errors).toEqual([]);
    await learner.close();
    await context.close();
  });

  it('creates a new module on a phone and resolves a file conflict', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => d.accept());
    await login(page, 'trainer');

    await page.goto(product.server.baseUrl + '/author/new');
    await page.getByTestId('title').waitFor();
    await page.getByTestId('title').fill('端到端新模块');
    await page.getByTestId('body').fill('# 端到端新模块\n\n## 第一节\n\n正文内容。\n\n> **示例（请培训师按本单位实际替换）：** 本单位的做法。');
    await page.getByRole('button', { name: '预览', exact: true }).click();
    await page.getByTestId('preview').locator('blockquote.sample').waitFor();
    await page.getByRole('button', { name: '编写', exact: true }).click();
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'author-new-zh-phone.png'), fullPage: true });
    await page.getByTestId('save').click();
    await page.waitForURL(/\/author\/[0-9a-f-]{36}$/);
    await page.getByTestId('notice').getByText('模块已创建').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('author-draft:new'))).toBeNull();
    expect(await page.locator('.head [data-testid=status-badge]').textContent()).toBe('草稿');

    // An image goes in at the cursor, as the snippet the server returns, and shows in the preview.
    await page.getByTestId('body').evaluate((el: HTMLTextAreaElement) => {
      const at = el.value.indexOf('正文内容。');
      el.focus();
      el.setSelectionRange(at, at);
    });
    await page.getByTestId('image-input').setInputFiles({ name: 'Diagram One.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
    await page.waitForFunction(() => (document.querySelector('[data-testid=body]') as HTMLTextAreaElement).value.includes('![](diagram-one.png)'));
    expect(await page.getByTestId('body').inputValue()).toContain('## 第一节\n\n![](diagram-one.png)\n\n正文内容。');
    await page.getByRole('button', { name: '预览', exact: true }).click();
    await page.getByTestId('preview').locator('img[src$="/assets/diagram-one.png"]').waitFor();
    await page.getByRole('button', { name: '编写', exact: true }).click();
    // A file that is not an image is refused beside the button, in Chinese.
    await page.getByTestId('image-input').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
    await page.getByText('只能上传 PNG、JPEG、GIF 或 WebP 图片').waitFor();
    await page.getByTestId('save').click();
    await page.getByTestId('notice').getByText('草稿已保存').waitFor();
    await page.getByTestId('publish').click();
    await page.getByTestId('notice').getByText('已发布').waitFor();
    await page.getByRole('button', { name: '归档', exact: true }).click();
    await page.getByTestId('notice').getByText('模块已归档').waitFor();
    expect(await page.locator('.head [data-testid=status-badge]').textContent()).toBe('已归档');
    await page.getByRole('button', { name: '取消归档' }).click();
    await page.getByTestId('notice').getByText('模块已取消归档').waitFor();
    expect(await page.locator('.head [data-testid=status-badge]').textContent()).toBe('已发布');

    // A file change that met browser edits: the list warns, the editor explains both choices.
    const em = product.server.orm.em.fork();
    await execSql(em, `update course_module set edited_in_browser = true, conflict = ? where slug = ?`, [
      JSON.stringify({ fileHash: 'abc', detectedAt: new Date().toISOString(), path: '02-supply-ordering/02-self-reported-demand-order-supply' }),
      'self-reported-demand-order-supply',
    ]);
    await page.goto(product.server.baseUrl + '/author');
    await page.locator('[data-slug="self-reported-demand-order-supply"] .conflict').waitFor();
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'author-list-zh-phone.png') });
    await page.goto(product.server.baseUrl + '/author/self-reported-demand-order-supply');
    await page.getByTestId('conflict-banner').waitFor();
    expect(await page.getByTestId('conflict-banner').textContent()).toContain('保留浏览器中的版本');
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'author-conflict-zh-phone.png') });
    await page.getByRole('button', { name: '保留浏览器中的版本' }).click();
    await page.getByTestId('notice').getByText('已保留浏览器中的版本').waitFor();
    expect(await page.getByTestId('conflict-banner').count()).toBe(0);

    // A draft can be thrown away, back to the published text.
    const original = await page.getByTestId('summary').inputValue();
    await page.getByTestId('summary').fill('临时的简介');
    await page.getByTestId('save').click();
    await page.getByTestId('notice').getByText('草稿已保存').waitFor();
    expect(await page.locator('.head [data-testid=status-badge]').textContent()).toBe('已发布 · 有未发布的草稿');
    await page.getByRole('button', { name: '丢弃草稿' }).click();
    await page.getByTestId('notice').getByText('草稿已丢弃').waitFor();
    expect(await page.getByTestId('summary').inputValue()).toBe(original);

    // The English screens.
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('button', { name: 'Insert image' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'author-editor-en-phone.png'), fullPage: true });
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: '基本设置' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
