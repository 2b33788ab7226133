/**
 * GIFT, as Moodle documents and implements it (question/format/gift), mapped to the canonical model.
 *
 * Reading
 * - Questions are separated by blank lines. Lines starting with `//` are comments. `$CATEGORY: path` sets the category
 *   of the questions that follow (a leading `$course$/`-style context and `top/` are dropped; an empty path clears it).
 * - `::name::` is the name; `[markdown]`, `[html]`, `[plain]` give the stem format, `[moodle]` maps to `plain` (Moodle's
 *   auto-format is plain text with line breaks); without a prefix the stem is markdown. Any other `[word]` prefix is an
 *   error (`gift.unknown_format`); a bracket holding something else (`[单选]`) is just text.
 * - Escapes `\~ \= \# \{ \} \: \\` give the character, `\n` a line break.
 * - The answer block decides the type, in Moodle's order: `{}` essay; `{#...}` numeric (`3:0.5`, `1..5`, several with
 *   `=%50%`, `~#feedback` for any other answer); a `~` means choice (single_choice when one answer is marked `=`,
 *   otherwise multiple_choice scored `partial` with the `%w%` weights, negatives allowed); `=a -> b` matching
 *   (`= -> x` is a distractor); `{T}`, `{TRUE}`, `{F}`, `{FALSE}` with `#wrong feedback#right feedback` true_false;
 *   anything else short answer.
 * - **Short answer (`{=a =b}`) becomes fill_blank with one blank**: the answer block is replaced by `{{1}}` where it
 *   stands (at the end of the stem, or in the middle for missing-word questions). Weights (`=%50%b`) and feedback are
 *   kept per accepted answer.
 * - Missing-word questions (block in the middle of the text) of the other types get `_____` where the block stood.
 * - Per-answer feedback follows `#`; general feedback (`####`) becomes `explanation`.
 * - Metadata in the comments before a question: Moodle's `[id:key]` and `[tag:name]`, and our own
 *   `// @meta {"points":2,"difficulty":3,...}` (JSON; fields points, difficulty, language, modules, scoring, rubric,
 *   modelAnswer, type: "short_answer"). Moodle ignores `@meta` lines, so exported files still import into Moodle.
 *
 * Writing: every type except ordering (no GIFT form) and fill_blank with more than one blank (GIFT short answer holds
 * one). short_answer (graded by a person) is written as a GIFT essay with `"type":"short_answer"` in `@meta`.
 * What `exportGift` writes, `parseGift` reads back into the same questions.
 */
import {
  blankMarkers, normaliseQuestion, type Question, type QuestionInput, type TextFormat,
} from '../question-model.js';
import {
  notExportable, QuestionCollector, readText, type ExportResult, type ExportSkip, type ParseOptions, type ParseResult,
} from './common.js';

