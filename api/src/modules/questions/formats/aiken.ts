/**
 * Aiken, as Moodle documents it, plus the variants Chinese question documents use.
 *
 * ```
 * 1、零售户应当从哪里进货？              ← stem (may span lines; a leading 1. 1、 （1） (1) 第1题 is dropped)
 * A、当地烟草公司                         ← options: A. A) A、 A． A： （A） (A), full-width letters too
 * B．镇上批发部       C．网上             ← several options on one line when separated by two spaces, a tab,
 * 答案：A                                   an ideographic space, or after CJK text
 * 解析：……                               ← optional, one line (解析： 【解析】 EXPLANATION:)
 * ```
 *
 * - Answer lines: `ANSWER: B`, `答案：B`, `答案:B`, `正确答案：B`, `参考答案：B`, `【答案】B`. Several letters
 *   (`答案：ABD`, `A,B,D`, `A、B、D`) make a multiple_choice question scored all_or_nothing; one letter a
 *   single_choice question.
 * - Extension: a stem with no options and an answer of 对/错, 正确/错误, √/×, T/F, TRUE/FALSE is a true_false
 *   question (判断题).
 * - Section headings before a question (`一、单项选择题`, `（二）判断题`) are skipped.
 * - Questions are usually separated by blank lines; without them, a question ends at its answer line.
 *
 * Export writes single_choice and multiple_choice (Aiken holds stem, options and the correct letters only: weights,
 * feedback and scoring are not kept; multiple-choice questions come back all_or_nothing). Style `moodle` writes
 * `A. ` and `ANSWER: B` (what Moodle imports; Moodle itself takes single answers only); style `zh` writes
 * `1、`, `A、`, `答案：B` and `解析：`.
 */
import { normaliseQuestion, type Question, type QuestionInput } from '../question-model.js';
import {
  notExportable, QuestionCollector, readText, type ExportResult, type ExportSkip, type ParseOptions, type ParseResult,
} from './common.js';

const LETTER = '[A-ZＡ-Ｚ]';
const OPTION = new RegExp(`^(?:[(（]\\s*(${LETTER})\\s*[)）]|(${LETTER})\\s*[.．、)）:：])\\s*`);
const INLINE_OPTION = new RegExp(`(\\s+)(?:([(（])\\s*(${LETTER})\\s*[)）]|(${LETTER})\\s*([.．、)）:：]))`, 'g');
const ANSWER = /^(?:ANSWER\s*[:：]|(?:正确答案|参考答案|标准答案|答案)\s*[:：]|【(?:正确答案|参考答案|标准答案|答案)】\s*[:：]?)\s*(.*)$/i;
const EXPLANATION = /^(?:EXPLANATION\s*[:：]|(?:答案解析|试题解析|解析)\s*[:：]|【(?:答案解析|解析)】\s*[:：]?)\s*(.*)$/i;
const NUMBERING = /^(?:第\s*\d+\s*题\s*[.．、:：]?|\d+\s*[.．](?!\d)|\d+\s*[、)）]|[(（]\s*\d+\s*[)）])\s*/;
const HEADING = /^(?:[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十\d]+部分)|^\S{0,8}(?:单项选择题|多项选择题|单选题|多选题|选择题|判断题)[^？?]*$/;
const TRUE_WORDS = ['对', '正确', '√', '✓', '✔', 'T', 'TRUE', '是', 'Y', 'YES'];
const FALSE_WORDS = ['错', '错误', '×', '✗', '✘', 'X', 'F', 'FALSE', '否', 'N', 'NO'];

const letterOf = (c: string) => c.normalize('NFKC').toUpperCase();
const letterAt = (i: number) => String.fromCharCode(65 + i);

interface Draft {
  line: number;
  stem: string[];
  options: { letter: string; text: string; line: number }[];
  blank: boolean;
  broken: boolean;
}

export type AikenParseOptions = ParseOptions;

