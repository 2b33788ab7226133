/**
 * The one measure of how far a person is towards completing a module. Every screen that shows module progress (home,
 * the catalogue, the reader, the study log) shows this and nothing else, so they cannot disagree.
 *
 * The rule it measures is the one the heartbeat applies (`creditHeartbeat`): a module is complete once the reader
 * has reached its end AND the person has spent COMPLETION_TIME_SHARE of its estimated minutes reading it. Reading
 * and time are therefore each half of the bar. Reading counts each section whose heading has been on screen, and
 * the end of the module as one more step (seeing the last heading is not yet having read the last section); time is
 * the share of the required seconds spent. The bar shows 100 only when the module is complete, and what is left
 * (minutes, sections, the end) is said in the same terms.
 */
import type { ProgressColumns } from './courses.repository.js';

/** The share of a module's estimated time a learner must spend, besides reaching the end, for it to count as done. */
export const COMPLETION_TIME_SHARE = 0.5;

/** Seconds a learner must spend reading a module of `minutes` estimated minutes (besides reaching the end). */
export const requiredSecondsOf = (minutes: number) => Math.round(minutes * 60 * COMPLETION_TIME_SHARE);

export interface Completion {
  /** 0 to 100: half for reading, half for time; 100 exactly when complete. */
  percent: number;
  complete: boolean;
  /** Whole minutes read so far (rounded down). */
  minutesStudied: number;
  /** Whole minutes the rule asks for (rounded up). */
  minutesRequired: number;
  sectionsRead: number;
  sectionsTotal: number;
  reachedEnd: boolean;
  /** What is still needed; all zero / false once complete. */
  remaining: {
    /** Whole minutes still to read (rounded up): 0 exactly when the time is met. */
    minutes: number;
    /** Sections whose heading has not been on screen yet; 0 once the end is reached. */
    sections: number;
    /** The end of the module has still to be reached. */
    end: boolean;
  };
}

/** The measure for one person and module; `p` null or empty means not started (nothing read, nothing spent). */
export function completionOf(p: ProgressColumns | null | undefined, sectionIds: string[], minutes: number): Completion {
  const complete = !!p?.completed_at;
  const reachedEnd = complete || !!p?.reached_end;
  const seen = new Set<string>(p?.sections_read ?? []);
  const sectionsRead = sectionIds.filter((id) => seen.has(id)).length;
  const spent = Number(p?.seconds_spent ?? 0);
  const required = requiredSecondsOf(minutes);
  const readShare = reachedEnd ? 1 : sectionsRead / (sectionIds.length + 1);
  const timeShare = complete || required === 0 ? 1 : Math.min(1, spent / required);
  // Not complete is never shown full, whatever the shares say (the minutes may have changed since the last beat).
  const percent = complete ? 100 : Math.min(99, Math.floor(50 * readShare + 50 * timeShare));
  return {
    percent, complete, minutesStudied: Math.floor(spent / 60), minutesRequired: Math.ceil(required / 60),
    sectionsRead, sectionsTotal: sectionIds.length, reachedEnd,
    remaining: {
      minutes: complete ? 0 : Math.ceil(Math.max(0, required - spent) / 60),
      sections: reachedEnd ? 0 : sectionIds.length - sectionsRead,
      end: !reachedEnd,
    },
  };
}
