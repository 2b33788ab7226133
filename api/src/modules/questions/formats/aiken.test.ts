import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { normaliseQuestion, questionMessages, type Question } from '../question-model.js';
import { exportAiken, parseAiken } from './aiken.js';

const FIX = fileURLToPath(new URL('../../../../../tests/fixtures/questions/aiken/', import.meta.url));
const QDIR = fileURLToPath(new URL('../../../../../content/questions/', import.meta.url));
const fixture = (name: string) => readFileSync(FIX + name, 'utf8');

const d = { stemFormat: 'markdown', points: 1, difficulty: 3, tags: [], modules: [] } as const;
const single = (stem: string, texts: string[], right: number, extra: Record<string, unknown> = {}) => ({
  ...d, type: 'single_choice', stem, ...extra,
  options: texts.map((text, i) => ({ text, correct: i === right, weight: i === right ? 100 : 0 })),
});
/** A multiple-choice question as Aiken produces it: all_or_nothing, weights shared. */
const multiple = (stem: string, texts: string[], right: number[], extra: Record<string, unknown> = {}) =>
  normaliseQuestion({ ...d, type: 'multiple_choice', scoring: 'all_or_nothing', stem, ...extra, options: texts.map((text, i) => ({ text, correct: right.includes(i) })) });

