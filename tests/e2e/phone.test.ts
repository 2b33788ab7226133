import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ARTIFACTS, signIn, useProduct } from '../helpers/browser.js';

const product = useProduct();

/**
 * Every screen each kind of person can open, walked at phone width (360 px, Chinese) and at desktop width
 * (1280 px, English): nothing sticks out sideways, every destination is reachable from the navigation with the
 * current place marked, and on learner and manager screens every control is a hit box of at least 44 x 44 px.
 */
const people = [
  { username: '10001', who: 'staff', measureTargets: true, destinations: ['/', '/learn', '/study', '/exams', '/contests', '/speech', '/account'] },
  { username: 'manager', who: 'manager', measureTargets: true, destinations: ['/', '/learn', '/exams', '/contests', '/speech', '/exam-admin', '/contest-admin', '/assignments', '/study/review', '/admin/users', '/account'] },
  { username: 'trainer', who: 'trainer', measureTargets: false, destinations: ['/', '/learn', '/exams', '/contests', '/speech', '/author', '/bank', '/exam-admin', '/contest-admin', '/assignments', '/study/review', '/admin/users', '/account'] },
  { username: 'admin', who: 'admin', measureTargets: false, destinations: ['/', '/learn', '/exams', '/contests', '/speech', '/author', '/bank', '/exam-admin', '/contest-admin', '/assignments', '/study/review', '/admin/users', '/admin/org-units', '/admin/import', '/account'] },
];
// Screens below the destinations, opened by address.
const EXTRA: Record<string, string[]> = {
  trainer: ['/bank/new', '/bank/import', '/author/new'],
  admin: ['/bank/new', '/bank/import', '/author/new'],
};

const sizes = [
  { name: 'phone', width: 360, height: 740, locale: 'zh-CN', lang: 'zh' },
  { name: 'desktop', width: 1280, height: 800, locale: 'en-US', lang: 'en' },
];

type Small = { what: string; w: number; h: number };

/**
 * Controls whose hit box is smaller than 44 x 44 px. A checkbox or radio is hit through the label around it (or
 * pointing at it), so that label is measured instead. Exempt: links inside the text of a lesson or a question
 * (rendered markdown, `.lesson`, `.stem`, `.feedback`), which sit in running prose, as WCAG 2.5.8 allows.
 */
