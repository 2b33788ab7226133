import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normaliseQuestion, QUESTION_TYPES, type Question, type QuestionOfType } from './question-model.js';
import { normaliseAnswerText, parseLearnerNumber, scoreResponse } from './scoring.js';

const common = { stem: 'x', points: 2, difficulty: 2, tags: [], modules: [] };
const make = <T extends Question['type']>(q: Record<string, unknown> & { type: T }) => normaliseQuestion({ ...common, ...q }) as QuestionOfType<T>;

const single = make({
  type: 'single_choice',
  options: [{ text: 'a', weight: 100, feedback: 'yes' }, { text: 'b', weight: 50 }, { text: 'c', weight: -50 }, { text: 'd', weight: 0 }],
});
const multiPartial = make({
  type: 'multiple_choice', scoring: 'partial',
  options: [{ text: 'a', correct: true }, { text: 'b', correct: true }, { text: 'c', correct: true }, { text: 'd', correct: false, feedback: 'no' }, { text: 'e', correct: false }],
});
const multiAll = make({ ...multiPartial, type: 'multiple_choice', scoring: 'all_or_nothing' });
const tf = make({ type: 'true_false', answer: false, feedbackTrue: 'wrong', feedbackFalse: 'right' });
const blank = make({
  type: 'fill_blank', stem: '国家利益至上、{{1}}利益至上；{{2}}',
  blanks: [{ answers: ['消费者', 'Consumer'] }, { answers: ['ABC', { text: 'AB', weight: 50, feedback: 'almost' }] }],
});
const numeric = make({
  type: 'numeric', incorrectFeedback: 'try again',
  answers: [{ value: 80, tolerance: 0.5, feedback: 'good' }, { min: 70, max: 90, weight: 50 }, { value: 0.3, tolerance: 0 }],
});
const matching = make({
  type: 'matching',
  pairs: [{ left: 'Canada', right: 'Ottawa' }, { left: 'Italy', right: 'Rome' }, { left: 'Japan', right: 'Tokyo' }],
  distractors: ['Paris'],
});
const ordering = make({ type: 'ordering', items: ['one', 'two', 'three', 'four'] });

describe('single_choice', () => {
  it('scores the chosen weight, never below zero', () => {
    expect(scoreResponse(single, { choice: 0 })).toEqual({ score: 2, max: 2, correct: true, fraction: 1, feedback: ['yes'] });
    expect(scoreResponse(single, { choice: 1 })).toMatchObject({ score: 1, correct: false, fraction: 0.5 });
    expect(scoreResponse(single, { choice: 2 })).toMatchObject({ score: 0, correct: false, fraction: 0 });
    expect(scoreResponse(single, { choice: 3 })).toMatchObject({ score: 0, correct: false });
    for (const r of [{ choice: null }, { choice: 9 }, { choice: -1 }, { choice: 0.5 }, { choice: '0' }, {}, null, undefined, 'a']) {
      expect(scoreResponse(single, r)).toMatchObject({ score: 0, correct: false });
    }
  });
});

describe('multiple_choice', () => {
  it('partial: each correct option earns its share', () => {
    expect(scoreResponse(multiPartial, { choices: [0, 1, 2] })).toMatchObject({ score: 2, correct: true, fraction: 1 });
    expect(scoreResponse(multiPartial, { choices: [0] })).toMatchObject({ score: 0.67, correct: false });
    expect(scoreResponse(multiPartial, { choices: [0, 1] })).toMatchObject({ score: 1.33, correct: false });
  });

  it('partial: a wrong option chosen subtracts, never below zero', () => {
    expect(scoreResponse(multiPartial, { choices: [0, 1, 2, 3] })).toMatchObject({ score: 1, correct: false, feedback: ['no'] });
    expect(scoreResponse(multiPartial, { choices: [0, 3] })).toMatchObject({ score: 0, correct: false });
    expect(scoreResponse(multiPartial, { choices: [3, 4] })).toMatchObject({ score: 0, correct: false, fraction: 0 });
    expect(scoreResponse(multiPartial, { choices: [0, 1, 2, 3, 4] })).toMatchObject({ score: 0, correct: false });
  });

  it('partial: explicit weights (GIFT ~%50%) and duplicates or bad indices ignored', () => {
    const q = make({ type: 'multiple_choice', scoring: 'partial', options: [{ text: 'a', weight: 60 }, { text: 'b', weight: 40 }, { text: 'c', weight: -100 }] });
    expect(scoreResponse(q, { choices: [1, 1, 1, 7, -1] })).toMatchObject({ score: 0.8, correct: false });
    expect(scoreResponse(q, { choices: [0, 1] })).toMatchObject({ score: 2, correct: true });
  });

  it('all_or_nothing: full points only for exactly the correct set', () => {
    expect(scoreResponse(multiAll, { choices: [2, 0, 1] })).toMatchObject({ score: 2, correct: true });
    expect(scoreResponse(multiAll, { choices: [0, 1] })).toMatchObject({ score: 0, correct: false });
    expect(scoreResponse(multiAll, { choices: [0, 1, 2, 4] })).toMatchObject({ score: 0, correct: false });
    expect(scoreResponse(multiAll, { choices: [] })).toMatchObject({ score: 0, correct: false });
    expect(scoreResponse(multiAll, { choices: 'abc' })).toMatchObject({ score: 0, correct: false });
  });
});