// Escaped characters are swapped for private-use characters while parsing, then restored.
const ESCAPES: Record<string, string> = { ':': '\uE001', '#': '\uE002', '=': '\uE003', '{': '\uE004', '}': '\uE005', '~': '\uE006', n: '\uE007', '\\': '\uE008' };
const UNESCAPES: Record<string, string> = { '\uE001': ':', '\uE002': '#', '\uE003': '=', '\uE004': '{', '\uE005': '}', '\uE006': '~', '\uE007': '\n', '\uE008': '\\' };
const protect = (s: string) => s.replace(/\\([\\:#={}~n])/g, (_, c: string) => ESCAPES[c]);
const unprotect = (s: string) => s.replace(/[\uE001-\uE008]/g, (c) => UNESCAPES[c]);

const FORMATS: Record<string, TextFormat> = { markdown: 'markdown', html: 'html', plain: 'plain', moodle: 'plain' };
const BLANK = '_____';

export type GiftParseOptions = ParseOptions;

export function parseGift(input: string | Buffer, opts: GiftParseOptions = {}): ParseResult {
  const out = new QuestionCollector(opts);
  const read = readText(input);
  if (!read.ok) { out.errors.push(read.issue); return { questions: [], errors: out.errors }; }
  const lines = read.text.split(/\r\n|\r|\n/);
  let category: string | undefined;
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    category = parseBlock(lines.slice(start, end), start, category, out);
    start = -1;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') flush(i);
    else if (start < 0) start = i;
  });
  flush(lines.length);
  return out.result();
}

interface Meta { key?: string; tags: string[]; extra: Record<string, unknown> }

/** Parses one blank-line-separated block; returns the category in force after it. */
function parseBlock(blockLines: string[], first: number, category: string | undefined, out: QuestionCollector): string | undefined {
  const meta: Meta = { tags: [], extra: {} };
  const errorsAtStart = out.errors.length;
  const content = [...blockLines];
  let sawContent = false;
  blockLines.forEach((line, i) => {
    const t = line.trim();
    if (t.startsWith('//')) {
      content[i] = '';
      readComment(t, first + i + 1, meta, out);
      return;
    }
    if (!sawContent && t !== '') {
      sawContent = true;
      if (/^\$CATEGORY:/i.test(t)) {
        category = cleanCategory(t.slice('$CATEGORY:'.length));
        content[i] = '';
        sawContent = false; // a question may follow on the next line
      }
    }
  });
  const text = protect(content.join('\n'));
  if (text.trim() === '' || out.errors.length > errorsAtStart) return category;
  const lineAt = (offset: number) => first + 1 + (text.slice(0, offset).match(/\n/g)?.length ?? 0);

  let pos = text.search(/\S/);
  const questionLine = lineAt(pos);
  let name: string | undefined;
  if (text.startsWith('::', pos)) {
    const end = text.indexOf('::', pos + 2);
    if (end < 0) { out.error(questionLine, 'gift.unterminated_name'); return category; }
    name = unprotect(text.slice(pos + 2, end)).trim() || undefined;
    pos = end + 2;
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  }
  let stemFormat: TextFormat = 'markdown';
  const prefix = /^\[([^\]\n]*)\]/.exec(text.slice(pos));
  if (prefix) {
    const f = prefix[1].trim().toLowerCase();
    if (FORMATS[f]) { stemFormat = FORMATS[f]; pos += prefix[0].length; } else if (/^[a-z]+$/i.test(prefix[1])) {
      out.error(lineAt(pos), 'gift.unknown_format', { format: prefix[1] });
      return category;
    }
  }

  const rest = text.slice(pos);
  const at = (offset: number) => lineAt(pos + offset);
  const open = rest.indexOf('{');
  const close = rest.indexOf('}');
  if (open < 0 && close < 0) { out.error(questionLine, 'gift.no_answer_block'); return category; }
  if (close >= 0 && (open < 0 || close < open)) { out.error(at(close), 'gift.unmatched_brace'); return category; }
  if (close < 0) { out.error(at(open), 'gift.unterminated_block'); return category; }
  const nested = rest.indexOf('{', open + 1);
  if (nested >= 0 && nested < close) { out.error(at(open), 'gift.unterminated_block'); return category; }
  const extraOpen = rest.indexOf('{', close + 1);
  const extraClose = rest.indexOf('}', close + 1);
  if (extraOpen >= 0 || extraClose >= 0) {
    const o = extraOpen >= 0 && (extraClose < 0 || extraOpen < extraClose) ? extraOpen : extraClose;
    out.error(at(o), 'gift.multiple_blocks');
    return category;
  }

  const before = rest.slice(0, open);
  const after = rest.slice(close + 1);
  const missingWord = after.trim() !== '';
  let answer = rest.slice(open + 1, close);
  const answerOffset = pos + open + 1;
  let explanation: string | undefined;
  const gf = answer.lastIndexOf('####');
  if (gf >= 0) {
    explanation = cleanText(answer.slice(gf + 4));
    answer = answer.slice(0, gf);
  }

  const errorsBefore = out.errors.length;
  const body = parseAnswer(answer, answerOffset, lineAt, questionLine, out);
  if (!body || out.errors.length > errorsBefore) return category;

  const placeholder = body.type === 'fill_blank' ? '{{1}}' : missingWord ? BLANK : '';
  const stem = unprotect(before + placeholder + after).trim();
  const x = meta.extra;
  const input = {
    ...out.defaults(),
    ...(meta.key ? { key: meta.key } : {}),
    ...(name ? { name } : {}),
    stem,
    stemFormat,
    tags: meta.tags,
    ...(category ? { category } : {}),
    ...(explanation ? { explanation } : {}),
    ...pick(x, ['points', 'difficulty', 'language', 'modules']),
    ...body,
  } as QuestionInput;
  if (body.type === 'multiple_choice' && x.scoring !== undefined) input.scoring = x.scoring as QuestionInput['scoring'];
  if (body.type === 'essay') {
    if (x.type === 'short_answer') input.type = 'short_answer';
    Object.assign(input, pick(x, ['rubric', 'modelAnswer']));
  }
  out.add(input, questionLine);
  return category;
}

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

