import { Migration } from '@mikro-orm/migrations';

export class Migration20261127000100_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table org_unit (
        id uuid primary key,
        name varchar(120) not null,
        name_en varchar(120) null,
        kind varchar(20) not null,
        parent_id uuid null references org_unit(id),
        path text not null,
        archived_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql(`create index org_unit_path_idx on org_unit (path text_pattern_ops);`);
    this.addSql(`create index org_unit_parent_idx on org_unit (parent_id);`);
    this.addSql(`
      create table app_user (
        id uuid primary key,
        username varchar(64) not null,
        display_name varchar(100) not null,
        password_hash text not null,
        role varchar(16) not null check (role in ('staff','trainer','manager','admin')),
        position varchar(32) not null,
        org_unit_id uuid not null references org_unit(id),
        locale varchar(8) null,
        disabled boolean not null default false,
        must_change_password boolean not null default false,
        password_changed_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql(`create unique index app_user_username_key on app_user (lower(username));`);
    this.addSql(`create index app_user_org_unit_idx on app_user (org_unit_id);`);
    this.addSql(`
      create table refresh_token (
        id uuid primary key,
        user_id uuid not null references app_user(id) on delete cascade,
        family_id uuid not null,
        token_hash varchar(64) not null unique,
        expires_at timestamptz not null,
        revoked_at timestamptz null,
        created_at timestamptz not null,
        user_agent varchar(300) null
      );`);
    this.addSql(`create index refresh_token_user_idx on refresh_token (user_id);`);
    this.addSql(`create index refresh_token_family_idx on refresh_token (family_id);`);
    this.addSql(`
      create table login_throttle (
        key varchar(200) primary key,
        failures integer not null,
        window_started_at timestamptz not null,
        blocked_until timestamptz null
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists login_throttle;');
    this.addSql('drop table if exists refresh_token;');
    this.addSql('drop table if exists app_user;');
    this.addSql('drop table if exists org_unit;');
  }
}