describe('true_false', () => {
  it('all or nothing, with the feedback for the answer given', () => {
    expect(scoreResponse(tf, { answer: false })).toEqual({ score: 2, max: 2, correct: true, fraction: 1, feedback: ['right'] });
    expect(scoreResponse(tf, { answer: true })).toEqual({ score: 0, max: 2, correct: false, fraction: 0, feedback: ['wrong'] });
    expect(scoreResponse(tf, { answer: null })).toMatchObject({ score: 0, correct: false });
    expect(scoreResponse(tf, { answer: 'false' })).toMatchObject({ score: 0, correct: false });
  });
});

describe('fill_blank', () => {
  it('ignores case, surrounding spaces and full/half width; scores per blank', () => {
    expect(scoreResponse(blank, { blanks: ['消费者', 'abc'] })).toMatchObject({ score: 2, correct: true, parts: [true, true] });
    expect(scoreResponse(blank, { blanks: ['  消费者\u3000', ' ＡＢＣ '] })).toMatchObject({ score: 2, correct: true });
    expect(scoreResponse(blank, { blanks: ['ＣＯＮＳＵＭＥＲ', 'aBc'] })).toMatchObject({ score: 2, correct: true });
    expect(scoreResponse(blank, { blanks: ['消费者', 'xyz'] })).toMatchObject({ score: 1, correct: false, parts: [true, false] });
    expect(scoreResponse(blank, { blanks: ['', 'abc'] })).toMatchObject({ score: 1, correct: false, parts: [false, true] });
  });

  it('weighted answers earn their share of the blank', () => {
    expect(scoreResponse(blank, { blanks: ['消费者', 'ab'] })).toMatchObject({ score: 1.5, correct: false, feedback: ['almost'] });
    expect(scoreResponse(blank, { blanks: ['x', 'ＡＢ'] })).toMatchObject({ score: 0.5, correct: false });
  });

  it('missing or malformed answers score 0', () => {
    for (const r of [{ blanks: [] }, { blanks: 'abc' }, { blanks: [null, 3] }, {}, null]) {
      expect(scoreResponse(blank, r)).toMatchObject({ score: 0, correct: false });
    }
  });

  it('normaliseAnswerText', () => {
    expect(normaliseAnswerText('  Ｈｅｌｌｏ　　Ｗｏｒｌｄ１２３ ')).toBe('hello world123');
  });
});

describe('numeric', () => {
  it('tolerance and range, with weights', () => {
    expect(scoreResponse(numeric, { value: 80 })).toMatchObject({ score: 2, correct: true, feedback: ['good'] });
    expect(scoreResponse(numeric, { value: 80.5 })).toMatchObject({ score: 2, correct: true });
    expect(scoreResponse(numeric, { value: 79.5 })).toMatchObject({ score: 2, correct: true });
    expect(scoreResponse(numeric, { value: 80.6 })).toMatchObject({ score: 1, correct: false });
    expect(scoreResponse(numeric, { value: 70 })).toMatchObject({ score: 1, correct: false });
    expect(scoreResponse(numeric, { value: 90 })).toMatchObject({ score: 1, correct: false });
    expect(scoreResponse(numeric, { value: 90.01 })).toMatchObject({ score: 0, correct: false, feedback: ['try again'] });
    expect(scoreResponse(numeric, { value: 0.1 + 0.2 })).toMatchObject({ score: 2, correct: true });
  });

  it('accepts numbers typed as text, full-width digits and thousands separators', () => {
    const q = make({ type: 'numeric', answers: [{ value: 30000, tolerance: 0 }] });
    for (const v of ['30000', ' 30000 ', '３００００', '30,000', '3e4', '30000.0']) expect(scoreResponse(q, { value: v }), v).toMatchObject({ score: 2, correct: true });
    for (const v of ['', 'abc', '30000元', null, NaN, Infinity, '1,2,3']) expect(scoreResponse(q, { value: v })).toMatchObject({ score: 0, correct: false });
    expect(parseLearnerNumber('－５')).toBe(-5);
    expect(parseLearnerNumber('.5')).toBe(0.5);
  });
});