function readComment(t: string, line: number, meta: Meta, out: QuestionCollector) {
  const m = /^\/\/\s*@meta\s+(.*)$/.exec(t);
  if (m) {
    try {
      const v: unknown = JSON.parse(m[1]);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      Object.assign(meta.extra, v);
    } catch {
      out.error(line, 'gift.bad_meta');
    }
    return;
  }
  for (const tok of t.matchAll(/\[(id|tag):((?:\\\]|[^\]\n])+)\]/g)) {
    const value = tok[2].replace(/\\\]/g, ']').trim();
    if (!value) continue;
    if (tok[1] === 'id') meta.key ??= value;
    else meta.tags.push(value);
  }
}

function cleanCategory(raw: string): string | undefined {
  let c = raw.trim().replace(/^\$[a-z0-9]+\$\//i, '').replace(/^top(\/|$)/, '').trim();
  c = c.split('/').map((s) => s.trim()).filter(Boolean).join('/');
  return c || undefined;
}

/** A text inside the answer block: drops a known format prefix, restores escapes, trims. */
function cleanText(s: string): string {
  const t = s.trim();
  const m = /^\[([a-z]+)\]/i.exec(t);
  const body = m && FORMATS[m[1].toLowerCase()] ? t.slice(m[0].length) : t;
  return unprotect(body).trim();
}

/** Splits `text` at each marker character, keeping where each piece starts. The piece before the first marker has marker ''. */
function splitAt(text: string, markers: string): { marker: string; body: string; offset: number }[] {
  const pieces: { marker: string; body: string; offset: number }[] = [];
  let cur = { marker: '', body: '', offset: 0 };
  for (let i = 0; i < text.length; i++) {
    if (markers.includes(text[i])) {
      pieces.push(cur);
      cur = { marker: text[i], body: '', offset: i };
    } else cur.body += text[i];
  }
  pieces.push(cur);
  if (pieces[0].marker === '' && pieces[0].body.trim() === '') pieces.shift();
  return pieces;
}

/** Reads a leading `%w%` weight. */
function readWeight(body: string): { weight?: number; rest: string; bad?: string } {
  const t = body.trimStart();
  if (!t.startsWith('%')) return { rest: t };
  const m = /^%([^%]*)%/.exec(t);
  if (!m) return { rest: t, bad: t.slice(0, 12) };
  const raw = unprotect(m[1]).trim();
  if (!/^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(raw) || Math.abs(Number(raw)) > 100) return { rest: t, bad: raw };
  return { weight: Number(raw), rest: t.slice(m[0].length) };
}

function splitFeedback(s: string): { text: string; feedback?: string } {
  const i = s.indexOf('#');
  if (i < 0) return { text: cleanText(s) };
  const feedback = cleanText(s.slice(i + 1));
  return { text: cleanText(s.slice(0, i)), ...(feedback ? { feedback } : {}) };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseAnswer(
  answer: string, base: number, lineAt: (o: number) => number, questionLine: number, out: QuestionCollector,
): Partial<QuestionInput> & { type: string } | null {
  const trimmedAnswer = answer.trim();
  const lineOf = (offset: number) => lineAt(base + offset);

  if (trimmedAnswer === '') return { type: 'essay' };

  if (trimmedAnswer.startsWith('#')) {
    const hash = answer.indexOf('#');
    let body = answer.slice(hash + 1);
    const bodyBase = hash + 1;
    let ok = true;
    let incorrectFeedback: string | undefined;
    const tilde = body.indexOf('~');
    if (tilde >= 0) {
      const wrong = body.slice(tilde + 1);
      const h = wrong.indexOf('#');
      incorrectFeedback = h >= 0 ? cleanText(wrong.slice(h + 1)) || undefined : undefined;
      body = body.slice(0, tilde);
    }
    const answers: Record<string, unknown>[] = [];
    for (const piece of splitAt(body, '=')) {
      const line = lineOf(bodyBase + piece.offset);
      const w = readWeight(piece.body);
      if (w.bad !== undefined) { out.error(line, 'gift.bad_weight', { weight: w.bad }); ok = false; continue; }
      const { text, feedback } = splitFeedback(w.rest);
      if (text === '') { out.error(line, 'gift.option_empty'); ok = false; continue; }
      const a: Record<string, unknown> = {};
      const range = text.indexOf('..');
      const colon = text.indexOf(':');
      const nums = range > 0 ? [text.slice(0, range), text.slice(range + 2)] : colon > 0 ? [text.slice(0, colon), text.slice(colon + 1)] : [text];
      const bad = nums.map((n) => n.trim()).find((n) => !NUMBER.test(n));
      if (bad !== undefined) { out.error(line, 'gift.bad_number', { value: unprotect(bad) }); ok = false; continue; }
      if (range > 0) { a.min = Number(nums[0].trim()); a.max = Number(nums[1].trim()); } else { a.value = Number(nums[0].trim()); a.tolerance = nums[1] ? Number(nums[1].trim()) : 0; }
      a.weight = w.weight ?? 100;
      if (feedback) a.feedback = feedback;
      answers.push(a);
    }
    if (!ok) return null;
    if (answers.length === 0) { out.error(questionLine, 'gift.numeric_no_answers'); return null; }
    return { type: 'numeric', answers: answers as QuestionInput['answers'], ...(incorrectFeedback ? { incorrectFeedback } : {}) };
  }

  if (answer.includes('~')) {
    const single = answer.includes('=');
    const options: { text: string; weight: number; feedback?: string }[] = [];
    let ok = true;
    for (const piece of splitAt(answer, '~=')) {
      const line = lineOf(piece.offset);
      let weight = piece.marker === '=' ? 100 : 0;
      const w = readWeight(piece.body);
      if (w.bad !== undefined) { out.error(line, 'gift.bad_weight', { weight: w.bad }); ok = false; continue; }
      if (w.weight !== undefined) weight = w.weight;
      const { text, feedback } = splitFeedback(w.rest);
      if (text === '') { out.error(line, 'gift.option_empty'); ok = false; continue; }
      options.push({ text, weight, ...(feedback ? { feedback } : {}) });
    }
    if (!ok) return null;
    if (options.length < 2) { out.error(questionLine, 'gift.options_min'); return null; }
    return single
      ? { type: 'single_choice', options: options.map((o) => ({ ...o, correct: o.weight === 100 })) }
      : { type: 'multiple_choice', scoring: 'partial', options: options.map((o) => ({ ...o, correct: o.weight > 0 })) };
  }

  if (answer.includes('=') && answer.includes('->')) {
    const pairs: { left: string; right: string }[] = [];
    const distractors: string[] = [];
    let ok = true;
    for (const piece of splitAt(answer, '=')) {
      const line = lineOf(piece.offset);
      const arrow = piece.body.indexOf('->');
      if (arrow < 0) { out.error(line, 'gift.matching_format'); ok = false; continue; }
      const left = cleanText(piece.body.slice(0, arrow));
      const right = cleanText(piece.body.slice(arrow + 2));
      if (right === '') { out.error(line, 'gift.option_empty'); ok = false; continue; }
      if (left === '') distractors.push(right);
      else pairs.push({ left, right });
    }
    if (!ok) return null;
    if (pairs.length < 2) { out.error(questionLine, 'gift.matching_min'); return null; }
    return { type: 'matching', pairs, ...(distractors.length ? { distractors } : {}) };
  }

  const tfCheck = trimmedAnswer.split('#')[0].trim();
  if (['T', 'TRUE', 'F', 'FALSE'].includes(tfCheck)) {
    const parts = trimmedAnswer.split('#');
    const wrong = parts[1];
    const right = parts.length > 2 ? parts.slice(2).join('#') : undefined;
    const value = tfCheck.startsWith('T');
    const w = wrong !== undefined ? cleanText(wrong) || undefined : undefined;
    const r = right !== undefined ? cleanText(right) || undefined : undefined;
    return {
      type: 'true_false', answer: value,
      ...((value ? r : w) ? { feedbackTrue: value ? r : w } : {}),
      ...((value ? w : r) ? { feedbackFalse: value ? w : r } : {}),
    };
  }

  // Short answer → fill_blank with one blank.
  const answers: (string | { text: string; weight: number; feedback?: string })[] = [];
  let ok = true;
  for (const piece of splitAt(answer, '=')) {
    const line = lineOf(piece.offset);
    const w = readWeight(piece.body);
    if (w.bad !== undefined) { out.error(line, 'gift.bad_weight', { weight: w.bad }); ok = false; continue; }
    const { text, feedback } = splitFeedback(w.rest);
    if (text === '') { out.error(line, 'gift.option_empty'); ok = false; continue; }
    answers.push({ text, weight: w.weight ?? 100, ...(feedback ? { feedback } : {}) });
  }
  if (!ok) return null;
  if (answers.length === 0) { out.error(questionLine, 'gift.option_empty'); return null; }
  return { type: 'fill_blank', blanks: [{ answers }] };
}

// ---------------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/\r\n?/g, '\n').replace(/[\\:#={}~]/g, '\\$&').replace(/\n/g, '\\n');
/** An answer-block text: escaped, and guarded so that a text starting with `[html]` is not read as a prefix. */
const escA = (s: string, format: TextFormat) => (/^\[[a-z]+\]/i.test(s) ? `[${format}]` : '') + esc(s);
const num = (n: number) => String(n);

/** Why a question cannot be written as GIFT, or null. */
export function giftProblem(q: Question): string | null {
  const startsWithPercent = (s: string) => s.trimStart().startsWith('%');
  switch (q.type) {
    case 'ordering':
      return 'ordering questions have no GIFT form';
    case 'fill_blank': {
      if (q.blanks.length !== 1 || blankMarkers(q.stem).length !== 1) return 'GIFT short answer holds exactly one blank';
      const texts = q.blanks[0].answers.map((a) => (typeof a === 'string' ? a : a.text));
      if (texts.some((t) => t.includes('->'))) return 'an accepted answer contains "->"';
      if (texts.some(startsWithPercent)) return 'an accepted answer starts with "%"';
      return null;
    }
    case 'single_choice':
    case 'multiple_choice':
      if (q.options.length < 2) return 'fewer than two options';
      if (q.type === 'single_choice' && q.options.filter((o) => o.weight === 100).length !== 1) return 'a single-choice question needs exactly one correct option';
      if (q.options.some((o) => startsWithPercent(o.text))) return 'an option starts with "%"';
      return null;
    case 'matching':
      if (q.pairs.some((p) => p.left.includes('->') || !p.left.trim())) return 'a left item is empty or contains "->"';
      if (q.pairs.length < 2) return 'fewer than two pairs';
      return null;
    case 'numeric':
      return q.answers.length === 0 ? 'no answers' : null;
    default:
      return null;
  }
}

export function exportGift(questions: Question[]): ExportResult {
  const chunks: string[] = [];
  const skipped: ExportSkip[] = [];
  let category: string | undefined;
  questions.forEach((raw, index) => {
    const q = normaliseQuestion(raw);
    const problem = giftProblem(q);
    if (problem) { skipped.push(notExportable(index, q, 'GIFT', problem)); return; }
    if ((q.category ?? '') !== (category ?? '')) {
      chunks.push(`$CATEGORY: ${q.category ?? ''}`);
      category = q.category;
    }
    chunks.push(writeQuestion(q));
  });
  return { text: chunks.join('\n\n') + (chunks.length ? '\n' : ''), skipped };
}

function writeQuestion(q: Question): string {
  const lines: string[] = [];
  const tokens = [
    ...(q.key ? [`[id:${q.key.replace(/\]/g, '\\]')}]`] : []),
    ...q.tags.map((t) => `[tag:${t.replace(/\]/g, '\\]')}]`),
  ];
  if (tokens.length) lines.push(`// ${tokens.join(' ')}`);
  const meta: Record<string, unknown> = { points: q.points, difficulty: q.difficulty };
  if (q.language) meta.language = q.language;
  if (q.modules.length) meta.modules = q.modules;
  if (q.type === 'multiple_choice') meta.scoring = q.scoring;
  if (q.type === 'short_answer') meta.type = 'short_answer';
  if (q.type === 'short_answer' || q.type === 'essay') {
    if (q.rubric) meta.rubric = q.rubric;
    if (q.modelAnswer) meta.modelAnswer = q.modelAnswer;
  }
  lines.push(`// @meta ${JSON.stringify(meta)}`);

  const f = q.stemFormat;
  const gf = q.explanation ? `\t####${escA(q.explanation, f)}\n` : '';
  let block: string;
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice':
      block = '{\n' + q.options.map((o) => {
        const mark = q.type === 'single_choice' && o.weight === 100 ? '=' : o.weight === 0 ? '~' : `~%${num(o.weight)}%`;
        return `\t${mark}${escA(o.text, f)}${o.feedback ? `#${escA(o.feedback, f)}` : ''}\n`;
      }).join('') + gf + '}';
      break;
    case 'true_false': {
      const right = q.answer ? q.feedbackTrue : q.feedbackFalse;
      const wrong = q.answer ? q.feedbackFalse : q.feedbackTrue;
      block = `{${q.answer ? 'TRUE' : 'FALSE'}${wrong || right ? `#${wrong ? escA(wrong, f) : ''}` : ''}${right ? `#${escA(right, f)}` : ''}${q.explanation ? `####${escA(q.explanation, f)}` : ''}}`;
      break;
    }
    case 'fill_blank':
      block = '{\n' + q.blanks[0].answers.map((a) => {
        const w = typeof a === 'string' ? { text: a, weight: 100 } : a;
        return `\t=${w.weight !== 100 ? `%${num(w.weight)}%` : ''}${escA(w.text, f)}${w.feedback ? `#${escA(w.feedback, f)}` : ''}\n`;
      }).join('') + gf + '}';
      break;
    case 'numeric':
      block = '{#\n' + q.answers.map((a) => {
        const v = 'min' in a ? `${num(a.min)}..${num(a.max)}` : `${num(a.value)}:${num(a.tolerance)}`;
        return `\t=${a.weight !== 100 ? `%${num(a.weight)}%` : ''}${v}${a.feedback ? `#${escA(a.feedback, f)}` : ''}\n`;
      }).join('') + (q.incorrectFeedback ? `\t~#${escA(q.incorrectFeedback, f)}\n` : '') + gf + '}';
      break;
    case 'matching':
      block = '{\n' + q.pairs.map((p) => `\t=${escA(p.left, f)} -> ${esc(p.right)}\n`).join('')
        + (q.distractors ?? []).map((d) => `\t= -> ${esc(d)}\n`).join('') + gf + '}';
      break;
    case 'short_answer':
    case 'essay':
      block = q.explanation ? `{####${escA(q.explanation, f)}}` : '{}';
      break;
    default:
      block = '{}';
  }

  let head = `${q.name ? `::${esc(q.name)}::` : ''}[${f}]`;
  if (q.type === 'fill_blank') {
    const i = q.stem.search(/\{\{\s*1\s*\}\}/);
    const m = /\{\{\s*1\s*\}\}/.exec(q.stem)!;
    head += esc(q.stem.slice(0, i)) + block + esc(q.stem.slice(i + m[0].length));
  } else {
    const blanks = [...q.stem.matchAll(/(?<!_)_____(?!_)/g)];
    const mid = blanks.length === 1 ? blanks[0].index! : -1;
    if (mid >= 0 && q.stem.slice(mid + BLANK.length).trim() !== '') {
      head += esc(q.stem.slice(0, mid)) + block + esc(q.stem.slice(mid + BLANK.length));
    } else head += esc(q.stem) + block;
  }
  lines.push(head);
  return lines.join('\n');
}
