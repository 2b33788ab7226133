import { describe, expect, it } from 'vitest';
import { finalScore, judgeTotal } from './speech-scoring.js';

const criteria = [{ id: 'a', weight: 2, maxScore: 10 }, { id: 'b', weight: 1, maxScore: 20 }];

describe('speech scoring', () => {
  it('a judge total is the weighted mean of marks normalised to 0..100', () => {
    // (2 × 8/10 + 1 × 10/20) / 3 × 100 = (1.6 + 0.5) / 3 × 100 = 70
    expect(judgeTotal(criteria, new Map([['a', 8], ['b', 10]]))).toBe(70);
    expect(judgeTotal(criteria, new Map([['a', 10], ['b', 20]]))).toBe(100);
    expect(judgeTotal(criteria, new Map([['a', 0]]))).toBe(0);
    // (2 × 5/10 + 1 × 20/20) / 3 × 100 = 66.667
    expect(judgeTotal(criteria, new Map([['a', 5], ['b', 20]]))).toBe(66.667);
  });

  it('drops the highest and lowest total with at least trimMinJudges judges', () => {
    // 90, 80, 70, 60, 10: drop 90 and 10 → (80 + 70 + 60) / 3 = 70
    expect(finalScore([90, 10, 80, 70, 60], 5)).toBe(70);
    // Four judges under a minimum of five: plain mean (90 + 80 + 70 + 10) / 4 = 62.5
    expect(finalScore([90, 10, 80, 70], 5)).toBe(62.5);
    // The same four with a minimum of three: (80 + 70) / 2 = 75
    expect(finalScore([90, 10, 80, 70], 3)).toBe(75);
    expect(finalScore([], 5)).toBeNull();
  });
});
