import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Key, Lang } from '../i18n.svelte';

// English screens are read by people who do not type Chinese: a full-width colon, bracket, enumeration comma, comma
// or full stop in an English string ("Report：x", "Modules（1）") looks broken there.
const FULL_WIDTH = /[：（）、，。；！？【】]/u;
// Texts that quote Chinese on purpose: how Chinese test papers write an Aiken question.
const QUOTES_CHINESE = new Set(['bank.formatHelp.aiken']);

let dictionaries: Record<Lang, Record<Key, string>>;

beforeAll(async () => {
  // The catalogue module keeps the current language in a Svelte rune; outside the compiler a plain value does.
  (globalThis as { $state?: <T>(v: T) => T }).$state = (v) => v;
  ({ dictionaries } = await import('../i18n.svelte'));
});

describe('the English catalogue', () => {
  it('uses no full-width punctuation', () => {
    const bad = Object.entries(dictionaries.en).filter(([key, text]) => !QUOTES_CHINESE.has(key) && FULL_WIDTH.test(text)).map(([key, text]) => `${key}: ${text}`);
    expect(bad).toEqual([]);
  });

  it('has every key the Chinese one has, none empty', () => {
    const missing = Object.keys(dictionaries.zh).filter((k) => !dictionaries.en[k as Key]?.trim());
    expect(missing).toEqual([]);
  });
});

/** Every .svelte file under web/src. */
function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? svelteFiles(join(dir, e.name)) : e.name.endsWith('.svelte') ? [join(dir, e.name)] : []);
}

describe('the templates', () => {
  // Punctuation a template puts between texts comes from the catalogue (punct.colon, punct.list, punct.paren). A
  // full-width mark written into a template is allowed only inside Chinese words (a label that is Chinese in both
  // languages), and in the separators a split() accepts from Chinese input.
  it('write no full-width punctuation between texts', () => {
    const han = /\p{Script=Han}/u;
    const bad: string[] = [];
    for (const file of svelteFiles(join(process.cwd(), 'web', 'src'))) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (line.includes('split(')) return;
        const chars = [...line];
        chars.forEach((c, j) => {
          if (FULL_WIDTH.test(c) && !han.test(chars[j - 1] ?? '') && !han.test(chars[j + 1] ?? '')) bad.push(`${file}:${i + 1}: ${line.trim()}`);
        });
      });
    }
    expect(bad).toEqual([]);
  });
});
