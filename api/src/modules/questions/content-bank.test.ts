/**
 * Loads every shipped question bank file (content/questions/*.json) through normaliseQuestion + validateQuestion
 * with the bank rules. Files still being written are tested as they are; a file that is absent is not.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { normaliseQuestion, QuestionSchema, validateQuestion } from './question-model.js';
import { scoreResponse } from './scoring.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const QDIR = `${ROOT}content/questions/`;
const files = existsSync(QDIR) ? readdirSync(QDIR).filter((f) => f.endsWith('.json')).sort() : [];

/** Module ids from the front matter of content/<track>/<module>/index.<lang>.md. */
function moduleIds(): Set<string> {
  const ids = new Set<string>();
  for (const track of readdirSync(`${ROOT}content`, { withFileTypes: true })) {
    if (!track.isDirectory() || track.name === 'questions') continue;
    for (const mod of readdirSync(`${ROOT}content/${track.name}`, { withFileTypes: true })) {
      if (!mod.isDirectory()) continue;
      for (const f of readdirSync(`${ROOT}content/${track.name}/${mod.name}`)) {
        if (!/^index\.\w+\.md$/.test(f)) continue;
        const text = readFileSync(`${ROOT}content/${track.name}/${mod.name}/${f}`, 'utf8');
        const fm = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
        const id = fm ? (parseYaml(fm[1]) as { id?: unknown })?.id : undefined;
        if (typeof id === 'string') ids.add(id);
      }
    }
  }
  return ids;
}

describe('shipped question banks', () => {
  it('are present', () => expect(files.length).toBeGreaterThanOrEqual(12));
  const ids = moduleIds();

  it.each(files)('%s: every question normalises and validates with zero issues', (file) => {
    const bank = JSON.parse(readFileSync(QDIR + file, 'utf8')) as { track: string; language: 'zh' | 'en'; questions: unknown[] };
    const lang = /\.(zh|en)\.json$/.exec(file)?.[1];
    expect(bank.language).toBe(lang);
    expect(Array.isArray(bank.questions)).toBe(true);
    const problems: string[] = [];
    const keys = new Set<string>();
    for (const raw of bank.questions) {
      const q = normaliseQuestion(raw, { language: bank.language });
      for (const issue of validateQuestion(q, { mode: 'bank', moduleIds: ids })) {
        problems.push(`${q.key ?? '?'} ${issue.path}: ${issue.code} ${JSON.stringify(issue.params)}`);
      }
      if (!Value.Check(QuestionSchema, raw)) problems.push(`${q.key ?? '?'}: does not match QuestionSchema`);
      if (q.key) {
        if (keys.has(q.key)) problems.push(`${q.key}: key repeated in the file`);
        keys.add(q.key);
      }
      // Normalising is idempotent, and the questions can be scored.
      expect(normaliseQuestion(q)).toEqual(q);
      expect(() => scoreResponse(q, {})).not.toThrow();
    }
    expect(problems).toEqual([]);
  });
});
