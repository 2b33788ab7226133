import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { normaliseQuestion, questionMessages, type Question } from '../question-model.js';
import { exportGift, parseGift } from './gift.js';

const FIX = fileURLToPath(new URL('../../../../../tests/fixtures/questions/gift/', import.meta.url));
const QDIR = fileURLToPath(new URL('../../../../../content/questions/', import.meta.url));
const fixture = (name: string) => readFileSync(FIX + name, 'utf8');

const d = { stemFormat: 'markdown', points: 1, difficulty: 3, language: 'en', tags: [], modules: [] } as const;
const cat1 = '货源政策/总量浮动';
const cat2 = '格式';

const expected: Record<string, [number, Record<string, unknown>]> = {
  'g-single': [8, {
    ...d, key: 'g-single', name: '进货渠道', type: 'single_choice', stem: '持证零售户应当从哪里进货？', points: 2, difficulty: 1, language: 'zh',
    tags: ['进货渠道', '专卖'], modules: ['floating-total-management'], category: cat1, explanation: '持证零售户应当在当地烟草公司进货。',
    options: [
      { text: '当地烟草公司', correct: true, weight: 100, feedback: '正确。' },
      { text: '镇上批发部', correct: false, weight: 0, feedback: '批发部没有烟草批发资格。' },
      { text: '网上商城', correct: false, weight: 0 },
    ],
  }],
  'g-multi': [16, {
    ...d, key: 'g-multi', name: 'Primes', type: 'multiple_choice', scoring: 'partial', stem: 'Which of these are primes?', category: cat1,
    options: [
      { text: '2', correct: true, weight: 50 }, { text: '3', correct: true, weight: 50 },
      { text: '4', correct: false, weight: -50, feedback: 'Not prime.' }, { text: '6', correct: false, weight: -50 },
    ],
  }],
  'g-multi-aon': [20, {
    ...d, key: 'g-multi-aon', type: 'multiple_choice', scoring: 'all_or_nothing', stem: 'Pick the fruits.', category: cat1,
    options: [
      { text: 'apple', correct: true, weight: 33.33333 }, { text: 'pear', correct: true, weight: 33.33333 },
      { text: 'plum', correct: true, weight: 33.33334 }, { text: 'carrot', correct: false, weight: -100 },
    ],
  }],
  'g-tf-t': [28, { ...d, key: 'g-tf-t', type: 'true_false', stem: 'Grant was a president.', category: cat1, answer: true }],
  'g-tf-true': [31, {
    ...d, key: 'g-tf-true', type: 'true_false', stem: 'The sun is a star.', category: cat1, answer: true,
    feedbackTrue: 'Yes, well done.', feedbackFalse: 'No, it is a star.',
  }],
  'g-tf-f': [34, {
    ...d, key: 'g-tf-f', type: 'true_false', stem: 'The earth is flat.', category: cat1, answer: false,
    feedbackTrue: 'Wrong: it is round.', feedbackFalse: 'Right.', explanation: 'It is an oblate spheroid.',
  }],
  'g-tf-false': [37, { ...d, key: 'g-tf-false', type: 'true_false', stem: 'Two plus two is five.', category: cat1, answer: false }],
  'g-short': [40, {
    ...d, key: 'g-short', type: 'fill_blank', stem: "Who's buried in Grant's tomb?{{1}}", category: cat1,
    blanks: [{ answers: ['Grant', 'Ulysses S. Grant', { text: 'Ulysses', weight: 50, feedback: 'Half marks: give the full name.' }] }],
  }],
  'g-missing-short': [43, {
    ...d, key: 'g-missing-short', type: 'fill_blank', stem: '烟草行业的共同价值观是：国家利益至上、{{1}}利益至上。', category: cat1,
    blanks: [{ answers: ['消费者'] }],
  }],
  'g-missing-choice': [46, {
    ...d, key: 'g-missing-choice', type: 'single_choice', stem: "Grant is _____ in Grant's tomb.", category: cat1,
    options: [{ text: 'buried', correct: false, weight: 0 }, { text: 'entombed', correct: true, weight: 100 }, { text: 'living', correct: false, weight: 0 }],
  }],
  'g-numeric-tol': [49, { ...d, key: 'g-numeric-tol', type: 'numeric', stem: 'When was Ulysses S. Grant born?', category: cat1, answers: [{ value: 1822, tolerance: 5, weight: 100 }] }],
  'g-numeric-range': [52, { ...d, key: 'g-numeric-range', type: 'numeric', stem: 'What is the value of pi (to 3 decimal places)?', category: cat1, answers: [{ min: 3.141, max: 3.142, weight: 100 }] }],
  'g-numeric-multi': [55, {
    ...d, key: 'g-numeric-multi', type: 'numeric', stem: 'When was Grant born?', category: cat1,
    answers: [{ value: 1822, tolerance: 0, weight: 100, feedback: 'Exactly right.' }, { value: 1822, tolerance: 2, weight: 50, feedback: 'Close.' }],
    incorrectFeedback: 'Check the year again.',
  }],
  'g-matching': [62, {
    ...d, key: 'g-matching', type: 'matching', stem: 'Match the following countries with their capitals.', category: cat1,
    pairs: [{ left: 'Canada', right: 'Ottawa' }, { left: 'Italy', right: 'Rome' }, { left: 'Japan', right: 'Tokyo' }], distractors: ['Paris'],
  }],
  'g-essay': [70, { ...d, key: 'g-essay', type: 'essay', stem: 'Write a short biography of Grant.', category: cat1 }],
  'g-short-answer': [74, {
    ...d, key: 'g-short-answer', type: 'short_answer', stem: 'When was Grant president?', category: cat1, explanation: 'He served two terms.',
    rubric: 'Names both terms (2 points).', modelAnswer: '1869 to 1877.',
  }],
  'g-html': [79, { ...d, key: 'g-html', type: 'true_false', stem: '<p>Is this <b>bold</b>?</p>', stemFormat: 'html', category: cat2, answer: true }],
  'g-plain': [82, { ...d, key: 'g-plain', type: 'numeric', stem: '1 + 1 = ?', stemFormat: 'plain', category: cat2, answers: [{ value: 2, tolerance: 0, weight: 100 }] }],
  'g-moodle': [85, { ...d, key: 'g-moodle', type: 'fill_blank', stem: 'Moodle auto-format text.{{1}}', stemFormat: 'plain', category: cat2, blanks: [{ answers: ['yes'] }] }],
  'g-escapes': [88, {
    ...d, key: 'g-escapes', name: 'Escapes: all of them', type: 'single_choice', category: cat2,
    stem: 'Escaped {braces}, = equals, ~ tilde, # hash, a:colon, a backslash \\ and a\nnew line.',
    options: [{ text: 'a = b', correct: true, weight: 100, feedback: 'c # d' }, { text: '{x}', correct: false, weight: 0 }],
  }],
  'g-multiline': [94, {
    ...d, key: 'g-multiline', type: 'single_choice', stem: 'First line of the stem\nsecond line of the stem.', category: cat2,
    options: [{ text: 'yes', correct: true, weight: 100 }, { text: 'no', correct: false, weight: 0 }],
  }],
  'g-no-category': [103, { ...d, key: 'g-no-category', type: 'true_false', stem: 'A category line right above the question clears the category.', answer: false }],
};

