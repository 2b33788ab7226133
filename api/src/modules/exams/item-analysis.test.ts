import { describe, expect, it } from 'vitest';
import { itemStats, slotsByVersion, testStats, type AnalysisAttempt } from './item-analysis.js';

/**
 * Five attempts of three one-point questions, worked by hand:
 *   q1 = 1 1 1 0 0, q2 = 1 1 0 1 0, q3 = 1 0 0 0 0, totals 3 2 1 1 0.
 * var(q1) = var(q2) = 0.3, var(q3) = 0.2, var(T) = 5.2 / 4 = 1.3.
 * α = 3/2 · (1 − 0.8 / 1.3) = 0.576923; error ratio √(1 − α) = 0.650444; SE = 0.650444 · √1.3 = 0.741618.
 * q1: rest = 2 1 0 1 0, cov = 0.6 / 4 = 0.15, var(rest) = 0.7, DI = 0.15 / √(0.3 · 0.7) = 0.327327;
 *     sorted pairs give cov max = 1.6 / 4 = 0.4, DE = 0.375. SD = √0.3 = 0.547723.
 * q3: rest = 2 2 1 1 0, cov = 0.2, DI = 0.2 / √(0.2 · 0.7) = 0.534522; cov max = 0.2, DE = 1.
 */
const marks = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0]];
const attempts: AnalysisAttempt[] = marks.map((row) => ({
  slots: row.map((score, i) => ({ position: `p${i}`, versionId: `q${i + 1}`, score, max: 1, responseKeys: [score ? 'right' : 'wrong'], fraction: score })),
}));

describe('item analysis', () => {
  const groups = slotsByVersion(attempts);
  const stats = (v: string) => { const g = groups.get(v)!; return itemStats(v, g.scores, g.rests, g.max, g.keys); };

  it('computes facility, SD, discrimination and efficiency as worked by hand', () => {
    const q1 = stats('q1');
    expect(q1.facility).toBe(60);
    expect(q1.sd).toBe(54.77);
    expect(q1.discrimination).toBe(32.73);
    expect(q1.efficiency).toBe(37.5);
    const q3 = stats('q3');
    expect(q3.facility).toBe(20);
    expect(q3.discrimination).toBe(53.45);
    expect(q3.efficiency).toBe(100);
    expect(q1.responses).toEqual([{ key: 'right', count: 3, meanFraction: 1 }, { key: 'wrong', count: 2, meanFraction: 0 }]);
  });

  it("computes the test's mean, median, SD, Cronbach's alpha, error ratio and standard error", () => {
    expect(testStats(attempts)).toEqual({ attempts: 5, mean: 1.4, median: 1, sd: 1.14, cic: 57.69, errorRatio: 65.04, standardError: 0.74 });
  });

  it('flags questions only once there are enough attempts', () => {
    expect(stats('q3').flags).toEqual([]);
    const many = Array.from({ length: 40 }, (_, i) => i);
    const easy = itemStats('e', many.map(() => 1), many.map((i) => i % 7), 1, []);
    expect(easy.flags).toEqual(['too_easy', 'weak_discrimination']);
    const hard = itemStats('h', many.map((i) => (i === 39 ? 1 : 0)), many, 1, []);
    expect(hard.flags).toEqual(['too_hard']);
  });

  it('leaves undefined measures empty instead of dividing by zero', () => {
    const one = itemStats('x', [1], [2], 1, []);
    expect(one).toMatchObject({ facility: 100, sd: null, discrimination: null, efficiency: null });
    expect(testStats([attempts[0]])).toMatchObject({ attempts: 1, sd: null, cic: null, errorRatio: null, standardError: null });
  });
});
