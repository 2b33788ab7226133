import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { normaliseQuestion, validateQuestion } from '../question-model.js';
import { learnerView } from '../question-view.js';
import { scoreResponse } from '../scoring.js';
import { QUESTION_TYPES, type QuestionType } from './common.js';
import { definitionOf, NormalisedQuestionSchema, QUESTION_TYPE_DEFINITIONS, QuestionSchema } from './index.js';

const common = { stem: 'Which one?', points: 4, difficulty: 2, tags: ['t'], modules: ['floating-total-management'], category: 'A/B' };

/** Per type: a question as an author writes it, a fully right response, a wrong one, and texts only the key holds. */
const samples: Record<QuestionType, { input: Record<string, unknown>; right: unknown; wrong: unknown; secrets: string[] }> = {
  single_choice: {
    input: { type: 'single_choice', options: [{ text: 'alpha', correct: true, feedback: 'SECRET-fb1' }, { text: 'beta' }, { text: 'gamma' }] },
    right: { choice: 0 }, wrong: { choice: 2 }, secrets: ['SECRET-fb1'],
  },
  multiple_choice: {
    input: { type: 'multiple_choice', scoring: 'partial', options: [{ text: 'a', correct: true }, { text: 'b', correct: true }, { text: 'c', feedback: 'SECRET-no' }] },
    right: { choices: [0, 1] }, wrong: { choices: [2] }, secrets: ['SECRET-no'],
  },
  true_false: { input: { type: 'true_false', answer: false, feedbackTrue: 'SECRET-t' }, right: { answer: false }, wrong: { answer: true }, secrets: ['SECRET-t'] },
  fill_blank: {
    input: { type: 'fill_blank', stem: 'The {{1}} and the {{2}}', blanks: [{ answers: ['SECRETONE'] }, { answers: [{ text: 'SECRETTWO', weight: 100, feedback: 'x' }] }] },
    right: { blanks: ['secretone', 'SECRETTWO '] }, wrong: { blanks: ['no', 'no'] }, secrets: ['SECRETONE', 'SECRETTWO'],
  },
  numeric: {
    input: { type: 'numeric', answers: [{ value: 31415, tolerance: 2 }, { min: 27182, max: 27183, weight: 50 }], incorrectFeedback: 'SECRET-inc' },
    right: { value: '31,416' }, wrong: { value: 5 }, secrets: ['31415', '27182', 'SECRET-inc'],
  },
  matching: {
    input: { type: 'matching', pairs: [{ left: 'L1', right: 'R1' }, { left: 'L2', right: 'R2' }, { left: 'L3', right: 'R3' }], distractors: ['R4'] },
    right: { matches: ['R1', 'R2', 'R3'] }, wrong: { matches: ['R2', 'R1', 'R4'] }, secrets: [],
  },
  ordering: { input: { type: 'ordering', items: ['first', 'second', 'third', 'fourth'] }, right: { order: [0, 1, 2, 3] }, wrong: { order: [3, 2, 1, 0] }, secrets: [] },
  short_answer: { input: { type: 'short_answer', rubric: 'SECRET-rubric', modelAnswer: 'SECRET-model' }, right: { text: 'x' }, wrong: { text: '' }, secrets: ['SECRET-rubric', 'SECRET-model'] },
  essay: { input: { type: 'essay', rubric: 'SECRET-rubric', modelAnswer: 'SECRET-model' }, right: { text: 'x' }, wrong: { text: '' }, secrets: ['SECRET-rubric', 'SECRET-model'] },
};

describe('the question type registry', () => {
  it('has one definition per type, each under its own name', () => {
    expect(Object.keys(QUESTION_TYPE_DEFINITIONS).sort()).toEqual([...QUESTION_TYPES].sort());
    for (const type of QUESTION_TYPES) expect(definitionOf(type)?.type).toBe(type);
    expect(definitionOf('riddle')).toBeUndefined();
    expect(definitionOf('toString')).toBeUndefined();
  });

  it.each(QUESTION_TYPES)('%s: normalise, validate, learner view without the key, scoring', (type) => {
    const { input, right, wrong, secrets } = samples[type];
    const raw = { ...common, ...input };
    expect(Value.Check(QuestionSchema, raw)).toBe(true);
    const q = normaliseQuestion(raw);
    // Normalising is idempotent, the result is the type's normalised form, and the bank's rules accept it.
    expect(normaliseQuestion(q)).toEqual(q);
    expect(Value.Check(NormalisedQuestionSchema, q)).toBe(true);
    expect(Value.Check(QUESTION_TYPE_DEFINITIONS[type].stored, q)).toBe(true);
    expect(validateQuestion(q, { mode: 'import' })).toEqual([]);
    // A field of another type is dropped by normalise and refused by the schema.
    const foreign = type === 'true_false' ? { items: ['x', 'y'] } : { answer: true };
    expect(Value.Check(QuestionSchema, { ...raw, ...foreign })).toBe(false);
    expect(Object.keys(normaliseQuestion({ ...raw, ...foreign }))).toEqual(Object.keys(q));

    const view = learnerView(q, 'seed');
    expect(view.type).toBe(type);
    expect(view.points).toBe(4);
    const shown = JSON.stringify(view);
    expect(shown).not.toMatch(/"correct"|"weight"|"answer"|feedback|rubric|modelAnswer/i);
    for (const secret of secrets) expect(shown).not.toContain(secret);

    const good = scoreResponse(q, right);
    const bad = scoreResponse(q, wrong);
    if (QUESTION_TYPE_DEFINITIONS[type].manuallyGraded) {
      expect(good).toMatchObject({ score: 0, correct: null, needsGrading: true });
    } else {
      expect(good).toMatchObject({ score: 4, max: 4, correct: true, fraction: 1 });
      expect(bad.correct).toBe(false);
      expect(bad.score).toBeLessThan(4);
    }
    expect(() => scoreResponse(q, { junk: [1, null] })).not.toThrow();
    expect(scoreResponse(q, null).score).toBe(0);
  });

  it('refuses what a type cannot hold with the type\'s own reasons', () => {
    const q = normaliseQuestion({ ...common, type: 'numeric', answers: [{ value: 1, tolerance: -1 }] });
    expect(validateQuestion(q, { mode: 'import' })).toEqual([{ path: 'answers.0.tolerance', code: 'question.tolerance_negative', params: {} }]);
  });
});
