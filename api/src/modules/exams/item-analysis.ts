/**
 * Item analysis of an exam, computed as Moodle's quiz statistics report defines its measures.
 *
 * Per question (a pinned version, across the attempts that were given it):
 * - facility index: mean score as a percentage of the question's points;
 * - standard deviation of the score, as a percentage of the points;
 * - discrimination index: the correlation (×100) between the question's score and the rest of the test (the
 *   attempt's total without this question);
 * - discriminative efficiency: that covariance as a percentage of the largest covariance the same two lists of
 *   numbers could have, which they reach when both are sorted the same way;
 * - response frequencies: how often each answer was given, with the mean score fraction it earned.
 * For the test: mean, median and standard deviation of the totals; the coefficient of internal consistency
 * (Cronbach's alpha ×100) over the blueprint's positions; its error ratio `100·√(1 − α)` and the standard error
 * `error ratio × SD`.
 *
 * Variances and covariances are sample ones (n − 1). A measure that is undefined (one attempt, no variance) is null.
 * Questions are flagged, once at least `FLAG_MIN_ATTEMPTS` attempts exist, when their facility is under 20 % or over
 * 90 % or their discrimination under 25 %. Plain arithmetic over arrays; the caller yields between questions.
 */
export const FLAG_MIN_ATTEMPTS = 30;

export interface AnalysisSlot {
  /** Where the question stands in the blueprint (the same for every attempt: an item and the draw's rank). */
  position: string;
  /** What is analysed: a pinned question version. */
  versionId: string;
  score: number;
  max: number;
  /** The answers given, as keys (an option, a value); a multiple choice may give several. */
  responseKeys: string[];
  fraction: number | null;
}
export interface AnalysisAttempt { slots: AnalysisSlot[] }

export type ItemFlag = 'too_hard' | 'too_easy' | 'weak_discrimination';

export interface ItemStats {
  versionId: string;
  attempts: number;
  meanScore: number;
  maxScore: number;
  facility: number | null;
  sd: number | null;
  discrimination: number | null;
  efficiency: number | null;
  responses: { key: string; count: number; meanFraction: number | null }[];
  flags: ItemFlag[];
}

export interface TestStats {
  attempts: number;
  mean: number | null;
  median: number | null;
  sd: number | null;
  /** Cronbach's alpha, ×100. */
  cic: number | null;
  errorRatio: number | null;
  standardError: number | null;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function variance(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

function covariance(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - mx) * (ys[i] - my);
  return s / (xs.length - 1);
}

function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number | null, places = 2) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10 ** places) / 10 ** places);
const asc = (a: number, b: number) => a - b;

/** One question's measures from the (score, rest of test) pairs of the attempts that were given it. */
export function itemStats(versionId: string, scores: number[], rests: number[], max: number, keys: { keys: string[]; fraction: number | null }[]): ItemStats {
  const n = scores.length;
  const m = n ? mean(scores) : 0;
  const vx = variance(scores);
  const vy = variance(rests);
  const cov = covariance(scores, rests);
  const covMax = covariance([...scores].sort(asc), [...rests].sort(asc));
  const facility = n && max > 0 ? (100 * m) / max : null;
  const sd = vx !== null && max > 0 ? (100 * Math.sqrt(vx)) / max : null;
  const discrimination = cov !== null && vx && vy ? (100 * cov) / Math.sqrt(vx * vy) : null;
  const efficiency = cov !== null && covMax ? (100 * cov) / covMax : null;
  const counts = new Map<string, { count: number; fractions: number[] }>();
  for (const k of keys) {
    for (const key of k.keys) {
      const c = counts.get(key) ?? { count: 0, fractions: [] };
      c.count++;
      if (k.fraction !== null) c.fractions.push(k.fraction);
      counts.set(key, c);
    }
  }
  const flags: ItemFlag[] = [];
  if (n >= FLAG_MIN_ATTEMPTS) {
    if (facility !== null && facility < 20) flags.push('too_hard');
    if (facility !== null && facility > 90) flags.push('too_easy');
    if (discrimination === null || discrimination < 25) flags.push('weak_discrimination');
  }
  return {
    versionId, attempts: n, meanScore: round(m) ?? 0, maxScore: max,
    facility: round(facility), sd: round(sd), discrimination: round(discrimination), efficiency: round(efficiency),
    responses: [...counts].map(([key, c]) => ({ key, count: c.count, meanFraction: c.fractions.length ? round(mean(c.fractions), 4) : null }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
    flags,
  };
}

/** The test's measures over the attempts' totals and their scores by blueprint position. */
export function testStats(attempts: readonly AnalysisAttempt[]): TestStats {
  const totals = attempts.map((a) => a.slots.reduce((s, x) => s + x.score, 0));
  const vt = variance(totals);
  const byPosition = new Map<string, number[]>();
  for (const a of attempts) for (const s of a.slots) {
    const list = byPosition.get(s.position) ?? [];
    list.push(s.score);
    byPosition.set(s.position, list);
  }
  const k = byPosition.size;
  let cic: number | null = null;
  if (vt && k > 1) {
    let sum = 0;
    for (const xs of byPosition.values()) sum += variance(xs) ?? 0;
    cic = 100 * (k / (k - 1)) * (1 - sum / vt);
  }
  const errorRatio = cic === null || cic > 100 ? null : cic < 0 ? null : 100 * Math.sqrt(1 - cic / 100);
  const sd = vt === null ? null : Math.sqrt(vt);
  return {
    attempts: attempts.length, mean: totals.length ? round(mean(totals)) : null, median: round(median(totals)), sd: round(sd),
    cic: round(cic), errorRatio: round(errorRatio), standardError: errorRatio === null || sd === null ? null : round((errorRatio / 100) * sd),
  };
}

/** Groups the attempts' slots by question version, with each slot's rest-of-test score. */
export function slotsByVersion(attempts: readonly AnalysisAttempt[]): Map<string, { scores: number[]; rests: number[]; max: number; keys: { keys: string[]; fraction: number | null }[] }> {
  const out = new Map<string, { scores: number[]; rests: number[]; max: number; keys: { keys: string[]; fraction: number | null }[] }>();
  for (const a of attempts) {
    const total = a.slots.reduce((s, x) => s + x.score, 0);
    for (const s of a.slots) {
      const g = out.get(s.versionId) ?? { scores: [], rests: [], max: s.max, keys: [] };
      g.scores.push(s.score);
      g.rests.push(total - s.score);
      g.keys.push({ keys: s.responseKeys, fraction: s.fraction });
      out.set(s.versionId, g);
    }
  }
  return out;
}