describe('parseGift: every construct', () => {
  const result = parseGift(fixture('all-constructs.gift'), { defaultLanguage: 'en' });

  it('reads the whole file without errors', () => {
    expect(result.errors).toEqual([]);
    expect(result.questions.map((q) => q.question.key)).toEqual(Object.keys(expected));
  });

  it.each(Object.entries(expected))('%s', (key, [line, model]) => {
    const parsed = result.questions.find((q) => q.question.key === key);
    expect(parsed?.line).toBe(line);
    expect(parsed?.question).toEqual(model);
  });

  it('reads Windows line ends and a BOM the same way', () => {
    const crlf = parseGift('\uFEFF' + fixture('all-constructs.gift').replace(/\n/g, '\r\n'), { defaultLanguage: 'en' });
    expect(crlf).toEqual(result);
  });

  it('decodes GB18030 bytes', () => {
    const bytes = iconv.encode(fixture('all-constructs.gift'), 'gb18030');
    expect(parseGift(bytes, { defaultLanguage: 'en' })).toEqual(result);
  });

  it('uses the default language, points and difficulty it is given', () => {
    const r = parseGift('Q {T}', { defaultLanguage: 'zh', defaultPoints: 2, defaultDifficulty: 4 });
    expect(r.questions[0].question).toMatchObject({ language: 'zh', points: 2, difficulty: 4 });
    expect(parseGift('Q {T}').questions[0].question.language).toBeUndefined();
  });

  it('follows Moodle: an answer before the first marker is wrong; {foo} is a short answer', () => {
    expect(parseGift('Q {a ~b =c}').questions[0].question).toMatchObject({
      type: 'single_choice', options: [{ text: 'a', weight: 0 }, { text: 'b', weight: 0 }, { text: 'c', weight: 100 }],
    });
    expect(parseGift('Q {foo}').questions[0].question).toMatchObject({ type: 'fill_blank', blanks: [{ answers: ['foo'] }] });
    expect(parseGift('[单选]下列哪项正确？{=a ~b}').questions[0].question.stem).toBe('[单选]下列哪项正确？');
  });

  it('reads Moodle export comments and [id:] with an escaped bracket', () => {
    const r = parseGift('// question: 12  name: Foo\n// [id:a\\]b] [tag:x] [tag:y z]\n::Foo::Q{T}');
    expect(r.questions[0].question).toMatchObject({ key: 'a]b', name: 'Foo', tags: ['x', 'y z'] });
  });
});