describe('matching', () => {
  it('scores per pair', () => {
    expect(scoreResponse(matching, { matches: ['Ottawa', 'Rome', 'Tokyo'] })).toMatchObject({ score: 2, correct: true, parts: [true, true, true] });
    expect(scoreResponse(matching, { matches: ['Ottawa', 'Paris', 'Tokyo'] })).toMatchObject({ score: 1.33, correct: false, parts: [true, false, true] });
    expect(scoreResponse(matching, { matches: ['Rome', 'Ottawa', null] })).toMatchObject({ score: 0, correct: false });
    expect(scoreResponse(matching, { matches: 'x' })).toMatchObject({ score: 0, correct: false });
  });
});

describe('ordering (per position)', () => {
  it('each item in its correct position earns 1/n', () => {
    expect(scoreResponse(ordering, { order: [0, 1, 2, 3] })).toMatchObject({ score: 2, correct: true });
    expect(scoreResponse(ordering, { order: [1, 0, 2, 3] })).toMatchObject({ score: 1, correct: false, parts: [false, false, true, true] });
    expect(scoreResponse(ordering, { order: [3, 2, 1, 0] })).toMatchObject({ score: 0, correct: false });
    expect(scoreResponse(ordering, { order: [0] })).toMatchObject({ score: 0.5, correct: false });
    expect(scoreResponse(ordering, { order: null })).toMatchObject({ score: 0, correct: false });
  });
});

describe('short_answer and essay', () => {
  it('are left to a person', () => {
    for (const type of ['short_answer', 'essay'] as const) {
      const q = make({ type, rubric: 'r', points: 10 });
      expect(scoreResponse(q, { text: 'my answer' })).toEqual({ score: 0, max: 10, correct: null, fraction: null, feedback: [], needsGrading: true });
    }
  });
});

describe('any response', () => {
  it('never throws and never scores below zero or above the points', () => {
    const questions = [single, multiPartial, multiAll, tf, blank, numeric, matching, ordering];
    const responses: unknown[] = [null, undefined, 0, 'x', [], {}, { choice: 1e9 }, { choices: [null, {}, 1.5] }, { answer: {} },
      { blanks: [{}, []] }, { value: {} }, { matches: [1, 2] }, { order: ['a', {}] }];
    for (const q of questions) for (const r of responses) {
      const s = scoreResponse(q, r);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(s.max);
    }
    expect(QUESTION_TYPES.length).toBe(9);
  });
});

/** The fully correct response for a question. */
function correctResponse(q: Question): unknown {
  switch (q.type) {
    case 'single_choice': return { choice: q.options.findIndex((o) => o.weight === 100) };
    case 'multiple_choice': return { choices: q.options.flatMap((o, i) => (o.weight > 0 ? [i] : [])) };
    case 'true_false': return { answer: q.answer };
    case 'fill_blank': return { blanks: q.blanks.map((b) => (typeof b.answers[0] === 'string' ? b.answers[0] : b.answers[0].text)) };
    case 'numeric': {
      const a = q.answers.find((x) => x.weight === 100)!;
      return { value: 'value' in a ? a.value : (a.min + a.max) / 2 };
    }
    case 'matching': return { matches: q.pairs.map((p) => p.right) };
    case 'ordering': return { order: q.items.map((_, i) => i) };
    default: return { text: '' };
  }
}

const QDIR = fileURLToPath(new URL('../../../../content/questions/', import.meta.url));
const bankFiles = existsSync(QDIR) ? readdirSync(QDIR).filter((f) => f.endsWith('.json')) : [];

describe('shipped questions', () => {
  it('are present', () => expect(bankFiles.length).toBeGreaterThanOrEqual(12));
  it('the correct response earns full points on every auto-graded question; an empty one earns nothing', () => {
    for (const f of bankFiles) {
      const bank = JSON.parse(readFileSync(QDIR + f, 'utf8')) as { questions: unknown[] };
      for (const raw of bank.questions) {
        const q = normaliseQuestion(raw);
        const full = scoreResponse(q, correctResponse(q));
        const empty = scoreResponse(q, {});
        if (q.type === 'short_answer' || q.type === 'essay') {
          expect(full.correct).toBeNull();
          continue;
        }
        expect(full, `${f} ${q.key}`).toMatchObject({ score: q.points, correct: true });
        expect(empty, `${f} ${q.key}`).toMatchObject({ score: 0, correct: false });
      }
    }
  });
});
