import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import { query, sql } from '../../lib/sql.js';
import { normaliseQuestion, validateQuestion, type Lang, type Question } from './question-model.js';
import { renderMissingVersions } from './question-render.js';
import { insertQuestions, joinQuestion, moduleIdsBySlug } from './question-store.js';

export interface BankSyncReport {
  files: number;
  created: number;
  existing: number;
  /** `file key path: code` for each shipped question that was not loaded. */
  invalid: string[];
  /** Versions rendered again because they had no current rendering (written before render-once, or by an older renderer). */
  rendered: number;
}

/**
 * Loads the shipped question bank (`content/questions/<track>.<lang>.json`) into the database: every question whose
 * key is not yet in the bank in that language is added, active. Questions already there are left alone, so edits
 * made by trainers are never overwritten, and running it again changes nothing. A shipped question that does not
 * pass the bank's rules (docs/CONTENT.md) is skipped and reported; it does not stop the start.
 */
export async function syncQuestionBank(em: EntityManager, contentDir: string): Promise<BankSyncReport> {
  const dir = join(contentDir, 'questions');
  const report: BankSyncReport = { files: 0, created: 0, existing: 0, invalid: [], rendered: 0 };
  await loadShippedBank(em, dir, report);
  // Every version, shipped or written in the browser or by an import, gets its kept rendering.
  report.rendered = await renderMissingVersions(em, (content) => joinQuestion(content, { tags: [], modules: [] }));
  return report;
}

async function loadShippedBank(em: EntityManager, dir: string, report: BankSyncReport): Promise<void> {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir).filter((f) => /\.(zh|en)\.json$/.test(f)).sort();
  const modules = await moduleIdsBySlug(em);
  const moduleIds = new Set(modules.keys());
  const wanted: Question[] = [];
  for (const file of files) {
    report.files++;
    let bank: { language?: string; questions?: unknown[] };
    try {
      bank = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      report.invalid.push(`${file}: not valid JSON: ${(e as Error).message}`);
      continue;
    }
    const language = /\.(zh|en)\.json$/.exec(file)![1] as Lang;
    for (const raw of Array.isArray(bank.questions) ? bank.questions : []) {
      const q = normaliseQuestion(raw, { language });
      const issues = validateQuestion(q, { mode: 'bank', moduleIds });
      if (issues.length) {
        report.invalid.push(...issues.map((i) => `${file} ${q.key ?? '?'} ${i.path}: ${i.code}`));
        continue;
      }
      wanted.push({ ...q, language: q.language ?? language });
    }
  }
  if (!wanted.length) return;
  await em.transactional(async (tx) => {
    const keys = JSON.stringify(wanted.map((q) => ({ key: q.key, language: q.language })));
    const present = await query<{ key: string; language: string }>(tx, sql`
      select q.key, q.language from question q
      join jsonb_to_recordset(${keys}::jsonb) as k(key text, language text) on k.key = q.key and k.language = q.language`);
    const have = new Set(present.map((p) => `${p.language}\u0000${p.key}`));
    const missing = wanted.filter((q) => !have.has(`${q.language}\u0000${q.key}`));
    report.existing = wanted.length - missing.length;
    const ids = await insertQuestions(tx, missing.map((question) => ({ question, status: 'active' as const, source: 'file' as const, createdBy: null })));
    report.created = ids.filter(Boolean).length;
    report.existing += ids.length - report.created;
  });
}
