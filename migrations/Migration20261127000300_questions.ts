import { Migration } from '@mikro-orm/migrations';

/**
 * The question bank.
 *
 * A `question` is the stable identity (key + language, status, category, tags, module links); what it asks and how
 * it is scored lives in `question_version` rows. A version is never changed once anything may depend on it: a save
 * of a question that is active or retired, or whose current version appears in `question_usage`, adds a new version
 * and moves `current_version_id`; only an unused draft is edited in place. Exams pin `question_version.id` and
 * record it in `question_usage`, so what a learner answered stays exactly what they were asked.
 */
export class Migration20261127000300_questions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table question_category (
        id uuid primary key,
        parent_id uuid null references question_category(id) on delete cascade,
        name varchar(200) not null,
        path text not null unique,
        created_at timestamptz not null default now()
      );`);
    this.addSql(`create index question_category_parent_idx on question_category (parent_id);`);
    this.addSql(`
      create table question (
        id uuid primary key,
        key varchar(100) not null,
        language varchar(2) not null check (language in ('zh','en')),
        status varchar(10) not null check (status in ('draft','active','retired')),
        category_id uuid null references question_category(id),
        tags text[] not null default '{}',
        current_version_id uuid null,
        source varchar(10) not null check (source in ('file','browser','import')),
        search_text text not null default '',
        created_by uuid null references app_user(id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (key, language)
      );`);
    this.addSql(`
      create table question_version (
        id uuid primary key,
        question_id uuid not null references question(id) on delete cascade,
        number integer not null,
        type varchar(20) not null,
        difficulty smallint not null,
        points numeric(8,2) not null,
        content jsonb not null,
        content_hash varchar(64) not null,
        created_by uuid null references app_user(id),
        created_at timestamptz not null default now(),
        unique (question_id, number)
      );`);
    // Deferred: a question and its first version are written in one transaction, in either order.
    this.addSql(`alter table question add constraint question_current_version_fk foreign key (current_version_id)
      references question_version(id) deferrable initially deferred;`);
    this.addSql(`create index question_status_idx on question (status, language);`);
    this.addSql(`create index question_category_idx on question (category_id);`);
    this.addSql(`create index question_tags_idx on question using gin (tags);`);
    this.addSql(`create index question_version_hash_idx on question_version (content_hash);`);
    this.addSql(`
      create table question_module (
        question_id uuid not null references question(id) on delete cascade,
        module_id uuid not null references course_module(id) on delete cascade,
        primary key (question_id, module_id)
      );`);
    this.addSql(`create index question_module_module_idx on question_module (module_id);`);
    // Written by whatever delivers questions (exams, contests): a used version is never edited or deleted.
    this.addSql(`
      create table question_usage (
        id uuid primary key,
        question_version_id uuid not null references question_version(id),
        used_by_type varchar(32) not null,
        used_by_id uuid not null,
        created_at timestamptz not null default now(),
        unique (question_version_id, used_by_type, used_by_id)
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists question_usage;');
    this.addSql('drop table if exists question_module;');
    this.addSql('alter table question drop constraint if exists question_current_version_fk;');
    this.addSql('drop table if exists question_version;');
    this.addSql('drop table if exists question;');
    this.addSql('drop table if exists question_category;');
  }
}
