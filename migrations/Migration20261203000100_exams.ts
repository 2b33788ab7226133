import { Migration } from '@mikro-orm/migrations';

/**
 * Monthly exams.
 *
 * `exam` is the definition: texts, window, limits, grading, review policy and an audience of the same shape as an
 * assignment (access/audience.ts). Its blueprint is `exam_item` rows: a fixed question (pinned to a version when the
 * exam is published) or a random draw of N questions from a category and/or tag, optionally of one difficulty.
 * `exam_override` gives one person another window, extra minutes or extra attempts, always with a reason.
 *
 * An attempt is a snapshot made when it starts: `attempt_question` holds, slot by slot, the pinned question version,
 * its points and the option order shown; those versions are also written to `question_usage`, so the bank never
 * edits them in place. `attempt_answer` is the hot table (one row per slot, upserted on every save, newest `seq`
 * wins); grading results live on `attempt_question`. Saves that arrive after the deadline and its grace are kept in
 * `attempt_late_answer` and never counted. `attempt_event` is the integrity log. A regrade is recorded in
 * `exam_regrade`, with each attempt whose score it changed in `exam_regrade_attempt`.
 */
export class Migration20261203000100_exams extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table exam (
        id uuid primary key,
        title_zh varchar(200) not null check (length(btrim(title_zh)) > 0),
        title_en varchar(200) not null default '',
        description_zh text not null default '',
        description_en text not null default '',
        kind varchar(10) not null check (kind in ('monthly','makeup','practice')),
        period varchar(7) not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        status varchar(10) not null default 'draft' check (status in ('draft','published','archived')),
        opens_at timestamptz not null,
        closes_at timestamptz not null,
        time_limit_minutes integer null check (time_limit_minutes is null or time_limit_minutes between 1 and 1440),
        attempts_allowed integer not null default 1 check (attempts_allowed between 0 and 100),
        attempt_wait_minutes integer not null default 0 check (attempt_wait_minutes between 0 and 43200),
        grading_method varchar(8) not null default 'highest' check (grading_method in ('highest','last','first','mean')),
        pass_mark numeric(8,2) not null default 0 check (pass_mark >= 0),
        navigation varchar(10) not null default 'free' check (navigation in ('free','sequential')),
        shuffle_questions boolean not null default true,
        shuffle_options boolean not null default true,
        review_when varchar(12) not null default 'after_close' check (review_when in ('immediately','after_close','never')),
        review_score boolean not null default true,
        review_correctness boolean not null default true,
        review_answers boolean not null default false,
        review_feedback boolean not null default false,
        grace_seconds integer not null default 120 check (grace_seconds between 0 and 3600),
        positions text[] not null default '{}',
        org_unit_ids uuid[] not null default '{}',
        user_ids uuid[] not null default '{}',
        scope_path text null,
        makeup_of uuid null references exam(id),
        created_by uuid not null references app_user(id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        published_at timestamptz null,
        check (closes_at > opens_at)
      );`);
    this.addSql(`create index exam_period_idx on exam (period, status);`);
    this.addSql(`create index exam_closes_idx on exam (closes_at) where status = 'published';`);
    this.addSql(`
      create table exam_item (
        id uuid primary key,
        exam_id uuid not null references exam(id) on delete cascade,
        position integer not null check (position >= 0),
        kind varchar(6) not null check (kind in ('fixed','random')),
        question_id uuid null references question(id),
        question_version_id uuid null references question_version(id),
        category_id uuid null references question_category(id),
        tag text null,
        difficulty smallint null check (difficulty is null or difficulty between 1 and 5),
        draw_count integer not null default 1 check (draw_count between 1 and 500),
        points numeric(8,2) null check (points is null or points > 0),
        unique (exam_id, position),
        check ((kind = 'fixed' and question_id is not null and draw_count = 1)
            or (kind = 'random' and question_id is null and question_version_id is null
                and (category_id is not null or tag is not null)))
      );`);
    this.addSql(`
      create table exam_override (
        id uuid primary key,
        exam_id uuid not null references exam(id) on delete cascade,
        user_id uuid not null references app_user(id),
        opens_at timestamptz null,
        closes_at timestamptz null,
        extra_minutes integer not null default 0 check (extra_minutes between 0 and 1440),
        extra_attempts integer not null default 0 check (extra_attempts between 0 and 100),
        reason text not null check (length(btrim(reason)) > 0),
        created_by uuid not null references app_user(id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (exam_id, user_id),
        check (opens_at is null or closes_at is null or closes_at > opens_at)
      );`);
    this.addSql(`
      create table exam_attempt (
        id uuid primary key,
        exam_id uuid not null references exam(id),
        user_id uuid not null references app_user(id),
        number integer not null check (number >= 1),
        status varchar(12) not null default 'in_progress' check (status in ('in_progress','submitted','finalised')),
        started_at timestamptz not null default now(),
        deadline_at timestamptz not null,
        submitted_at timestamptz null,
        finished_by varchar(8) null check (finished_by is null or finished_by in ('learner','deadline')),
        score numeric(8,2) null,
        max_score numeric(8,2) not null default 0,
        needs_grading boolean not null default false,
        passed boolean null,
        unique (exam_id, user_id, number)
      );`);
    // One attempt in progress per person per exam, whatever the processes racing to start it.
    this.addSql(`create unique index exam_attempt_one_open_idx on exam_attempt (exam_id, user_id) where status = 'in_progress';`);
    this.addSql(`create index exam_attempt_deadline_idx on exam_attempt (deadline_at) where status = 'in_progress';`);
    this.addSql(`create index exam_attempt_user_idx on exam_attempt (user_id, exam_id);`);
    this.addSql(`
      create table attempt_question (
        attempt_id uuid not null references exam_attempt(id) on delete cascade,
        slot integer not null check (slot >= 0),
        exam_item_id uuid null references exam_item(id) on delete set null,
        question_version_id uuid not null references question_version(id),
        points numeric(8,2) not null,
        option_order integer[] null,
        score numeric(8,2) null,
        fraction numeric(9,6) null,
        correct boolean null,
        needs_grading boolean not null default false,
        graded_by uuid null references app_user(id),
        graded_at timestamptz null,
        grader_comment text not null default '',
        primary key (attempt_id, slot)
      );`);
    this.addSql(`create index attempt_question_version_idx on attempt_question (question_version_id);`);
    this.addSql(`
      create table attempt_answer (
        attempt_id uuid not null references exam_attempt(id) on delete cascade,
        slot integer not null,
        response jsonb not null,
        flagged boolean not null default false,
        seq integer not null check (seq >= 0),
        saved_at timestamptz not null default now(),
        primary key (attempt_id, slot),
        foreign key (attempt_id, slot) references attempt_question(attempt_id, slot) on delete cascade
      );`);
    this.addSql(`
      create table attempt_late_answer (
        id uuid primary key,
        attempt_id uuid not null references exam_attempt(id) on delete cascade,
        slot integer not null,
        response jsonb not null,
        seq integer not null,
        received_at timestamptz not null default now()
      );`);
    this.addSql(`create index attempt_late_answer_attempt_idx on attempt_late_answer (attempt_id);`);
    this.addSql(`
      create table attempt_event (
        id uuid primary key,
        attempt_id uuid not null references exam_attempt(id) on delete cascade,
        kind varchar(20) not null check (kind in ('started','focus_lost','focus_back','hidden','visible','offline','online','reconnect','submitted','finalised','late_save')),
        client_at timestamptz null,
        received_at timestamptz not null default now(),
        detail text not null default ''
      );`);
    this.addSql(`create index attempt_event_attempt_idx on attempt_event (attempt_id, received_at);`);
    this.addSql(`
      create table exam_regrade (
        id uuid primary key,
        exam_id uuid not null references exam(id) on delete cascade,
        question_id uuid not null references question(id),
        from_version_id uuid null references question_version(id),
        to_version_id uuid not null references question_version(id),
        reason text not null check (length(btrim(reason)) > 0),
        regraded_by uuid not null references app_user(id),
        regraded_at timestamptz not null default now()
      );`);
    this.addSql(`
      create table exam_regrade_attempt (
        regrade_id uuid not null references exam_regrade(id) on delete cascade,
        attempt_id uuid not null references exam_attempt(id) on delete cascade,
        old_score numeric(8,2) null,
        new_score numeric(8,2) null,
        primary key (regrade_id, attempt_id)
      );`);
  }

  override async down(): Promise<void> {
    for (const t of ['exam_regrade_attempt', 'exam_regrade', 'attempt_event', 'attempt_late_answer', 'attempt_answer',
      'attempt_question', 'exam_attempt', 'exam_override', 'exam_item', 'exam']) {
      this.addSql(`drop table if exists ${t};`);
    }
  }
}