describe('parseGift: errors', () => {
  it('reports each mistake with its line and code, and keeps the good questions', () => {
    const r = parseGift(fixture('errors.gift'));
    expect(r.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'gift.unterminated_block'],
      [5, 'gift.unknown_format'],
      [7, 'gift.option_empty'],
      [9, 'gift.bad_weight'],
      [11, 'gift.unterminated_name'],
      [13, 'gift.unmatched_brace'],
      [15, 'gift.no_answer_block'],
      [17, 'gift.bad_number'],
      [19, 'gift.matching_format'],
      [21, 'gift.bad_meta'],
      [24, 'gift.multiple_blocks'],
      [26, 'gift.options_min'],
      [31, 'gift.bad_weight'],
      [35, 'gift.option_empty'],
      [39, 'gift.numeric_no_answers'],
      [42, 'import.duplicate_key'],
    ]);
    expect(r.errors.find((e) => e.line === 5)?.params).toEqual({ format: 'foo' });
    expect(r.errors.find((e) => e.line === 9)?.params).toEqual({ weight: 'abc' });
    expect(r.errors.find((e) => e.line === 31)?.params).toEqual({ weight: '150' });
    expect(r.errors.find((e) => e.line === 42)?.params).toMatchObject({ key: 'good-1', line: 29 });
    expect(r.questions.map((q) => [q.line, q.question.key])).toEqual([[29, 'good-1']]);
  });

  it('reports questions that parse but are not usable (validation, at the question line)', () => {
    const r = parseGift('// [id:x]\nPick {=a =b ~c}\n\nMatch {=a -> 1 =a -> 2}');
    expect(r.errors).toEqual([
      { line: 2, code: 'question.single_needs_one_correct', params: { found: 2, path: 'options' } },
      { line: 4, code: 'question.duplicate_left', params: { index: 1, first: 0, path: 'pairs.1' } },
    ]);
  });

  it('an empty file, a file of comments, a file of junk, and binary data', () => {
    expect(parseGift('')).toEqual({ questions: [], errors: [{ line: 0, code: 'import.empty', params: {} }] });
    expect(parseGift(' \n\n \t\n').errors).toEqual([{ line: 0, code: 'import.empty', params: {} }]);
    expect(parseGift(Buffer.alloc(0)).errors).toEqual([{ line: 0, code: 'import.empty', params: {} }]);
    expect(parseGift('// only\n// comments\n').errors).toEqual([{ line: 0, code: 'import.no_questions', params: {} }]);
    expect(parseGift(fixture('junk.gift')).errors.map((e) => [e.line, e.code])).toEqual([[1, 'gift.no_answer_block'], [4, 'gift.no_answer_block']]);
    expect(parseGift(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3, 0, 0])).errors).toEqual([{ line: 0, code: 'import.not_text', params: {} }]);
  });

  it('never throws on random input, and every error has a line inside the file and a known code', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['{', '}', '~', '=', '#', '%', ':', '::', '->', '..', '\\', '\n', '\n\n', ' ', 'a', '中', '//', '[html]', '[x]', '$CATEGORY:', '50', '-', 'T', 'TRUE', '####', '@meta {'];
    for (let n = 0; n < 400; n++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const lines = text.split('\n').length;
      let r: ReturnType<typeof parseGift> | undefined;
      expect(() => { r = parseGift(text); }, JSON.stringify(text)).not.toThrow();
      for (const e of r!.errors) {
        expect(e.line).toBeGreaterThanOrEqual(0);
        expect(e.line).toBeLessThanOrEqual(lines);
        expect(questionMessages[e.code], e.code).toBeDefined();
      }
    }
  });
});

/** The shipped banks, one list of questions per file (keys repeat across languages, not within a file). */
const banks = (): [string, Question[]][] => {
  if (!existsSync(QDIR)) return [];
  return readdirSync(QDIR).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const bank = JSON.parse(readFileSync(QDIR + f, 'utf8')) as { language: 'zh' | 'en'; questions: unknown[] };
    return [f, bank.questions.map((q) => normaliseQuestion(q, { language: bank.language }))];
  });
};