export function parseAiken(input: string | Buffer, opts: AikenParseOptions = {}): ParseResult {
  const out = new QuestionCollector(opts);
  const read = readText(input);
  if (!read.ok) { out.errors.push(read.issue); return { questions: [], errors: out.errors }; }
  const lines = read.text.split(/\r\n|\r|\n/);
  let cur: Draft | null = null;
  /** The question just added, which an explanation line may follow. */
  let last: number | null = null;

  const abandon = () => {
    if (cur && !cur.broken) out.error(cur.line, 'aiken.no_answer');
    cur = null;
  };
  const start = (text: string, line: number) => {
    cur = { line, stem: [text.replace(NUMBERING, '')], options: [], blank: false, broken: false };
  };

  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === '') { if (cur) cur.blank = true; return; }

    const answer = ANSWER.exec(t);
    if (answer) {
      if (!cur) { out.error(line, 'aiken.answer_without_question'); return; }
      last = finish(cur, answer[1].trim(), line, out) ? out.questions.length - 1 : null;
      cur = null;
      return;
    }

    const explanation = EXPLANATION.exec(t);
    if (explanation && !cur) {
      const text = explanation[1].trim();
      if (text && last !== null) {
        const q = out.questions[last];
        q.question = normaliseQuestion({ ...q.question, explanation: text });
      }
      last = null;
      return;
    }

    const opt = OPTION.exec(t);
    if (opt) {
      const letter = letterOf(opt[1] ?? opt[2]);
      const d = cur as Draft | null;
      if (!d || d.options.length === 0) {
        if (letter === 'A') {
          if (!d) { out.error(line, 'aiken.no_stem'); cur = { line, stem: [], options: [], blank: false, broken: true }; }
          addOptions(cur!, t.slice(opt[0].length), letter, line, out);
          return;
        }
        // "B超……" or "C. 罗纳尔多……" before any option: just text
      } else {
        const expected = letterAt(d.options.length);
        if (letter !== expected) {
          if (!d.broken) out.error(line, 'aiken.option_sequence', { expected, letter });
          d.broken = true;
          return;
        }
        d.blank = false;
        addOptions(d, t.slice(opt[0].length), letter, line, out);
        return;
      }
    }

    // A line of text.
    const d = cur as Draft | null;
    if (!d) {
      if (HEADING.test(t)) return;
      start(t, line);
      return;
    }
    if (d.options.length === 0) {
      if (d.blank) d.stem.push('');
      d.stem.push(t);
      d.blank = false;
      return;
    }
    if (d.blank || NUMBERING.test(t)) {
      abandon();
      start(t, line);
      return;
    }
    const o = d.options[d.options.length - 1];
    o.text = o.text ? `${o.text}\n${t}` : t;
  });
  abandon();
  return out.result();
}

/** Adds the option that starts the line and any further options on the same line. */
function addOptions(d: Draft, rest: string, letter: string, line: number, out: QuestionCollector) {
  const found: { letter: string; text: string }[] = [];
  let current = { letter, text: '' };
  let next = d.options.length + 1;
  let from = 0;
  INLINE_OPTION.lastIndex = 0;
  for (let m = INLINE_OPTION.exec(rest); m; m = INLINE_OPTION.exec(rest)) {
    const l = letterOf(m[3] ?? m[4]);
    const ws = m[1];
    const before = rest.slice(from, m.index);
    const cjkMark = m[2] === '（' || (m[5] !== undefined && '．、）：'.includes(m[5]));
    const qualifies = ws.length >= 2 || /[\t\u3000]/.test(ws) || cjkMark || (before.charCodeAt(before.length - 1) || 0) > 0x7f;
    if (l !== letterAt(next) || !qualifies || before.trim() === '') continue;
    current.text = before.trim();
    found.push(current);
    current = { letter: l, text: '' };
    from = m.index + m[0].length;
    next++;
  }
  current.text = rest.slice(from).trim();
  found.push(current);
  for (const f of found) {
    if (!f.text) {
      if (!d.broken) out.error(line, 'aiken.option_empty', { letter: f.letter });
      d.broken = true;
    }
    d.options.push({ letter: f.letter, text: f.text, line });
  }
}

