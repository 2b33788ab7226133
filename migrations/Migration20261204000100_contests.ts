import { Migration } from '@mikro-orm/migrations';

/**
 * Knowledge contests (live and time-boxed) and speech contests.
 *
 * `contest` is one table for the three kinds: texts, the period its results count for, who may play (an audience of
 * the same shape as an assignment, access/audience.ts), the scoring rule stated before it starts, and for a live
 * contest the state the server's clock decides: the current question, when its window opened and closes, pauses.
 * `contest_question` is a live contest's question list (pinned question versions, in order); draws for a time-boxed
 * contest are described by `draw_category_ids`, `draw_tags` and `question_count` and made per person at run start.
 *
 * `contest_player` is a player's standing (score, streak, correct answers, total answer time, team). `contest_answer`
 * holds one answer per player per question: the first counts (primary key), repeats change nothing. A time-boxed
 * run's questions are `contest_run_question` rows, each with its own server-side deadline.
 *
 * Speech contests: `speech_speaker` (order, topic, when the host closed their scoring, final score and rank),
 * `speech_judge` (the panel), `speech_criterion` (weighted rubric) and `speech_score` (one judge's mark for one
 * criterion of one speaker).
 *
 * `contest_result` is what the assessment record reads: one row per person per finished contest (points, rank,
 * percentile, team), written when a live contest finishes, a time-boxed contest closes or speech results publish.
 */
