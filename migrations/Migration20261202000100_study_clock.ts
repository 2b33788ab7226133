import { Migration } from '@mikro-orm/migrations';

/**
 * One clock per person for study time: reading time is credited against it, so all of a person's modules, tabs and
 * clients together never earn more than the wall-clock time that passed.
 */
export class Migration20261202000100_study_clock extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table study_clock (
        user_id uuid primary key references app_user(id) on delete cascade,
        credited_until timestamptz not null,
        last_credit integer not null default 0,
        updated_at timestamptz not null default now()
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists study_clock;');
  }
}