function finish(d: Draft, value: string, line: number, out: QuestionCollector): QuestionInput | null {
  const stem = d.stem.join('\n').trim();
  const v = value.normalize('NFKC').trim();
  if (d.broken) return null;
  if (d.options.length === 0) {
    const word = v.toUpperCase().replace(/[。.]$/, '');
    const tf = TRUE_WORDS.includes(word) ? true : FALSE_WORDS.includes(word) ? false : undefined;
    if (tf === undefined) { out.error(line, 'aiken.options_min', { found: 0 }); return null; }
    const input: QuestionInput = { ...out.defaults(), type: 'true_false', stem, answer: tf };
    return out.add(input, d.line) ? input : null;
  }
  const letters = v.toUpperCase().replace(/[\s,;、/]+/g, '');
  if (!/^[A-Z]+$/.test(letters)) { out.error(line, 'aiken.bad_answer', { answer: value }); return null; }
  if (d.options.length < 2) { out.error(line, 'aiken.options_min', { found: d.options.length }); return null; }
  const chosen = [...new Set(letters)];
  const bad = chosen.find((l) => l.charCodeAt(0) - 65 >= d.options.length);
  if (bad) {
    out.error(line, 'aiken.answer_not_option', { letter: bad, letters: `A–${letterAt(d.options.length - 1)}` });
    return null;
  }
  const input: QuestionInput = {
    ...out.defaults(),
    type: chosen.length > 1 ? 'multiple_choice' : 'single_choice',
    stem,
    options: d.options.map((o) => ({ text: o.text, correct: chosen.includes(o.letter) })),
    ...(chosen.length > 1 ? { scoring: 'all_or_nothing' as const } : {}),
  };
  return out.add(input, d.line) ? input : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------------

export interface AikenExportOptions {
  /** `moodle`: `A. ` and `ANSWER: B`; `zh`: numbered stems, `A、`, `答案：B`, `解析：`. */
  style?: 'moodle' | 'zh';
}

/** Why a question cannot be written as Aiken, or null. */
export function aikenProblem(q: Question, style: 'moodle' | 'zh' = 'moodle'): string | null {
  if (q.type !== 'single_choice' && q.type !== 'multiple_choice') return 'Aiken holds choice questions only';
  if (q.options.length < 2 || q.options.length > 26) return 'Aiken needs 2 to 26 options';
  const correct = q.options.filter((o) => o.correct).length;
  if (correct === 0 || (q.type === 'single_choice' && correct !== 1)) return 'the correct options are not clear';
  if (q.type === 'multiple_choice' && correct === 1) return 'a multiple-choice question with one correct option reads back as single choice';
  const looksSpecial = (l: string) => OPTION.test(l.trim()) || ANSWER.test(l.trim()) || EXPLANATION.test(l.trim());
  const stemLines = q.stem.split('\n');
  if (stemLines.some(looksSpecial)) return 'a line of the stem looks like an option or an answer';
  if (style === 'moodle' && NUMBERING.test(stemLines[0].trim())) return 'the stem starts with a number that would be read as numbering';
  for (const o of q.options) {
    const lines = o.text.split('\n');
    if (lines.some((l) => l.trim() === '')) return 'an option has an empty line';
    if (lines.slice(1).some((l) => looksSpecial(l) || NUMBERING.test(l.trim()))) return 'a line of an option looks like an option, an answer or a number';
  }
  return null;
}

export function exportAiken(questions: Question[], opts: AikenExportOptions = {}): ExportResult {
  const style = opts.style ?? 'moodle';
  const chunks: string[] = [];
  const skipped: ExportSkip[] = [];
  questions.forEach((raw, index) => {
    const q = normaliseQuestion(raw);
    const problem = aikenProblem(q, style);
    if (problem || (q.type !== 'single_choice' && q.type !== 'multiple_choice')) {
      skipped.push(notExportable(index, q, 'Aiken', problem ?? ''));
      return;
    }
    const lines = [style === 'zh' ? `${chunks.length + 1}、${q.stem}` : q.stem];
    q.options.forEach((o, i) => lines.push(`${letterAt(i)}${style === 'zh' ? '、' : '. '}${o.text}`));
    const answer = q.options.map((o, i) => (o.correct ? letterAt(i) : '')).join('');
    lines.push(style === 'zh' ? `答案：${answer}` : `ANSWER: ${answer}`);
    if (style === 'zh' && q.explanation && !q.explanation.includes('\n')) lines.push(`解析：${q.explanation}`);
    chunks.push(lines.join('\n'));
  });
  return { text: chunks.join('\n\n') + (chunks.length ? '\n' : ''), skipped };
}