export class Migration20261204000100_contests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table contest (
        id uuid primary key,
        kind varchar(6) not null check (kind in ('live','timed','speech')),
        title_zh varchar(200) not null check (length(btrim(title_zh)) > 0),
        title_en varchar(200) not null default '',
        description_zh text not null default '',
        description_en text not null default '',
        period varchar(7) not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        status varchar(10) not null default 'scheduled' check (status in ('scheduled','running','finished','published','archived')),
        mode varchar(10) not null default 'individual' check (mode in ('individual','team')),
        join_code varchar(8) null unique,
        scheduled_at timestamptz null,
        opens_at timestamptz null,
        closes_at timestamptz null,
        answer_seconds integer not null default 20 check (answer_seconds between 5 and 120),
        question_count integer not null default 0 check (question_count between 0 and 200),
        draw_category_ids uuid[] not null default '{}',
        draw_tags text[] not null default '{}',
        draw_difficulty smallint null check (draw_difficulty is null or draw_difficulty between 1 and 5),
        base_points integer not null default 1000 check (base_points between 1 and 100000),
        speed_bonus integer not null default 0 check (speed_bonus between 0 and 100000),
        streak_bonus integer not null default 0 check (streak_bonus between 0 and 100000),
        streak_cap integer not null default 5 check (streak_cap between 1 and 100),
        tie_break varchar(6) not null default 'time' check (tie_break in ('time','shared')),
        trim_min_judges integer not null default 5 check (trim_min_judges between 3 and 100),
        speaker_seconds integer null check (speaker_seconds is null or speaker_seconds between 30 and 7200),
        positions text[] not null default '{}',
        org_unit_ids uuid[] not null default '{}',
        user_ids uuid[] not null default '{}',
        scope_path text null,
        current_index integer null check (current_index is null or current_index >= 0),
        phase varchar(8) not null default 'lobby' check (phase in ('lobby','question','reveal','board','finished')),
        question_opened_at timestamptz null,
        question_closes_at timestamptz null,
        paused_remaining_ms integer null check (paused_remaining_ms is null or paused_remaining_ms >= 0),
        state_version integer not null default 0,
        created_by uuid not null references app_user(id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        started_at timestamptz null,
        finished_at timestamptz null,
        published_at timestamptz null,
        check (closes_at is null or opens_at is null or closes_at > opens_at)
      );`);
    this.addSql(`create index contest_period_idx on contest (period, kind);`);
    this.addSql(`
      create table contest_question (
        contest_id uuid not null references contest(id) on delete cascade,
        position integer not null check (position >= 0),
        question_version_id uuid not null references question_version(id),
        option_order integer[] null,
        opened_at timestamptz null,
        closed_at timestamptz null,
        skipped boolean not null default false,
        primary key (contest_id, position)
      );`);
    this.addSql(`
      create table contest_player (
        contest_id uuid not null references contest(id) on delete cascade,
        user_id uuid not null references app_user(id),
        team_unit_id uuid null references org_unit(id),
        joined_at timestamptz not null default now(),
        score integer not null default 0,
        streak integer not null default 0,
        best_streak integer not null default 0,
        correct_count integer not null default 0,
        answered_count integer not null default 0,
        total_ms bigint not null default 0,
        run_started_at timestamptz null,
        run_finished_at timestamptz null,
        primary key (contest_id, user_id)
      );`);
    this.addSql(`create index contest_player_user_idx on contest_player (user_id);`);
    this.addSql(`
      create table contest_answer (
        contest_id uuid not null references contest(id) on delete cascade,
        position integer not null,
        user_id uuid not null references app_user(id),
        response jsonb not null,
        answered_at timestamptz not null default now(),
        elapsed_ms integer not null check (elapsed_ms >= 0),
        fraction numeric(9,6) not null default 0,
        correct boolean not null default false,
        points integer not null default 0,
        primary key (contest_id, position, user_id),
        foreign key (contest_id, position) references contest_question(contest_id, position) on delete cascade
      );`);
    this.addSql(`
      create table contest_run_question (
        contest_id uuid not null references contest(id) on delete cascade,
        user_id uuid not null references app_user(id),
        slot integer not null check (slot >= 0),
        question_version_id uuid not null references question_version(id),
        option_order integer[] null,
        shown_at timestamptz null,
        deadline_at timestamptz null,
        response jsonb null,
        answered_at timestamptz null,
        elapsed_ms integer null,
        correct boolean null,
        points integer not null default 0,
        primary key (contest_id, user_id, slot)
      );`);
    this.addSql(`
      create table speech_speaker (
        id uuid primary key,
        contest_id uuid not null references contest(id) on delete cascade,
        user_id uuid not null references app_user(id),
        position integer not null check (position >= 0),
        topic_zh varchar(300) not null default '',
        topic_en varchar(300) not null default '',
        scoring_closed_at timestamptz null,
        final_score numeric(8,3) null,
        rank integer null,
        unique (contest_id, user_id),
        unique (contest_id, position)
      );`);
    this.addSql(`
      create table speech_judge (
        contest_id uuid not null references contest(id) on delete cascade,
        user_id uuid not null references app_user(id),
        primary key (contest_id, user_id)
      );`);
    this.addSql(`
      create table speech_criterion (
        id uuid primary key,
        contest_id uuid not null references contest(id) on delete cascade,
        position integer not null check (position >= 0),
        name_zh varchar(100) not null check (length(btrim(name_zh)) > 0),
        name_en varchar(100) not null default '',
        weight numeric(6,2) not null check (weight > 0),
        max_score integer not null default 10 check (max_score between 1 and 1000),
        unique (contest_id, position)
      );`);
    this.addSql(`
      create table speech_score (
        speaker_id uuid not null references speech_speaker(id) on delete cascade,
        judge_id uuid not null references app_user(id),
        criterion_id uuid not null references speech_criterion(id) on delete cascade,
        score numeric(8,2) not null check (score >= 0),
        comment text not null default '',
        scored_at timestamptz not null default now(),
        primary key (speaker_id, judge_id, criterion_id)
      );`);
    this.addSql(`
      create table contest_result (
        contest_id uuid not null references contest(id) on delete cascade,
        user_id uuid not null references app_user(id),
        period varchar(7) not null,
        kind varchar(6) not null,
        points numeric(10,3) not null,
        rank integer not null check (rank >= 1),
        players integer not null check (players >= 1),
        percentile numeric(6,2) not null,
        team_unit_id uuid null references org_unit(id),
        primary key (contest_id, user_id)
      );`);
    this.addSql(`create index contest_result_user_idx on contest_result (user_id, period);`);
    this.addSql(`create index contest_result_period_idx on contest_result (period);`);
  }

  override async down(): Promise<void> {
    for (const t of ['contest_result', 'speech_score', 'speech_criterion', 'speech_judge', 'speech_speaker',
      'contest_run_question', 'contest_answer', 'contest_player', 'contest_question', 'contest']) {
      this.addSql(`drop table if exists ${t};`);
    }
  }
}
