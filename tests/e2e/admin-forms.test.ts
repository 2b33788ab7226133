import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

// An administrator corrects a person from the people list: on a phone the list is cards with the Edit button in
// reach, and Edit opens a sheet where the person is, with focus on the first field; a blank name is said beside the
// field; a save closes the sheet and the card shows the new name.
const RUNS = [
  { name: 'zh-phone', viewport: { width: 360, height: 740 }, locale: 'zh-CN', l: { edit: '编辑', save: '保存', required: '请填写此项', saved: '已保存对' } },
  { name: 'en-desktop', viewport: { width: 1280, height: 900 }, locale: 'en-GB', l: { edit: 'Edit', save: 'Save', required: 'Fill this in', saved: 'saved.' } },
] as const;

describe('people list', () => {
  for (const run of RUNS) {
    it(`lets an admin edit a person in a sheet opened from the list (${run.name})`, async () => {
      const { l } = run;
      const context = await product.browser.newContext({ viewport: run.viewport, locale: run.locale });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      try {
        await signIn(page, product.server.baseUrl, 'admin');
        await page.goto(product.server.baseUrl + '/admin/users?q=10003');
        const row = page.locator('tr[data-user="10003"]');
        await row.waitFor();
        const edit = row.getByRole('button', { name: new RegExp(l.edit) });
        const box = (await edit.boundingBox())!;
        // The button is on the screen and a full tap target, not cut off to the right.
        expect(box.x + box.width).toBeLessThanOrEqual(run.viewport.width);
        expect(box.height).toBeGreaterThanOrEqual(44);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        await edit.click();

        const sheet = page.locator('[data-testid="user-edit-sheet"]');
        await sheet.waitFor();
        await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('e-name');
        const sheetBox = (await sheet.boundingBox())!;
        expect(sheetBox.y).toBeGreaterThanOrEqual(0);
        expect(sheetBox.y).toBeLessThan(run.viewport.height);

        await page.locator('#e-name').fill('   ');
        await sheet.getByRole('button', { name: l.save, exact: true }).click();
        const error = page.locator('#e-name-error');
        await error.waitFor();
        expect(await error.innerText()).toContain(l.required);
        expect(await page.locator('#e-name').getAttribute('aria-invalid')).toBe('true');
        await page.screenshot({ path: join(ARTIFACTS, `admin-user-sheet-error-${run.name}.png`) });

        const name = `改名${run.name}`;
        await page.locator('#e-name').fill(name);
        await sheet.getByRole('button', { name: l.save, exact: true }).click();
        await expect.poll(() => sheet.isVisible()).toBe(false);
        await expect.poll(() => row.locator('.card-title').innerText()).toBe(name);
        expect(await page.getByText(l.saved).count()).toBeGreaterThan(0);
        await page.screenshot({ path: join(ARTIFACTS, `admin-user-saved-${run.name}.png`) });

        const res = await page.request.get(product.server.baseUrl + '/api/users?q=10003');
        expect((await res.json()).items[0].displayName).toBe(name);
      } finally {
        await context.close();
      }
    });
  }
});