async function smallTargets(page: Page): Promise<Small[]> {
  return page.evaluate(() => {
    const out: { what: string; w: number; h: number }[] = [];
    const seen = new Set<Element>();
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      const s = getComputedStyle(el);
      return s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('[inert], dialog:not([open])');
    };
    const all = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, label');
    for (const el of all) {
      let target: Element = el;
      if (el instanceof HTMLLabelElement) {
        if (!el.querySelector('input[type=checkbox], input[type=radio]')) continue;
      } else if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
        target = el.closest('label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`) : null) ?? el;
      }
      if (seen.has(target) || !visible(el)) continue;
      seen.add(target);
      if (el.tagName === 'A' && el.closest('.lesson, .stem, .feedback')) continue;
      const r = target.getBoundingClientRect();
      if (r.width < 43.5 || r.height < 43.5) {
        const text = (target.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
        out.push({ what: `${target.tagName.toLowerCase()}${target.getAttribute('type') ? `[${target.getAttribute('type')}]` : ''} "${text || target.getAttribute('aria-label') || ''}"`, w: Math.round(r.width), h: Math.round(r.height) });
      }
    }
    return out;
  });
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The navigation's link to `href` that is visible, opening the phone's "more" sheet when it lives there. */
async function navLink(page: Page, href: string) {
  const bar = page.getByTestId('bottom-nav');
  if (await bar.isVisible()) {
    const inBar = bar.locator(`a[href="${href}"]`);
    if (await inBar.count()) return inBar;
    await page.getByTestId('nav-more').click();
    const sheet = page.getByTestId('more-sheet');
    await sheet.waitFor();
    return sheet.locator(`a[href="${href}"]`);
  }
  return page.getByTestId('top-nav').locator(`a[href="${href}"]`);
}

describe('every screen on a phone and on a desktop', () => {
  for (const size of sizes) {
    for (const person of people) {
      it(`${person.who} at ${size.width}px (${size.lang}): navigation reaches everything, nothing overflows${person.measureTargets ? ', 44 px targets' : ''}`, async () => {
        const context = await product.browser.newContext({ viewport: { width: size.width, height: size.height }, locale: size.locale });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        await signIn(page, product.server.baseUrl, person.username);
        if ((await page.evaluate(() => document.documentElement.lang)).slice(0, 2) !== size.lang) {
          await page.getByTestId('lang-switch').click();
          await page.waitForFunction((l) => document.documentElement.lang.startsWith(l), size.lang);
        }
        const problems: string[] = [];

        // The navigation offers exactly the destinations this person may open; each is reached through it.
        const offered = await page.evaluate(() => [...document.querySelectorAll('[data-testid=top-nav] a, [data-testid=bottom-nav] a, [data-testid=more-sheet] a')]
          .map((a) => a.getAttribute('href')));
        expect([...new Set(offered)].sort()).toEqual([...person.destinations].sort());

        for (const href of person.destinations) {
          const link = await navLink(page, href);
          await link.click();
          await page.waitForURL((u) => u.pathname === href);
          await page.waitForLoadState('networkidle');
          await page.getByTestId('more-sheet').waitFor({ state: 'hidden' });
          // The current place is marked in the navigation that is showing, and named in the phone's header.
          const marked = await page.evaluate(() => [...document.querySelectorAll('nav a[aria-current=page]')]
            .filter((a) => a.getBoundingClientRect().width > 0).map((a) => a.getAttribute('href')));
          if (size.name === 'phone') {
            const inBar = await page.getByTestId('bottom-nav').locator(`a[href="${href}"]`).count();
            if (inBar) expect(marked, href).toEqual([href]);
            else {
              // Kept in "more": the more button is highlighted and names the place; the sheet marks it.
              expect(marked, href).toEqual([]);
              await expect(page.getByTestId('nav-more').getAttribute('class')).resolves.toContain('active');
              await page.getByTestId('nav-more').click();
              await expect(page.getByTestId('more-sheet').locator('a[aria-current=page]').getAttribute('href')).resolves.toBe(href);
              await page.keyboard.press('Escape');
              await page.getByTestId('more-sheet').waitFor({ state: 'hidden' });
            }
            await expect(page.getByTestId('where').isVisible()).resolves.toBe(true);
          } else {
            expect(marked, href).toEqual([href]);
          }
          const over = await overflow(page);
          if (over > 0) problems.push(`${href}: ${over} px wider than the screen`);
          if (person.measureTargets && size.name === 'phone') {
            // One line per kind of control and size, so a list of fifty tags reads as one finding.
            const found = new Map<string, number>();
            for (const s of await smallTargets(page)) {
              const line = `${href}: ${s.what.replace(/ ".*$/, '')} ${s.w}x${s.h} (e.g. ${s.what.replace(/^\S+ /, '')})`;
              const kind = `${href}|${s.what.replace(/ ".*$/, '')}|${s.h}`;
              if (!found.has(kind)) { found.set(kind, 0); problems.push(line); }
            }
          }
        }
        for (const href of EXTRA[person.who] ?? []) {
          await page.goto(product.server.baseUrl + href);
          await page.waitForLoadState('networkidle');
          const over = await overflow(page);
          if (over > 0) problems.push(`${href}: ${over} px wider than the screen`);
        }
        expect(problems).toEqual([]);
        await context.close();
      });
    }
  }

  it('the more sheet takes focus, keeps it, closes on Escape and gives it back (360 px)', async () => {
    const context = await product.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, product.server.baseUrl, 'admin');
    await page.screenshot({ path: join(ARTIFACTS, 'nav-phone-closed.png') });
    const more = page.getByTestId('nav-more');
    await more.focus();
    await page.keyboard.press('Enter');
    const sheet = page.getByTestId('more-sheet');
    await sheet.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'nav-phone-more.png') });
    const inside = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid=more-sheet]'));
    await expect(inside()).resolves.toBe(true);
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      await expect(inside()).resolves.toBe(true);
    }
    await page.keyboard.press('Shift+Tab');
    await expect(inside()).resolves.toBe(true);
    // Every item in the sheet is a 44 px row.
    const heights = await sheet.locator('a').evaluateAll((as) => as.map((a) => a.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(0);
    for (const h of heights) expect(h).toBeGreaterThanOrEqual(44);
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('nav-more');

    const desk = await product.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const p2 = await desk.newPage();
    await signIn(p2, product.server.baseUrl, 'admin');
    if (!(await p2.evaluate(() => document.documentElement.lang)).startsWith('en')) await p2.getByTestId('lang-switch').click();
    await p2.getByTestId('top-nav').getByRole('link', { name: 'Roster import' }).waitFor();
    await p2.screenshot({ path: join(ARTIFACTS, 'nav-desktop.png') });
    await desk.close();
    await context.close();
  });
});
