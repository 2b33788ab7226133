import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { importLimitMessages } from '../../lib/import-limits.js';
import {
  blankAnswers, normaliseQuestion, QUESTION_TYPES, questionMessages, QuestionSchema, validateQuestion, type Question,
} from './question-model.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

const base = {
  key: 'so-001', stem: '题干', points: 1, difficulty: 2, tags: ['标签'], modules: ['floating-total-management'], category: '货源政策/总量浮动',
};
const single = (extra: Record<string, unknown> = {}) => ({
  ...base, type: 'single_choice',
  options: [{ text: '甲', correct: true }, { text: '乙', correct: false }, { text: '丙', correct: false }],
  ...extra,
});
const codes = (q: unknown, mode?: 'bank' | 'import') => validateQuestion(normaliseQuestion(q), { mode }).map((i) => `${i.path}:${i.code}`);

describe('normaliseQuestion', () => {
  it('fills single-choice weights 100/0 from correct', () => {
    const q = normaliseQuestion(single()) as Question & { type: 'single_choice' };
    expect(q.options.map((o) => [o.weight, o.correct])).toEqual([[100, true], [0, false], [0, false]]);
    expect(q.stemFormat).toBe('markdown');
  });

  it('shares +100 among correct and -100 among wrong multiple-choice options', () => {
    const q = normaliseQuestion({
      ...base, type: 'multiple_choice', scoring: 'partial',
      options: [{ text: 'a', correct: true }, { text: 'b', correct: true }, { text: 'c', correct: true }, { text: 'd', correct: false }, { text: 'e' }],
    }) as Question & { type: 'multiple_choice' };
    expect(q.options.map((o) => o.weight)).toEqual([33.33333, 33.33333, 33.33333, -50, -50]);
    expect(q.options.map((o) => o.correct)).toEqual([true, true, true, false, false]);
  });

  it('keeps explicit weights and derives correct from them', () => {
    const q = normaliseQuestion({
      ...base, type: 'multiple_choice', scoring: 'partial',
      options: [{ text: 'a', weight: 60 }, { text: 'b', weight: 40 }, { text: 'c', weight: -100 }],
    }) as Question & { type: 'multiple_choice' };
    expect(q.options).toEqual([{ text: 'a', weight: 60, correct: true }, { text: 'b', weight: 40, correct: true }, { text: 'c', weight: -100, correct: false }]);
  });

  it('fills the other defaults, trims, and drops fields of other types', () => {
    const q = normaliseQuestion({
      type: 'numeric', stem: '  多少？ ', points: 1, difficulty: 1, options: [{ text: 'x' }], answer: true, explanation: '  ',
      answers: [{ value: 60 }, { min: 1, max: 2, weight: 50, feedback: ' 近了 ' }],
    }, { language: 'zh' });
    expect(q).toEqual({
      type: 'numeric', stem: '多少？', stemFormat: 'markdown', points: 1, difficulty: 1, language: 'zh', tags: [], modules: [],
      answers: [{ value: 60, tolerance: 0, weight: 100 }, { min: 1, max: 2, weight: 50, feedback: '近了' }],
    });
    const m = normaliseQuestion({ ...base, type: 'multiple_choice', options: [{ text: 'a', correct: true }, { text: 'b', correct: true }] });
    expect((m as Question & { type: 'multiple_choice' }).scoring).toBe('all_or_nothing');
  });

  it('turns blank answers worth 100% without feedback into plain strings', () => {
    const q = normaliseQuestion({ ...base, type: 'fill_blank', stem: 'a {{1}}', blanks: [{ answers: [' x ', { text: 'y', weight: 100 }, { text: 'z', weight: 50 }] }] });
    expect((q as Question & { type: 'fill_blank' }).blanks).toEqual([{ answers: ['x', 'y', { text: 'z', weight: 50 }] }]);
    expect(blankAnswers((q as Question & { type: 'fill_blank' }).blanks[0])).toEqual([
      { text: 'x', weight: 100 }, { text: 'y', weight: 100 }, { text: 'z', weight: 50 },
    ]);
  });

  it('never makes -0 and never throws, whatever it is given', () => {
    const q = normaliseQuestion({ ...base, type: 'multiple_choice', options: [{ text: 'a', correct: true }, { text: 'b', correct: true }] });
    expect(Object.is((q as Question & { type: 'multiple_choice' }).options[0].weight, 50)).toBe(true);
    for (const junk of [null, undefined, 42, 'text', [], { type: 'riddle' }, { type: 'single_choice', options: 'x' }, { type: 'fill_blank', blanks: [null] }]) {
      expect(() => validateQuestion(normaliseQuestion(junk))).not.toThrow();
      expect(validateQuestion(normaliseQuestion(junk)).length).toBeGreaterThan(0);
    }
  });
});

