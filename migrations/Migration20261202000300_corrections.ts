import { Migration } from '@mikro-orm/migrations';

/**
 * Records can be corrected: an attendance record may be withdrawn (it then stops counting anywhere), and every edit
 * or withdrawal of an attendance record or an assignment is kept, field by field with its reason, in `record_change`.
 */
export class Migration20261202000300_corrections extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table study_session add column withdrawn_at timestamptz null;`);
    this.addSql(`
      create table record_change (
        id uuid primary key,
        record_type varchar(20) not null check (record_type in ('study_session','assignment')),
        record_id uuid not null,
        action varchar(10) not null check (action in ('update','withdraw')),
        field varchar(32) not null,
        old_value jsonb null,
        new_value jsonb null,
        reason text not null check (length(btrim(reason)) > 0),
        changed_by uuid not null references app_user(id),
        changed_at timestamptz not null default now()
      );`);
    this.addSql(`create index record_change_record_idx on record_change (record_type, record_id, changed_at);`);
    // Duplicate checks look for a person's live records of one kind on one day.
    this.addSql(`create index study_session_user_day_kind_idx on study_session (user_id, day, kind) where withdrawn_at is null;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists record_change;');
    this.addSql('drop index if exists study_session_user_day_kind_idx;');
    this.addSql('alter table study_session drop column if exists withdrawn_at;');
  }
}