describe('parseAiken', () => {
  it('reads Moodle\'s example', () => {
    const r = parseAiken(fixture('moodle.txt'));
    expect(r.errors).toEqual([]);
    expect(r.questions).toEqual([
      { line: 1, question: single('What is the correct answer to this question?', ['Is it this one?', 'Maybe this answer?', 'Possibly this one?', 'Must be this one!'], 3) },
      { line: 8, question: single('Which LMS has the most quiz import formats?', ['Moodle', 'ATutor', 'Claroline', 'Blackboard', 'WebCT', 'Ilias'], 0) },
    ]);
  });

  const zh = { language: 'zh' };
  const expectedZh = [
    { line: 3, question: single('我国对烟草实行专卖管理，最基本的法律依据是：', ['《中华人民共和国烟草专卖法》', '《中华人民共和国产品质量法》', '《中华人民共和国广告法》', '《中华人民共和国消费者权益保护法》'], 0, zh) },
    { line: 10, question: single('持证零售户应当\n从哪里进货？（题干跨两行）', ['当地烟草公司', '镇上批发部', '网上商城'], 0, { ...zh, explanation: '持证零售户应当在当地烟草公司进货。' }) },
    { line: 18, question: single('总量浮动管理的特点是：', ['有上限、无下限', '有下限、无上限', '上下限都有'], 0, zh) },
    { line: 24, question: single('下列说法正确的是', ['甲', '乙', '丙', '丁'], 2, zh) },
    { line: 30, question: multiple('下列哪些属于持证零售户守法经营的基本要求？', ['持证经营', '在当地烟草公司进货', '不向未成年人出售烟草制品', '把许可证借给亲戚'], [0, 1, 2], zh) },
    { line: 37, question: multiple('客户经理的服务要求包括（　）', ['准时', '热情', '推销高价烟', '保密'], [0, 1, 3], zh) },
    { line: 43, question: { ...d, ...zh, type: 'true_false', stem: '卷烟是专卖品。', answer: true } },
    { line: 46, question: { ...d, ...zh, type: 'true_false', stem: '零售户可以从任何批发商处进货。', answer: false } },
  ];

  it('reads the Chinese variants: 、 ． . ) （A）, full-width letters, 答案：/答案:/正确答案：/【答案】, several answers, numbering, headings, options on one line, 判断题, 解析', () => {
    const r = parseAiken(fixture('zh-variants.txt'), { defaultLanguage: 'zh' });
    expect(r.errors).toEqual([]);
    expect(r.questions).toEqual(expectedZh);
  });

  it('reads the same file as GB18030 bytes and with Windows line ends', () => {
    expect(parseAiken(iconv.encode(fixture('zh-variants.txt'), 'gb18030'), { defaultLanguage: 'zh' }).questions).toEqual(expectedZh);
    expect(parseAiken(fixture('zh-variants.txt').replace(/\n/g, '\r\n'), { defaultLanguage: 'zh' }).questions).toEqual(expectedZh);
    expect(parseAiken(Buffer.from('\uFEFF' + fixture('zh-variants.txt')), { defaultLanguage: 'zh' }).questions).toEqual(expectedZh);
  });

  it('questions need no blank line between them when each ends with its answer', () => {
    const r = parseAiken('1、甲？\nA、是\nB、否\n答案：A\n2、乙？\nA、是\nB、否\n答案：B\n');
    expect(r.errors).toEqual([]);
    expect(r.questions.map((q) => [q.line, q.question.stem])).toEqual([[1, '甲？'], [5, '乙？']]);
  });

  it('a numbered line after options without an answer starts a new question', () => {
    const r = parseAiken('1、甲？\nA、是\nB、否\n2、乙？\nA、是\nB、否\n答案：B\n');
    expect(r.errors).toEqual([{ line: 1, code: 'aiken.no_answer', params: {} }]);
    expect(r.questions.map((q) => q.line)).toEqual([4]);
  });

  it('drops the numbering but not a number that starts the stem', () => {
    const r = parseAiken('8、1标准箱卷烟等于多少条？\nA、50条\nB、250条\n答案：B\n\n1.5倍是多少？\nA. 一\nB. 二\nANSWER: A\n\n（3）1.5倍呢？\nA. 一\nB. 二\nANSWER: A');
    expect(r.questions.map((q) => q.question.stem)).toEqual(['1标准箱卷烟等于多少条？', '1.5倍是多少？', '1.5倍呢？']);
  });

  it('a line after an option continues it; an answer is read in lower case too', () => {
    const r = parseAiken('Q?\nA. first line\ncontinued\nB. other\nANSWER: a');
    expect(r.questions[0].question).toMatchObject({ options: [{ text: 'first line\ncontinued', correct: true }, { text: 'other' }] });
  });

  it('does not split options on single spaces in English text', () => {
    const r = parseAiken('Q?\nA. Plan B. is good\nB. Plan C\nANSWER: A');
    expect(r.questions[0].question).toMatchObject({ options: [{ text: 'Plan B. is good' }, { text: 'Plan C' }] });
  });

  it('reports each error with its line and reason', () => {
    const r = parseAiken(fixture('errors.txt'));
    expect(r.errors).toEqual([
      { line: 1, code: 'aiken.no_answer', params: {} },
      { line: 8, code: 'aiken.answer_not_option', params: { letter: 'E', letters: 'A–B' } },
      { line: 12, code: 'aiken.options_min', params: { found: 1 } },
      { line: 14, code: 'aiken.answer_without_question', params: {} },
      { line: 18, code: 'aiken.option_empty', params: { letter: 'B' } },
      { line: 23, code: 'aiken.option_sequence', params: { expected: 'B', letter: 'C' } },
      { line: 29, code: 'aiken.bad_answer', params: { answer: '第二个' } },
    ]);
    expect(r.questions.map((q) => [q.line, q.question.stem])).toEqual([[31, 'A good question']]);
  });

  it('options with no stem, an empty file, junk, and binary data', () => {
    expect(parseAiken('A. one\nB. two\nANSWER: A').errors).toEqual([{ line: 1, code: 'aiken.no_stem', params: {} }]);
    expect(parseAiken('').errors).toEqual([{ line: 0, code: 'import.empty', params: {} }]);
    expect(parseAiken(fixture('junk.txt')).errors).toEqual([{ line: 1, code: 'aiken.no_answer', params: {} }]);
    expect(parseAiken(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0])).errors).toEqual([{ line: 0, code: 'import.not_text', params: {} }]);
    expect(parseAiken('一、单项选择题\n\n二、判断题\n').errors).toEqual([{ line: 0, code: 'import.no_questions', params: {} }]);
  });

  it('never throws on random input', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const parts = ['A.', 'B、', '（C）', 'Ｄ．', 'ANSWER: ', '答案：', 'A', 'BD', 'Z', '对', '\n', '\n\n', ' ', '  ', '题干', '1、', '解析：', '一、单选题'];
    for (let n = 0; n < 400; n++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => parts[Math.floor(rand() * parts.length)]).join('');
      let r: ReturnType<typeof parseAiken> | undefined;
      expect(() => { r = parseAiken(text); }, JSON.stringify(text)).not.toThrow();
      for (const e of r!.errors) expect(questionMessages[e.code], e.code).toBeDefined();
    }
  });
});

