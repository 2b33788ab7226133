import { Migration } from '@mikro-orm/migrations';

/**
 * What the start-up synchronisations last brought in: per sync (`content`), the fingerprint of everything it read.
 * A start whose shipped files give the same fingerprint skips the sync (startup.ts).
 */
export class Migration20261202000400_sync_state extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table sync_state (
        name text primary key,
        fingerprint text not null,
        synced_at timestamptz not null default now()
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists sync_state;');
  }
}
