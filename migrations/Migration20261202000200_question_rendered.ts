import { Migration } from '@mikro-orm/migrations';

/**
 * Render once: each question version keeps its learner view and its answer view as sanitised HTML (`rendered`),
 * written with the version, so reading a question never runs markdown again. Rows written before this column, or by
 * an older renderer (`rendered->>'v'`), are filled at start by the question bank sync.
 */
export class Migration20261202000200_question_rendered extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table question_version add column rendered jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table question_version drop column rendered;`);
  }
}