describe('exportAiken', () => {
  const choiceQuestions = [
    normaliseQuestion(single('Single?', ['a', 'b', 'c'], 1)),
    multiple('Multiple?', ['a', 'b', 'c', 'd'], [0, 3]),
    normaliseQuestion(single('第一行\n第二行\n\n第二段', ['甲', '乙\n续行'], 0)),
  ];

  it.each(['moodle', 'zh'] as const)('round trip (%s style): single and multiple choice', (style) => {
    const out = exportAiken(choiceQuestions, { style });
    expect(out.skipped).toEqual([]);
    const back = parseAiken(out.text, { defaultLanguage: undefined });
    expect(back.errors).toEqual([]);
    expect(back.questions.map((q) => q.question)).toEqual(choiceQuestions);
  });

  it('writes Moodle\'s Aiken and the Chinese style', () => {
    expect(exportAiken([choiceQuestions[0]]).text).toBe('Single?\nA. a\nB. b\nC. c\nANSWER: B\n');
    const q = normaliseQuestion({ ...choiceQuestions[0], explanation: '因为。' });
    expect(exportAiken([q, choiceQuestions[1]], { style: 'zh' }).text).toBe('1、Single?\nA、a\nB、b\nC、c\n答案：B\n解析：因为。\n\n2、Multiple?\nA、a\nB、b\nC、c\nD、d\n答案：AD\n');
    const back = parseAiken(exportAiken([q], { style: 'zh' }).text);
    expect(back.questions[0].question).toEqual(q);
  });

  it('round trip: the stem, options and correct answers of every shipped choice question', () => {
    if (!existsSync(QDIR)) return;
    for (const f of readdirSync(QDIR).filter((x) => x.endsWith('.json'))) {
      const bank = JSON.parse(readFileSync(QDIR + f, 'utf8')) as { questions: unknown[] };
      const qs = bank.questions.map((q) => normaliseQuestion(q)).filter((q) => q.type === 'single_choice' || q.type === 'multiple_choice');
      const out = exportAiken(qs, { style: 'zh' });
      expect(out.skipped, f).toEqual([]);
      const back = parseAiken(out.text);
      expect(back.errors, f).toEqual([]);
      const view = (q: Question) => ({
        type: q.type, stem: q.stem,
        options: q.type === 'single_choice' || q.type === 'multiple_choice' ? q.options.map((o) => [o.text, o.correct]) : [],
      });
      expect(back.questions.map((q) => view(q.question)), f).toEqual(qs.map(view));
    }
  });

  it('reports what Aiken cannot hold', () => {
    const qs = [
      normaliseQuestion({ key: 't', type: 'true_false', stem: 'x', points: 1, difficulty: 1, answer: true }),
      normaliseQuestion(single('A. looks like an option', ['a', 'b'], 0)),
      normaliseQuestion(single('1. numbered', ['a', 'b'], 0)),
    ];
    expect(exportAiken(qs).skipped.map((s) => [s.index, s.params.reason])).toEqual([
      [0, 'Aiken holds choice questions only'],
      [1, 'a line of the stem looks like an option or an answer'],
      [2, 'the stem starts with a number that would be read as numbering'],
    ]);
    expect(exportAiken([qs[2]], { style: 'zh' }).skipped).toEqual([]);
  });
});
