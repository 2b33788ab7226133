// The scoring rule of a speech contest. Pure functions, stated once: the service, the tests and the screens' texts
// describe this same rule.

export interface Criterion { id: string; weight: number; maxScore: number }

/**
 * One judge's total for one speaker, 0..100: the weighted mean of the criterion marks, each normalised to its
 * maximum, Σ(weightᵢ × markᵢ / maxᵢ) / Σ weightᵢ × 100. A criterion without a mark counts 0. Rounded to 0.001.
 */
export function judgeTotal(criteria: readonly Criterion[], marks: ReadonlyMap<string, number>): number {
  let weights = 0;
  let sum = 0;
  for (const c of criteria) {
    weights += c.weight;
    const m = Math.min(c.maxScore, Math.max(0, marks.get(c.id) ?? 0));
    sum += c.weight * (m / c.maxScore);
  }
  return weights > 0 ? round3((sum / weights) * 100) : 0;
}

/**
 * A speaker's final score: the mean of the judges' totals; when at least `trimMinJudges` judges scored, the single
 * highest and the single lowest total are dropped first. Null when nobody scored. Rounded to 0.001.
 */
export function finalScore(totals: readonly number[], trimMinJudges: number): number | null {
  if (!totals.length) return null;
  const sorted = [...totals].sort((a, b) => a - b);
  const kept = sorted.length >= trimMinJudges && sorted.length >= 3 ? sorted.slice(1, -1) : sorted;
  return round3(kept.reduce((s, x) => s + x, 0) / kept.length);
}

/** Whether the rule drops the highest and lowest totals for this many judges who scored. */
export const isTrimmed = (judgesWhoScored: number, trimMinJudges: number) => judgesWhoScored >= trimMinJudges && judgesWhoScored >= 3;

export const round3 = (x: number) => Math.round(x * 1000) / 1000;
