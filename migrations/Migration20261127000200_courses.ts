import { Migration } from '@mikro-orm/migrations';

export class Migration20261127000200_courses extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table track (
        id varchar(64) primary key,
        sort_order integer not null default 0,
        title_zh varchar(200) not null,
        title_en varchar(200) not null,
        summary_zh text not null default '',
        summary_en text not null default '',
        archived_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql(`
      create table course_module (
        id uuid primary key,
        slug varchar(100) not null unique,
        track_id varchar(64) not null references track(id),
        sort_order integer not null default 0,
        source varchar(16) not null check (source in ('file','browser')),
        source_path text null,
        file_hash varchar(64) null,
        published_revision_id uuid null,
        draft_revision_id uuid null,
        edited_in_browser boolean not null default false,
        conflict jsonb null,
        archived_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql(`
      create table module_revision (
        id uuid primary key,
        module_id uuid not null references course_module(id) on delete cascade,
        number integer not null,
        origin varchar(16) not null check (origin in ('file','browser','restore')),
        state varchar(16) not null check (state in ('draft','published')),
        minutes integer not null,
        positions text[] not null default '{}',
        locales jsonb not null,
        search_text text not null default '',
        content_hash varchar(64) not null,
        created_by uuid null references app_user(id),
        created_at timestamptz not null default now(),
        published_at timestamptz null,
        unique (module_id, number)
      );`);
    this.addSql(`alter table course_module add constraint course_module_published_fk foreign key (published_revision_id) references module_revision(id);`);
    this.addSql(`alter table course_module add constraint course_module_draft_fk foreign key (draft_revision_id) references module_revision(id) on delete set null;`);
    this.addSql(`create index course_module_track_idx on course_module (track_id, sort_order);`);
    this.addSql(`
      create table module_asset (
        id uuid primary key,
        module_id uuid not null references course_module(id) on delete cascade,
        filename varchar(200) not null,
        mime varchar(64) not null,
        size integer not null,
        sha256 varchar(64) not null,
        data bytea not null,
        created_at timestamptz not null default now(),
        unique (module_id, filename)
      );`);
    this.addSql(`
      create table study_progress (
        user_id uuid not null references app_user(id) on delete cascade,
        module_id uuid not null references course_module(id) on delete cascade,
        position varchar(200) null,
        sections_read text[] not null default '{}',
        seconds_spent integer not null default 0,
        reached_end boolean not null default false,
        completed_at timestamptz null,
        started_at timestamptz not null,
        last_beat_at timestamptz null,
        last_client varchar(64) null,
        last_seq integer not null default 0,
        updated_at timestamptz not null,
        primary key (user_id, module_id)
      );`);
    this.addSql(`
      create table study_daily (
        user_id uuid not null references app_user(id) on delete cascade,
        module_id uuid not null references course_module(id) on delete cascade,
        day date not null,
        seconds integer not null default 0,
        primary key (user_id, module_id, day)
      );`);
    this.addSql(`
      create table study_session (
        id uuid primary key,
        user_id uuid not null references app_user(id) on delete cascade,
        kind varchar(20) not null check (kind in ('self_study','morning_meeting','evening_meeting','mass_training','other')),
        day date not null,
        minutes integer not null check (minutes > 0 and minutes <= 720),
        module_id uuid null references course_module(id) on delete set null,
        note text not null default '',
        status varchar(16) not null check (status in ('logged','confirmed','rejected')),
        recorded_by uuid not null references app_user(id),
        reviewed_by uuid null references app_user(id),
        reviewed_at timestamptz null,
        review_note text not null default '',
        created_at timestamptz not null default now()
      );`);
    this.addSql(`create index study_session_user_day_idx on study_session (user_id, day);`);
    this.addSql(`
      create table assignment (
        id uuid primary key,
        target_type varchar(10) not null check (target_type in ('module','track')),
        module_id uuid null references course_module(id) on delete cascade,
        track_id varchar(64) null references track(id),
        positions text[] not null default '{}',
        org_unit_ids uuid[] not null default '{}',
        user_ids uuid[] not null default '{}',
        scope_path text null,
        due_on date null,
        note text not null default '',
        created_by uuid not null references app_user(id),
        created_at timestamptz not null default now(),
        archived_at timestamptz null,
        check ((target_type = 'module' and module_id is not null) or (target_type = 'track' and track_id is not null))
      );`);
  }

  override async down(): Promise<void> {
    for (const t of ['assignment', 'study_session', 'study_daily', 'study_progress', 'module_asset']) this.addSql(`drop table if exists ${t};`);
    this.addSql('alter table course_module drop constraint if exists course_module_published_fk;');
    this.addSql('alter table course_module drop constraint if exists course_module_draft_fk;');
    this.addSql('drop table if exists module_revision;');
    this.addSql('drop table if exists course_module;');
    this.addSql('drop table if exists track;');
  }
}
