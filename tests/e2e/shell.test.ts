import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DEMO_PASSWORD, useProduct } from '../helpers/browser.js';

const product = useProduct();

const sizes = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
];

describe('web shell', () => {
  for (const size of sizes) {
    it(`logs in, switches language and shows the Chinese and English home at ${size.width}px`, async () => {
      const context = await product.browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'zh-CN' });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(product.server.baseUrl + '/');
      await page.waitForURL('**/login');
      await expect(page.getByRole('heading', { name: '登录' }).isVisible()).resolves.toBe(true);

      await page.fill('#username', '10001');
      await page.fill('#password', 'wrong-password-1');
      await page.click('button[type=submit]');
      await page.getByText('工号或密码不正确').waitFor();

      await page.fill('#password', DEMO_PASSWORD);
      await page.click('button[type=submit]');
      await page.getByTestId('greeting').waitFor();
      expect(await page.getByTestId('greeting').textContent()).toContain('您好');
      await expect(page.getByRole('heading', { name: '我的学习' }).isVisible()).resolves.toBe(true);
      // Nothing may stick out sideways on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `home-zh-${size.name}.png`), fullPage: true });

      await page.getByTestId('lang-switch').click();
      await page.getByRole('heading', { name: 'My learning' }).waitFor();
      expect(await page.getByTestId('greeting').textContent()).toContain('Hello');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await page.screenshot({ path: join(ARTIFACTS, `home-en-${size.name}.png`), fullPage: true });

      // The choice is remembered for the user: a fresh browser context comes back in English.
      const again = await product.browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'zh-CN' });
      const page2 = await again.newPage();
      await page2.goto(product.server.baseUrl + '/login');
      await page2.fill('#username', '10001');
      await page2.fill('#password', DEMO_PASSWORD);
      await page2.click('button[type=submit]');
      await page2.getByRole('heading', { name: 'My learning' }).waitFor();
      await again.close();

      // Put it back for the next size.
      await page.getByTestId('lang-switch').click();
      await page.getByRole('heading', { name: '我的学习' }).waitFor();
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('shows the admin screens and a readable field error in Chinese', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(product.server.baseUrl + '/login');
    await page.fill('#username', 'admin');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByTestId('greeting').waitFor();
    await page.getByRole('link', { name: '人员管理' }).first().click();
    await page.fill('#q', '张伟');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await page.getByRole('cell', { name: '10001' }).waitFor();
    await page.getByRole('button', { name: '新建人员' }).click();
    await page.fill('#c-username', '30001');
    await page.fill('#c-name', '新同事');
    await page.selectOption('#c-unit', { index: 2 });
    await page.fill('#c-pw', 'password123');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    await page.locator('#c-pw-error').getByText('这个密码太常见').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'admin-users-error-zh-phone.png'), fullPage: true });
    await page.getByRole('link', { name: '组织机构' }).click();
    await page.getByText('安宁县营销部').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'admin-org-units-zh-phone.png'), fullPage: true });
    await context.close();
  });
});