describe('validateQuestion', () => {
  it('accepts a complete bank question', () => {
    expect(codes(single())).toEqual([]);
  });

  it.each([
    ['missing stem', single({ stem: '' }), 'stem:field.required'],
    ['missing key in the bank', single({ key: undefined }), 'key:field.required'],
    ['key with spaces', single({ key: 'so 001' }), 'key:field.pattern'],
    ['unknown type', { ...base, type: 'riddle' }, 'type:question.unknown_type'],
    ['points 0', single({ points: 0 }), 'points:question.points_positive'],
    ['points not a number', single({ points: '2' }), 'points:field.type'],
    ['difficulty 6', single({ difficulty: 6 }), 'difficulty:question.difficulty_range'],
    ['difficulty 2.5', single({ difficulty: 2.5 }), 'difficulty:question.difficulty_range'],
    ['no modules in the bank', single({ modules: [] }), 'modules:question.modules_min'],
    ['bad module id', single({ modules: ['Not An Id'] }), 'modules.0:field.pattern'],
    ['empty category level', single({ category: '货源政策//总量' }), 'category:question.category_path'],
    ['bad language', single({ language: 'fr' }), 'language:field.enum'],
    ['bad stem format', single({ stemFormat: 'rtf' }), 'stemFormat:field.enum'],
    ['two options', single({ options: [{ text: '甲', correct: true }, { text: '乙' }] }), 'options:question.options_min'],
    ['six options', single({ options: [...'甲乙丙丁戊己'].map((t, i) => ({ text: t, correct: i === 0 })) }), 'options:question.options_max'],
    ['two correct', single({ options: [{ text: '甲', correct: true }, { text: '乙', correct: true }, { text: '丙' }] }), 'options:question.single_needs_one_correct'],
    ['no correct', single({ options: [{ text: '甲' }, { text: '乙' }, { text: '丙' }] }), 'options:question.single_needs_one_correct'],
    ['option without text', single({ options: [{ text: '甲', correct: true }, { text: ' ' }, { text: '丙' }] }), 'options.1.text:field.required'],
    ['duplicate option', single({ options: [{ text: '甲', correct: true }, { text: '乙' }, { text: 'ＩＤ' }, { text: 'id' }] }), 'options.3:question.duplicate_option'],
    ['weight out of range', single({ options: [{ text: '甲', weight: 100 }, { text: '乙', weight: -150 }, { text: '丙', weight: 0 }] }), 'options.1.weight:question.weight_range'],
    ['correct contradicts weight', single({ options: [{ text: '甲', weight: 100, correct: false }, { text: '乙', weight: 0 }, { text: '丙', weight: 0 }] }), 'options.0:question.correct_weight_mismatch'],
    ['multiple with one correct', { ...base, type: 'multiple_choice', scoring: 'partial', options: [{ text: 'a', correct: true }, { text: 'b' }, { text: 'c' }] }, 'options:question.multiple_needs_correct'],
    ['multiple weights not adding to 100', { ...base, type: 'multiple_choice', scoring: 'partial', options: [{ text: 'a', weight: 50 }, { text: 'b', weight: 30 }, { text: 'c', weight: 0 }] }, 'options:question.weights_sum'],
    ['bad scoring', { ...base, type: 'multiple_choice', scoring: 'most', options: [{ text: 'a', correct: true }, { text: 'b', correct: true }, { text: 'c' }] }, 'scoring:field.enum'],
    ['true_false without answer', { ...base, type: 'true_false' }, 'answer:field.required'],
    ['true_false answer not boolean', { ...base, type: 'true_false', answer: 'yes' }, 'answer:field.type'],
    ['blank count mismatch', { ...base, type: 'fill_blank', stem: '{{1}} 和 {{3}}', blanks: [{ answers: ['a'] }, { answers: ['b'] }] }, 'stem:question.blank_count_mismatch'],
    ['blank markers missing', { ...base, type: 'fill_blank', stem: '没有空', blanks: [{ answers: ['a'] }] }, 'stem:question.blank_count_mismatch'],
    ['blank without answers', { ...base, type: 'fill_blank', stem: '{{1}}', blanks: [{ answers: [] }] }, 'blanks.0.answers:question.blank_needs_answer'],
    ['blank without a full answer', { ...base, type: 'fill_blank', stem: '{{1}}', blanks: [{ answers: [{ text: 'a', weight: 50 }] }] }, 'blanks.0.answers:question.blank_needs_full_answer'],
    ['no blanks', { ...base, type: 'fill_blank', stem: 'x', blanks: [] }, 'blanks:question.blanks_min'],
    ['numeric without answers', { ...base, type: 'numeric', answers: [] }, 'answers:question.numeric_needs_answer'],
    ['numeric with both forms', { ...base, type: 'numeric', answers: [{ value: 1, min: 0, max: 2 }] }, 'answers.0:question.numeric_answer_form'],
    ['numeric range reversed', { ...base, type: 'numeric', answers: [{ min: 5, max: 1 }] }, 'answers.0:question.numeric_range_order'],
    ['numeric negative tolerance', { ...base, type: 'numeric', answers: [{ value: 5, tolerance: -1 }] }, 'answers.0.tolerance:question.tolerance_negative'],
    ['numeric without a full answer', { ...base, type: 'numeric', answers: [{ value: 5, weight: 50 }] }, 'answers:question.numeric_needs_full_answer'],
    ['numeric weight negative', { ...base, type: 'numeric', answers: [{ value: 5 }, { value: 6, weight: -10 }] }, 'answers.1.weight:question.weight_range'],
    ['two pairs', { ...base, type: 'matching', pairs: [{ left: 'a', right: '1' }, { left: 'b', right: '2' }] }, 'pairs:question.pairs_min'],
    ['seven pairs', { ...base, type: 'matching', pairs: [...'abcdefg'].map((l, i) => ({ left: l, right: String(i) })) }, 'pairs:question.pairs_max'],
    ['pair without right', { ...base, type: 'matching', pairs: [{ left: 'a', right: '' }, { left: 'b', right: '2' }, { left: 'c', right: '3' }] }, 'pairs.0.right:field.required'],
    ['duplicate left', { ...base, type: 'matching', pairs: [{ left: 'a', right: '1' }, { left: 'a', right: '2' }, { left: 'c', right: '3' }] }, 'pairs.1:question.duplicate_left'],
    ['distractor equal to an answer', { ...base, type: 'matching', pairs: [{ left: 'a', right: '1' }, { left: 'b', right: '2' }, { left: 'c', right: '3' }], distractors: ['2'] }, 'distractors.0:question.distractor_is_answer'],
    ['two items', { ...base, type: 'ordering', items: ['a', 'b'] }, 'items:question.items_min'],
    ['eight items', { ...base, type: 'ordering', items: [...'abcdefgh'] }, 'items:question.items_max'],
    ['duplicate item', { ...base, type: 'ordering', items: ['a', 'b', 'a'] }, 'items.2:question.duplicate_item'],
    ['essay without rubric in the bank', { ...base, type: 'essay' }, 'rubric:field.required'],
    ['short answer without rubric in the bank', { ...base, type: 'short_answer', rubric: '' }, 'rubric:field.required'],
  ])('%s', (_name, q, expected) => {
    expect(codes(q)).toContain(expected);
  });

  it('import mode needs less than the bank', () => {
    const loose = { type: 'single_choice', stem: 'x', points: 1, difficulty: 3, options: [{ text: 'a', correct: true }, { text: 'b' }] };
    expect(codes(loose, 'import')).toEqual([]);
    expect(codes(loose, 'bank')).toEqual(expect.arrayContaining(['key:field.required', 'category:field.required', 'modules:question.modules_min', 'options:question.options_min']));
    expect(codes({ type: 'essay', stem: 'x', points: 5, difficulty: 3 }, 'import')).toEqual([]);
    expect(codes({ type: 'multiple_choice', scoring: 'partial', stem: 'x', points: 1, difficulty: 3, options: [{ text: 'a', correct: true }, { text: 'b' }] }, 'import')).toEqual([]);
  });

  it('checks module ids when it is given them', () => {
    const q = normaliseQuestion(single({ modules: ['no-such-module'] }));
    expect(validateQuestion(q, { moduleIds: new Set(['floating-total-management']) })).toEqual([
      { path: 'modules.0', code: 'question.unknown_module', params: { id: 'no-such-module' } },
    ]);
  });

  it('never throws on garbage', () => {
    for (const junk of [null, 1, 'x', [], {}, { type: 'matching', pairs: [1, null] }, { type: 'numeric', answers: [null, 'x'] }, { type: 'ordering', items: 'abc' }]) {
      expect(() => validateQuestion(junk)).not.toThrow();
    }
  });
});

