// The scoring and ranking rules every contest kind shares. Pure functions: the live engine, time-boxed runs, speech
// results and the contest results written for the assessment record all call these, so a rule is stated once.

/** The scoring rule a host states before a knowledge contest starts. */
export interface ScoringRule {
  /** Points for a fully right answer; a partly right one earns its fraction of them. */
  basePoints: number;
  /** Most extra points for speed (a right answer at once earns all of it, at the window's end none); 0: off. */
  speedBonus: number;
  /** Extra points per right answer in a row after the first, up to `streakCap` steps; 0: off. */
  streakBonus: number;
  streakCap: number;
}

export interface AnswerPoints {
  points: number;
  /** The streak after this answer: right answers in a row. */
  streak: number;
  correct: boolean;
}

/**
 * Points for one answer. Correctness comes first: a wrong or empty answer earns nothing and ends the streak; the
 * speed and streak bonuses apply only to a fully right answer.
 */
export function answerPoints(rule: ScoringRule, fraction: number, elapsedMs: number, windowMs: number, streakBefore: number): AnswerPoints {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const correct = f >= 1;
  let points = Math.round(rule.basePoints * f);
  const streak = correct ? streakBefore + 1 : 0;
  if (correct) {
    if (rule.speedBonus > 0 && windowMs > 0) {
      const left = Math.min(1, Math.max(0, 1 - elapsedMs / windowMs));
      points += Math.round(rule.speedBonus * left);
    }
    if (rule.streakBonus > 0 && streak > 1) points += rule.streakBonus * Math.min(streak - 1, rule.streakCap);
  }
  return { points, streak, correct };
}

export interface Standing {
  id: string;
  points: number;
  /** Total answer time in ms, the tie-break when the rule is `time`. */
  totalMs: number;
}

export type TieBreak = 'time' | 'shared';

export interface Ranked<T> {
  row: T;
  rank: number;
  /** Share of the other players this one finished ahead of, 0..100 (100 alone or first of many). */
  percentile: number;
}

/**
 * Standard-competition ranking (1, 2, 2, 4): more points first; under `time`, equal points are split by less total
 * answer time, and only equal points and equal time share a place; under `shared`, equal points share a place.
 * Ties keep a stable order by id so every process lists them alike.
 */
export function rankStandings<T extends Standing>(rows: readonly T[], tieBreak: TieBreak): Ranked<T>[] {
  const sorted = [...rows].sort((a, b) => b.points - a.points
    || (tieBreak === 'time' ? a.totalMs - b.totalMs : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = sorted.length;
  const out: Ranked<T>[] = [];
  for (let i = 0; i < n; i++) {
    const row = sorted[i]!;
    const prev = out[i - 1];
    const tied = prev !== undefined && prev.row.points === row.points && (tieBreak === 'shared' || prev.row.totalMs === row.totalMs);
    const rank = tied ? prev.rank : i + 1;
    out.push({ row, rank, percentile: percentileOf(rank, n) });
  }
  return out;
}

/** The share of the others a player finished ahead of: (n − rank) / (n − 1), as a percentage; 100 when alone. */
export function percentileOf(rank: number, players: number): number {
  if (players <= 1) return 100;
  return Math.round(((players - rank) / (players - 1)) * 10000) / 100;
}

export interface TeamMember { teamId: string | null; points: number; played: boolean }
export interface TeamStanding { teamId: string; members: number; points: number }

/**
 * Team scores: the mean of the points of the team's members who played (answered at least once), so a team's size
 * does not decide. Members without a team and teams with nobody who played are left out. Rounded to 0.01.
 */
export function teamMeans(members: readonly TeamMember[]): TeamStanding[] {
  const sums = new Map<string, { n: number; sum: number }>();
  for (const m of members) {
    if (!m.played || m.teamId === null) continue;
    const t = sums.get(m.teamId) ?? { n: 0, sum: 0 };
    t.n += 1;
    t.sum += m.points;
    sums.set(m.teamId, t);
  }
  return [...sums].map(([teamId, t]) => ({ teamId, members: t.n, points: Math.round((t.sum / t.n) * 100) / 100 }))
    .sort((a, b) => b.points - a.points || (a.teamId < b.teamId ? -1 : 1));
}
