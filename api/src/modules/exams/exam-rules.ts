/**
 * The rules of an exam's window that every part of the exams domain shares: its state as people see it, and the
 * window, time and attempts one person gets once their override (if any) is applied. Pure functions of the rows and
 * the clock's `now`, so deadlines are tested without waiting.
 */
import type { IExam, IExamOverride } from './exam.entity.js';

export type ExamState = 'draft' | 'scheduled' | 'open' | 'closed' | 'archived';

type WindowFields = Pick<IExam, 'status' | 'opensAt' | 'closesAt'>;
type PersonFields = WindowFields & Pick<IExam, 'timeLimitMinutes' | 'attemptsAllowed'>;
type OverrideFields = Pick<IExamOverride, 'opensAt' | 'closesAt' | 'extraMinutes' | 'extraAttempts'>;

/** draft → scheduled (published, not yet open) → open → closed; archived is taken off every list. */
export function examState(exam: WindowFields, now: Date): ExamState {
  if (exam.status === 'draft') return 'draft';
  if (exam.status === 'archived') return 'archived';
  const t = now.getTime();
  if (t < exam.opensAt.getTime()) return 'scheduled';
  if (t < exam.closesAt.getTime()) return 'open';
  return 'closed';
}

export interface PersonalWindow {
  opensAt: Date;
  closesAt: Date;
  /** Minutes an attempt may last (the exam's limit plus extra minutes); null for no limit. */
  timeLimitMinutes: number | null;
  /** Attempts the person may make; null for as many as they like. */
  attemptsAllowed: number | null;
}

/** The window, time limit and attempts one person gets: the exam's, changed by their override. */
export function personalWindow(exam: PersonFields, override: OverrideFields | null | undefined): PersonalWindow {
  const extraMinutes = override?.extraMinutes ?? 0;
  const extraAttempts = override?.extraAttempts ?? 0;
  return {
    opensAt: override?.opensAt ?? exam.opensAt,
    closesAt: override?.closesAt ?? exam.closesAt,
    timeLimitMinutes: exam.timeLimitMinutes == null ? null : exam.timeLimitMinutes + extraMinutes,
    attemptsAllowed: exam.attemptsAllowed === 0 ? null : exam.attemptsAllowed + extraAttempts,
  };
}

/**
 * When an attempt started at `startedAt` must end: its time limit from the start, but never after the person's
 * window closes.
 */
export function attemptDeadline(window: PersonalWindow, startedAt: Date): Date {
  const close = window.closesAt.getTime();
  if (window.timeLimitMinutes === null) return new Date(close);
  return new Date(Math.min(close, startedAt.getTime() + window.timeLimitMinutes * 60_000));
}