describe('questionMessages', () => {
  it('has zh and en text, with the same placeholders, for every code the module and the formats use', () => {
    const sources = [HERE, `${HERE}formats/`, `${HERE}types/`].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => readFileSync(dir + f, 'utf8')));
    const used = new Set<string>();
    for (const src of sources) for (const m of src.matchAll(/'((?:field|question|gift|aiken|sheet|import|export)\.[a-z_]+)'/g)) used.add(m[1]);
    for (const what of ['options', 'pairs', 'items']) for (const end of ['min', 'max']) used.add(`question.${what}_${end}`);
    // The import limits' codes (shared with the roster import) live in lib/import-limits.ts.
    const catalogue = { ...importLimitMessages, ...questionMessages };
    const missing = [...used].filter((c) => !catalogue[c]);
    expect(missing).toEqual([]);
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((p) => !/^\d+$/.test(p)).sort();
    for (const [code, { zh, en }] of Object.entries(catalogue)) {
      expect(zh, code).toBeTruthy();
      expect(en, code).toBeTruthy();
      expect(placeholders(zh), code).toEqual(placeholders(en));
    }
  });

  it('covers every question type in the schema', () => {
    expect(QuestionSchema.anyOf.map((s) => s.properties.type.const).sort()).toEqual([...QUESTION_TYPES].sort());
  });

  it('the TypeBox schema accepts author JSON and normalised questions', () => {
    const raw = single();
    expect(Value.Check(QuestionSchema, raw)).toBe(true);
    expect(Value.Check(QuestionSchema, normaliseQuestion(raw))).toBe(true);
    expect(Value.Check(QuestionSchema, { ...raw, difficulty: 9 })).toBe(false);
  });
});