describe('exportGift', () => {
  const fixtureQuestions = parseGift(fixture('all-constructs.gift'), { defaultLanguage: 'en' }).questions.map((q) => q.question);

  it.each(['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'short_answer', 'essay'])(
    'round trip: %s',
    (type) => {
      const qs = fixtureQuestions.filter((q) => q.type === type);
      expect(qs.length).toBeGreaterThan(0);
      const out = exportGift(qs);
      expect(out.skipped).toEqual([]);
      const back = parseGift(out.text);
      expect(back.errors).toEqual([]);
      expect(back.questions.map((q) => q.question)).toEqual(qs);
    },
  );

  it.each(banks())('round trip: every question of %s that GIFT can hold', (_file, qs) => {
    const out = exportGift(qs);
    const skipped = new Set(out.skipped.map((s) => s.index));
    for (const s of out.skipped) expect(['ordering', 'fill_blank']).toContain(qs[s.index].type);
    const back = parseGift(out.text);
    expect(back.errors).toEqual([]);
    expect(back.questions.map((q) => q.question)).toEqual(qs.filter((_, i) => !skipped.has(i)));
  });

  it('round trip: awkward texts (escapes, brackets, newlines, a blank in the middle)', () => {
    const qs = [
      { type: 'single_choice', stem: 'a {b} = c ~ d # e: f \\ g\n\nsecond paragraph', options: [{ text: '[html] looks like a prefix', correct: true, feedback: 'x = y' }, { text: '{{1}}' }] },
      { type: 'single_choice', stem: '零售户应当在 _____ 进货。', options: [{ text: '当地烟草公司', correct: true }, { text: '批发部' }] },
      { type: 'single_choice', stem: 'ends with a blank _____', options: [{ text: 'a', correct: true }, { text: 'b' }] },
      { type: 'fill_blank', stem: '{{1}} at the start', blanks: [{ answers: ['x'] }] },
      { type: 'fill_blank', stem: 'Two  spaces {{1}}  around', blanks: [{ answers: ['a #1', { text: 'b', weight: 33.5, feedback: 'c' }] }] },
      { type: 'true_false', stem: 'only right feedback', answer: true, feedbackTrue: 'right' },
      { type: 'true_false', stem: 'only wrong feedback', answer: false, feedbackTrue: 'wrong', explanation: 'gf' },
      { type: 'numeric', stem: 'neg', answers: [{ value: -5, tolerance: 0.25 }, { min: -10, max: -6, weight: 10 }] },
      { type: 'matching', stem: 'm', pairs: [{ left: 'a: b', right: 'x -> y' }, { left: 'c', right: 'z' }], distractors: ['w'] },
      { type: 'essay', stem: 'e', name: 'Name: with colon', explanation: 'multi\nline', rubric: 'r\n- point', category: 'a/b/c', tags: ['t]x'], modules: ['m-1'] },
    ].map((q) => normaliseQuestion({ points: 3, difficulty: 4, language: 'zh', ...q }));
    const out = exportGift(qs);
    expect(out.skipped).toEqual([]);
    const back = parseGift(out.text);
    expect(back.errors).toEqual([]);
    expect(back.questions.map((q) => q.question)).toEqual(qs);
    expect(out.text).toContain('[markdown]零售户应当在 {');
  });

  it('reports what GIFT cannot hold', () => {
    const qs = [
      normaliseQuestion({ key: 'o-1', type: 'ordering', stem: 'o', points: 1, difficulty: 1, items: ['a', 'b', 'c'] }),
      normaliseQuestion({ type: 'fill_blank', stem: '{{1}} and {{2}}', points: 1, difficulty: 1, blanks: [{ answers: ['a'] }, { answers: ['b'] }] }),
      normaliseQuestion({ type: 'true_false', stem: 'kept', points: 1, difficulty: 1, answer: true }),
    ];
    const out = exportGift(qs);
    expect(out.skipped).toEqual([
      { index: 0, key: 'o-1', code: 'export.not_exportable', params: { format: 'GIFT', reason: 'ordering questions have no GIFT form' } },
      { index: 1, code: 'export.not_exportable', params: { format: 'GIFT', reason: 'GIFT short answer holds exactly one blank' } },
    ]);
    expect(parseGift(out.text).questions).toHaveLength(1);
  });

  it('writes Moodle-readable GIFT: categories, [id:] and [tag:] comments, format prefixes, tab-indented answers', () => {
    const out = exportGift([fixtureQuestions[0]]).text;
    expect(out).toBe([
      `$CATEGORY: ${cat1}`,
      '',
      '// [id:g-single] [tag:进货渠道] [tag:专卖]',
      '// @meta {"points":2,"difficulty":1,"language":"zh","modules":["floating-total-management"]}',
      '::进货渠道::[markdown]持证零售户应当从哪里进货？{',
      '\t=当地烟草公司#正确。',
      '\t~镇上批发部#批发部没有烟草批发资格。',
      '\t~网上商城',
      '\t####持证零售户应当在当地烟草公司进货。',
      '}',
      '',
    ].join('\n'));
  });
});
