import { Migration } from '@mikro-orm/migrations';

/**
 * Render once, read small: each module revision keeps its outline (per language: title, summary, tags and the ids
 * of its sections) beside the body, for lists, My learning and the heartbeat. Existing revisions get theirs from
 * the locales they already hold (the sections are the second-level headings of the table of contents).
 */
/** Each revision's outline from its locales (exported for the test that compares it with what the code writes). */
export const BACKFILL_OUTLINE = `
  update module_revision r set outline = coalesce((
    select jsonb_object_agg(l.key, jsonb_build_object(
             'title', l.value->'title',
             'summary', coalesce(l.value->'summary', '""'::jsonb),
             'tags', coalesce(l.value->'tags', '[]'::jsonb),
             'sections', coalesce((
               select jsonb_agg(t.item->'id' order by t.n)
                 from jsonb_array_elements(coalesce(l.value->'toc', '[]'::jsonb)) with ordinality as t(item, n)
                where (t.item->>'depth')::int = 2), '[]'::jsonb)))
      from jsonb_each(r.locales) l), '{}'::jsonb)`;

export class Migration20261202000101_module_outline extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table module_revision add column outline jsonb not null default '{}';`);
    this.addSql(BACKFILL_OUTLINE);
    this.addSql(`alter table module_revision alter column outline drop default;`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table module_revision drop column if exists outline;');
  }
}
