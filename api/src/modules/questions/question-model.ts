/**
 * The canonical question model of the question bank.
 *
 * It represents exactly the JSON of `content/questions/*.json` (docs/CONTENT.md, "Question bank files"), plus what
 * GIFT needs: option weights in percent (-100..100), per-answer feedback, weighted alternative answers for blanks and
 * numeric answers, a question name, a stem format and the "any other answer" feedback of numeric questions.
 *
 * - `QuestionInput` is what authors write (options may say `correct: true` instead of giving weights).
 * - `normaliseQuestion(input)` turns it into a `Question`: weights filled, defaults set, strings trimmed, fields that
 *   do not belong to the type dropped. It never throws: values of the wrong kind are kept so that the validator can
 *   name them.
 * - `validateQuestion(q)` returns a list of `{ path, code, params }` issues; `questionMessages` has zh and en texts for
 *   every code used here and by the import formats (`{name}` placeholders are filled from params, as `t()` does).
 */
import { Type, type Static } from '@sinclair/typebox';

export const QUESTION_TYPES = [
  'single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'short_answer', 'essay',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
/** Types a person must grade. */
export const MANUALLY_GRADED_TYPES: readonly QuestionType[] = ['short_answer', 'essay'];
export const TEXT_FORMATS = ['markdown', 'html', 'plain'] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];
export const LANGUAGES = ['zh', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const MULTIPLE_SCORING = ['all_or_nothing', 'partial'] as const;
export type MultipleScoring = (typeof MULTIPLE_SCORING)[number];

// ---------------------------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------------------------

export interface QuestionCommon {
  /** Stable id, unique in the bank, the same in both languages (`so-001`). Optional for imported questions. */
  key?: string;
  /** Optional short title (GIFT `::name::`). */
  name?: string;
  type: QuestionType;
  /** The question; markdown unless `stemFormat` says otherwise. */
  stem: string;
  stemFormat: TextFormat;
  /** Points for a fully correct answer, > 0. */
  points: number;
  /** 1 (easy) to 5 (hard). */
  difficulty: number;
  language?: Lang;
  tags: string[];
  /** Ids of the modules the question tests (front-matter `id`s). */
  modules: string[];
  /** A path in the category tree, `/` between levels. */
  category?: string;
  /** General feedback shown after the attempt (GIFT `####`). */
  explanation?: string;
}

export interface ChoiceOption {
  text: string;
  /** single_choice: the option worth 100 %; multiple_choice: any option with a positive weight. */
  correct: boolean;
  /** Percent of the points this option is worth, -100..100. */
  weight: number;
  feedback?: string;
}

export interface SingleChoiceQuestion extends QuestionCommon {
  type: 'single_choice';
  options: ChoiceOption[];
}

export interface MultipleChoiceQuestion extends QuestionCommon {
  type: 'multiple_choice';
  /** all_or_nothing: full points only for exactly the correct set; partial: sum of chosen weights, clamped to 0..100 %. */
  scoring: MultipleScoring;
  options: ChoiceOption[];
}

export interface TrueFalseQuestion extends QuestionCommon {
  type: 'true_false';
  answer: boolean;
  /** Shown when the learner answers "true". */
  feedbackTrue?: string;
  /** Shown when the learner answers "false". */
  feedbackFalse?: string;
}

/** An accepted answer worth less than full marks, or one with its own feedback (from GIFT `=%50%answer#feedback`). */
export interface WeightedAnswer {
  text: string;
  /** Percent of the blank's share, 0..100. */
  weight: number;
  feedback?: string;
}
/** A plain string is an accepted answer worth 100 %. */
export type BlankAnswer = string | WeightedAnswer;
export interface Blank {
  answers: BlankAnswer[];
}

export interface FillBlankQuestion extends QuestionCommon {
  type: 'fill_blank';
  /** `blanks[i]` belongs to the `{{i+1}}` marker in the stem. */
  blanks: Blank[];
}

interface NumericAnswerBase {
  /** Percent of the points, 0..100 (100 unless said otherwise). */
  weight: number;
  feedback?: string;
}
export interface NumericValueAnswer extends NumericAnswerBase { value: number; tolerance: number }
export interface NumericRangeAnswer extends NumericAnswerBase { min: number; max: number }
export type NumericAnswer = NumericValueAnswer | NumericRangeAnswer;

export interface NumericQuestion extends QuestionCommon {
  type: 'numeric';
  answers: NumericAnswer[];
  /** Feedback for any answer that matches none of `answers` (GIFT `~#feedback`). */
  incorrectFeedback?: string;
}

export interface MatchingPair { left: string; right: string }
export interface MatchingQuestion extends QuestionCommon {
  type: 'matching';
  pairs: MatchingPair[];
  /** Extra right-hand answers that belong to no left item. */
  distractors?: string[];
}

export interface OrderingQuestion extends QuestionCommon {
  type: 'ordering';
  /** In the correct order. */
  items: string[];
}

export interface ShortAnswerQuestion extends QuestionCommon {
  type: 'short_answer';
  /** What earns the points (markdown). Required in the bank. */
  rubric?: string;
  modelAnswer?: string;
}

export interface EssayQuestion extends QuestionCommon {
  type: 'essay';
  rubric?: string;
  modelAnswer?: string;
}

export type Question =
  | SingleChoiceQuestion | MultipleChoiceQuestion | TrueFalseQuestion | FillBlankQuestion | NumericQuestion
  | MatchingQuestion | OrderingQuestion | ShortAnswerQuestion | EssayQuestion;
export type QuestionOfType<T extends QuestionType> = Extract<Question, { type: T }>;

/** What authors write: the CONTENT.md JSON. Options may carry `correct` instead of `weight`; defaults may be left out. */
export type QuestionInput = {
  key?: string; name?: string; type: QuestionType | string; stem: string; stemFormat?: TextFormat;
  points?: number; difficulty?: number; language?: Lang; tags?: string[]; modules?: string[]; category?: string;
  explanation?: string; scoring?: MultipleScoring;
  options?: { text: string; correct?: boolean; weight?: number; feedback?: string }[];
  answer?: boolean; feedbackTrue?: string; feedbackFalse?: string;
  blanks?: { answers: (string | { text: string; weight?: number; feedback?: string })[] }[];
  answers?: (
    | { value: number; tolerance?: number; weight?: number; feedback?: string }
    | { min: number; max: number; weight?: number; feedback?: string }
  )[];
  incorrectFeedback?: string;
  pairs?: MatchingPair[]; distractors?: string[]; items?: string[]; rubric?: string; modelAnswer?: string;
};

/** The accepted answers of a blank with their weights. */
export function blankAnswers(blank: Blank): WeightedAnswer[] {
  return blank.answers.map((a) => (typeof a === 'string' ? { text: a, weight: 100 } : a));
}

/** The blank numbers (`{{n}}`) in a stem, in order of appearance. */
export function blankMarkers(stem: string): number[] {
  return [...stem.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
}

// ---------------------------------------------------------------------------------------------------------------
// TypeBox schema (the JSON an author or the API may send; weights or `correct`, defaults optional)
// ---------------------------------------------------------------------------------------------------------------

const Str = Type.String();
const OptStr = Type.Optional(Type.String());
const commonSchema = {
  key: OptStr,
  name: OptStr,
  stem: Type.String({ minLength: 1 }),
  stemFormat: Type.Optional(Type.Union(TEXT_FORMATS.map((f) => Type.Literal(f)))),
  points: Type.Number({ exclusiveMinimum: 0 }),
  difficulty: Type.Integer({ minimum: 1, maximum: 5 }),
  language: Type.Optional(Type.Union(LANGUAGES.map((l) => Type.Literal(l)))),
  tags: Type.Optional(Type.Array(Str)),
  modules: Type.Optional(Type.Array(Str)),
  category: OptStr,
  explanation: OptStr,
};
const OptionSchema = Type.Object({
  text: Type.String({ minLength: 1 }),
  correct: Type.Optional(Type.Boolean()),
  weight: Type.Optional(Type.Number({ minimum: -100, maximum: 100 })),
  feedback: OptStr,
});
const NumericAnswerSchema = Type.Union([
  Type.Object({ value: Type.Number(), tolerance: Type.Optional(Type.Number({ minimum: 0 })), weight: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })), feedback: OptStr }),
  Type.Object({ min: Type.Number(), max: Type.Number(), weight: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })), feedback: OptStr }),
]);
const typed = <T extends QuestionType>(type: T, props: Parameters<typeof Type.Object>[0]) =>
  Type.Object({ type: Type.Literal(type), ...commonSchema, ...props });

export const QuestionSchema = Type.Union([
  typed('single_choice', { options: Type.Array(OptionSchema, { minItems: 2 }) }),
  typed('multiple_choice', {
    scoring: Type.Optional(Type.Union(MULTIPLE_SCORING.map((s) => Type.Literal(s)))),
    options: Type.Array(OptionSchema, { minItems: 2 }),
  }),
  typed('true_false', { answer: Type.Boolean(), feedbackTrue: OptStr, feedbackFalse: OptStr }),
  typed('fill_blank', {
    blanks: Type.Array(Type.Object({
      answers: Type.Array(Type.Union([
        Type.String({ minLength: 1 }),
        Type.Object({ text: Type.String({ minLength: 1 }), weight: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })), feedback: OptStr }),
      ]), { minItems: 1 }),
    }), { minItems: 1 }),
  }),
  typed('numeric', { answers: Type.Array(NumericAnswerSchema, { minItems: 1 }), incorrectFeedback: OptStr }),
  typed('matching', {
    pairs: Type.Array(Type.Object({ left: Type.String({ minLength: 1 }), right: Type.String({ minLength: 1 }) }), { minItems: 2 }),
    distractors: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  }),
  typed('ordering', { items: Type.Array(Type.String({ minLength: 1 }), { minItems: 2 }) }),
  typed('short_answer', { rubric: OptStr, modelAnswer: OptStr }),
  typed('essay', { rubric: OptStr, modelAnswer: OptStr }),
]);
export type QuestionSchemaType = Static<typeof QuestionSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------------------------

export interface NormaliseOptions {
  /** Language for questions that do not say (a bank file's `language`). */
  language?: Lang;
}

type Loose = Record<string, unknown>;
const isObj = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const trimmed = (v: unknown): unknown => (typeof v === 'string' ? v.trim() : v);
/** An optional text: trimmed, dropped when empty. */
const optText = (v: unknown): unknown => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return v;
  const s = v.trim();
  return s === '' ? undefined : s;
};
const round5 = (n: number) => Math.round(n * 1e5) / 1e5;

/** Removes keys whose value is undefined (so normalised questions compare and serialise cleanly). */
function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const mapArray = <T>(v: unknown, f: (x: unknown) => T): T[] | unknown => (Array.isArray(v) ? v.map(f) : v);

/**
 * Fills weights and defaults and drops fields that do not belong to the type. Idempotent: normalising a normalised
 * question gives an equal question.
 *
 * Weights from `correct`: single_choice 100 for the correct option, 0 for the others; multiple_choice shares +100
 * equally among the correct options and -100 equally among the wrong ones (rounded to 5 decimals, as Moodle does).
 * Defaults: stemFormat markdown, tags and modules [], multiple_choice scoring all_or_nothing, numeric tolerance 0 and
 * weight 100. Points and difficulty are not defaulted (the bank must state them; importers set them).
 */
export function normaliseQuestion(input: QuestionInput | unknown, opts: NormaliseOptions = {}): Question {
  const i: Loose = isObj(input) ? input : {};
  const common = clean({
    key: optText(i.key),
    name: optText(i.name),
    type: i.type,
    stem: trimmed(i.stem ?? ''),
    stemFormat: i.stemFormat ?? 'markdown',
    points: i.points,
    difficulty: i.difficulty,
    language: i.language ?? opts.language,
    tags: mapArray(i.tags ?? [], trimmed),
    modules: mapArray(i.modules ?? [], trimmed),
    category: optText(i.category),
    explanation: optText(i.explanation),
  }) as Loose;

  switch (i.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const options = normaliseOptions(i.type, i.options);
      if (i.type === 'single_choice') return { ...common, options } as unknown as Question;
      return { ...common, scoring: i.scoring ?? 'all_or_nothing', options } as unknown as Question;
    }
    case 'true_false':
      return clean({ ...common, answer: i.answer, feedbackTrue: optText(i.feedbackTrue), feedbackFalse: optText(i.feedbackFalse) }) as unknown as Question;
    case 'fill_blank':
      return {
        ...common,
        blanks: mapArray(i.blanks, (b) => (isObj(b) ? { answers: mapArray(b.answers, normaliseBlankAnswer) } : b)),
      } as unknown as Question;
    case 'numeric':
      return clean({
        ...common,
        answers: mapArray(i.answers, (a) => {
          if (!isObj(a)) return a;
          const out: Loose = {};
          if ('value' in a) { out.value = a.value; out.tolerance = a.tolerance ?? 0; }
          if ('min' in a || 'max' in a) { out.min = a.min; out.max = a.max; }
          out.weight = a.weight ?? 100;
          out.feedback = optText(a.feedback);
          return clean(out);
        }),
        incorrectFeedback: optText(i.incorrectFeedback),
      }) as unknown as Question;
    case 'matching': {
      const distractors = mapArray(i.distractors ?? [], trimmed);
      return clean({
        ...common,
        pairs: mapArray(i.pairs, (p) => (isObj(p) ? { left: trimmed(p.left), right: trimmed(p.right) } : p)),
        distractors: Array.isArray(distractors) && distractors.length === 0 ? undefined : distractors,
      }) as unknown as Question;
    }
    case 'ordering':
      return { ...common, items: mapArray(i.items, trimmed) } as unknown as Question;
    case 'short_answer':
    case 'essay':
      return clean({ ...common, rubric: optText(i.rubric), modelAnswer: optText(i.modelAnswer) }) as unknown as Question;
    default:
      return common as unknown as Question;
  }
}

function normaliseBlankAnswer(a: unknown): unknown {
  if (typeof a === 'string') return a.trim();
  if (!isObj(a)) return a;
  const weight = a.weight ?? 100;
  const feedback = optText(a.feedback);
  if (weight === 100 && feedback === undefined) return trimmed(a.text);
  return clean({ text: trimmed(a.text), weight, feedback });
}

function normaliseOptions(type: 'single_choice' | 'multiple_choice', raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw;
  const opts: Loose[] = raw.map((o) => (isObj(o) ? o : { text: o }));
  const hasWeight = (o: Loose) => typeof o.weight === 'number';
  const isCorrect = (o: Loose) => o.correct === true;
  const nCorrect = opts.filter((o) => !hasWeight(o) && isCorrect(o)).length + opts.filter((o) => hasWeight(o) && (o.weight as number) > 0).length;
  const nWrong = opts.length - nCorrect;
  return opts.map((o) => {
    let weight: unknown = o.weight;
    if (!hasWeight(o)) {
      if (type === 'single_choice') weight = isCorrect(o) ? 100 : 0;
      else weight = isCorrect(o) ? round5(100 / Math.max(nCorrect, 1)) : nWrong > 0 ? round5(-100 / nWrong) : 0;
      if (weight === 0) weight = 0; // no -0
    }
    let correct: unknown = o.correct;
    if (typeof correct !== 'boolean') correct = typeof weight === 'number' && (type === 'single_choice' ? weight === 100 : weight > 0);
    return clean({ text: trimmed(o.text ?? ''), correct, weight, feedback: optText(o.feedback) });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

export interface QuestionIssue {
  /** Dotted path of the field: `options.2.text`, `blanks.0.answers`. Empty for the question as a whole. */
  path: string;
  /** A stable key into `questionMessages`. */
  code: string;
  params: Record<string, unknown>;
}

export interface Limits {
  singleOptions: [number, number];
  multipleOptions: [number, number];
  multipleCorrectMin: number;
  pairs: [number, number];
  items: [number, number];
  requireKey: boolean;
  requireCategory: boolean;
  requireModules: boolean;
  requireRubric: boolean;
}

/**
 * `bank`: the rules of docs/CONTENT.md (single choice 3 to 5 options, multiple choice two or more correct, matching 3
 * to 6 pairs, ordering 3 to 7 items, key, category, modules and rubric required). CONTENT.md says multiple choice
 * options are "as above"; the bank allows 3 to 6 (six-option multiple choice is common in the department's exams).
 * `import`: what a question needs to be usable at all (as Moodle requires): two options, one correct, two pairs,
 * two items; key, category, modules and rubric optional.
 */
export const LIMITS: Record<'bank' | 'import', Limits> = {
  bank: {
    singleOptions: [3, 5], multipleOptions: [3, 6], multipleCorrectMin: 2, pairs: [3, 6], items: [3, 7],
    requireKey: true, requireCategory: true, requireModules: true, requireRubric: true,
  },
  import: {
    singleOptions: [2, 26], multipleOptions: [2, 26], multipleCorrectMin: 1, pairs: [2, 26], items: [2, 26],
    requireKey: false, requireCategory: false, requireModules: false, requireRubric: false,
  },
};

export interface ValidateOptions {
  mode?: 'bank' | 'import';
  /** When given, every id in `modules` must be one of these. */
  moduleIds?: ReadonlySet<string>;
}

export const MAX_STEM = 20_000;
export const MAX_TEXT = 10_000;
export const MAX_KEY = 100;
export const MAX_NAME = 255;
export const MAX_TAG = 50;
export const MAX_TAGS = 20;
export const MAX_POINTS = 100;
const KEY_PATTERN = /^[^\s/\\]+$/;
const MODULE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Checks a (normalised) question. Never throws, whatever it is given. */
export function validateQuestion(q: unknown, opts: ValidateOptions = {}): QuestionIssue[] {
  const limits = LIMITS[opts.mode ?? 'bank'];
  const issues: QuestionIssue[] = [];
  const add = (path: string, code: string, params: Record<string, unknown> = {}) => issues.push({ path, code, params });
  if (!isObj(q)) { add('', 'field.type', { type: 'object' }); return issues; }

  /** A required, non-empty string of at most `max` characters. Returns true when it is one. */
  const text = (path: string, v: unknown, max: number, required = true): v is string => {
    if (v === undefined || v === null || v === '') { if (required) add(path, 'field.required'); return false; }
    if (typeof v !== 'string') { add(path, 'field.type', { type: 'string' }); return false; }
    if (v.trim() === '') { if (required) add(path, 'field.required'); return false; }
    if (v.length > max) { add(path, 'field.max_length', { limit: max }); return false; }
    return true;
  };
  const array = (path: string, v: unknown, required = true): v is unknown[] => {
    if (v === undefined || v === null) { if (required) add(path, 'field.required'); return false; }
    if (!Array.isArray(v)) { add(path, 'field.type', { type: 'array' }); return false; }
    return true;
  };
  const num = (path: string, v: unknown): v is number => {
    if (v === undefined || v === null) { add(path, 'field.required'); return false; }
    if (typeof v !== 'number' || !Number.isFinite(v)) { add(path, 'field.type', { type: 'number' }); return false; }
    return true;
  };
  const weight = (path: string, v: unknown, min: number) => {
    if (num(path, v) && (v < min || v > 100)) add(path, 'question.weight_range', { min, max: 100 });
  };
  const count = (path: string, n: number, [min, max]: [number, number], what: string) => {
    if (n < min) add(path, `question.${what}_min`, { limit: min, found: n });
    else if (n > max) add(path, `question.${what}_max`, { limit: max, found: n });
  };
  const duplicates = (path: string, values: unknown[], code: string) => {
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
      if (typeof v !== 'string' || !v.trim()) return;
      const k = v.trim().normalize('NFKC').toLowerCase();
      if (seen.has(k)) add(`${path}.${i}`, code, { index: i, first: seen.get(k) });
      else seen.set(k, i);
    });
  };

  // Common fields
  const type = q.type;
  if (type === undefined || type === null || type === '') add('type', 'field.required');
  else if (!(QUESTION_TYPES as readonly unknown[]).includes(type)) add('type', 'question.unknown_type', { type: String(type), values: QUESTION_TYPES.join(', ') });
  if (q.key !== undefined || limits.requireKey) {
    if (text('key', q.key, MAX_KEY, true) && !KEY_PATTERN.test(q.key as string)) add('key', 'field.pattern');
  }
  if (q.name !== undefined) text('name', q.name, MAX_NAME, false);
  text('stem', q.stem, MAX_STEM);
  if (q.stemFormat !== undefined && !(TEXT_FORMATS as readonly unknown[]).includes(q.stemFormat)) add('stemFormat', 'field.enum', { values: TEXT_FORMATS.join(', ') });
  if (num('points', q.points)) {
    if (q.points <= 0) add('points', 'question.points_positive');
    else if (q.points > MAX_POINTS) add('points', 'field.maximum', { limit: MAX_POINTS });
  }
  if (num('difficulty', q.difficulty) && (!Number.isInteger(q.difficulty) || q.difficulty < 1 || q.difficulty > 5)) {
    add('difficulty', 'question.difficulty_range', { min: 1, max: 5 });
  }
  if (q.language !== undefined && !(LANGUAGES as readonly unknown[]).includes(q.language)) add('language', 'field.enum', { values: LANGUAGES.join(', ') });
  if (array('tags', q.tags, false)) {
    if (q.tags.length > MAX_TAGS) add('tags', 'field.max_items', { limit: MAX_TAGS });
    q.tags.forEach((t, i) => text(`tags.${i}`, t, MAX_TAG));
  }
  if (array('modules', q.modules, limits.requireModules)) {
    if (limits.requireModules && q.modules.length === 0) add('modules', 'question.modules_min', { limit: 1 });
    q.modules.forEach((m, i) => {
      if (!text(`modules.${i}`, m, MAX_KEY)) return;
      if (!MODULE_PATTERN.test(m)) add(`modules.${i}`, 'field.pattern');
      else if (opts.moduleIds && !opts.moduleIds.has(m)) add(`modules.${i}`, 'question.unknown_module', { id: m });
    });
  }
  if (q.category !== undefined || limits.requireCategory) {
    if (text('category', q.category, 500) && (q.category as string).split('/').some((s) => s.trim() === '')) {
      add('category', 'question.category_path');
    }
  }
  if (q.explanation !== undefined) text('explanation', q.explanation, MAX_TEXT, false);

  // By type
  switch (type) {
    case 'single_choice':
    case 'multiple_choice': {
      if (!array('options', q.options)) break;
      const options = q.options;
      count('options', options.length, type === 'single_choice' ? limits.singleOptions : limits.multipleOptions, 'options');
      options.forEach((o, i) => {
        const p = `options.${i}`;
        if (!isObj(o)) { add(p, 'field.type', { type: 'object' }); return; }
        text(`${p}.text`, o.text, MAX_TEXT);
        weight(`${p}.weight`, o.weight, -100);
        if (o.feedback !== undefined) text(`${p}.feedback`, o.feedback, MAX_TEXT, false);
        if (typeof o.correct !== 'boolean') add(`${p}.correct`, 'field.type', { type: 'boolean' });
        else if (typeof o.weight === 'number') {
          const byWeight = type === 'single_choice' ? o.weight === 100 : o.weight > 0;
          if (byWeight !== o.correct) add(p, 'question.correct_weight_mismatch', { weight: o.weight });
        }
      });
      duplicates('options', options.map((o) => (isObj(o) ? o.text : undefined)), 'question.duplicate_option');
      const weights = options.map((o) => (isObj(o) && typeof o.weight === 'number' ? o.weight : 0));
      if (type === 'single_choice') {
        const full = weights.filter((w) => w === 100).length;
        if (full !== 1) add('options', 'question.single_needs_one_correct', { found: full });
      } else {
        if (q.scoring === undefined) add('scoring', 'field.required');
        else if (!(MULTIPLE_SCORING as readonly unknown[]).includes(q.scoring)) add('scoring', 'field.enum', { values: MULTIPLE_SCORING.join(', ') });
        const positive = weights.filter((w) => w > 0);
        if (positive.length < limits.multipleCorrectMin) add('options', 'question.multiple_needs_correct', { limit: limits.multipleCorrectMin, found: positive.length });
        else {
          const sum = positive.reduce((a, b) => a + b, 0);
          if (Math.abs(sum - 100) > 0.01) add('options', 'question.weights_sum', { sum: round5(sum) });
        }
      }
      break;
    }
    case 'true_false':
      if (typeof q.answer !== 'boolean') add('answer', q.answer === undefined ? 'field.required' : 'field.type', q.answer === undefined ? {} : { type: 'boolean' });
      if (q.feedbackTrue !== undefined) text('feedbackTrue', q.feedbackTrue, MAX_TEXT, false);
      if (q.feedbackFalse !== undefined) text('feedbackFalse', q.feedbackFalse, MAX_TEXT, false);
      break;
    case 'fill_blank': {
      if (!array('blanks', q.blanks)) break;
      const blanks = q.blanks;
      if (blanks.length === 0) add('blanks', 'question.blanks_min', { limit: 1, found: 0 });
      blanks.forEach((b, i) => {
        const p = `blanks.${i}`;
        if (!isObj(b)) { add(p, 'field.type', { type: 'object' }); return; }
        if (!array(`${p}.answers`, b.answers)) return;
        if (b.answers.length === 0) { add(`${p}.answers`, 'question.blank_needs_answer'); return; }
        let full = 0;
        b.answers.forEach((a, j) => {
          const ap = `${p}.answers.${j}`;
          if (typeof a === 'string') { if (text(ap, a, MAX_TEXT)) full++; return; }
          if (!isObj(a)) { add(ap, 'field.type', { type: 'string' }); return; }
          text(`${ap}.text`, a.text, MAX_TEXT);
          weight(`${ap}.weight`, a.weight, 0);
          if (a.feedback !== undefined) text(`${ap}.feedback`, a.feedback, MAX_TEXT, false);
          if (a.weight === 100) full++;
        });
        if (full === 0) add(`${p}.answers`, 'question.blank_needs_full_answer');
      });
      if (typeof q.stem === 'string') {
        const markers = blankMarkers(q.stem);
        const expected = blanks.map((_, i) => i + 1);
        const ok = markers.length === expected.length && [...markers].sort((a, b) => a - b).every((m, i) => m === expected[i]);
        if (!ok) add('stem', 'question.blank_count_mismatch', { blanks: blanks.length, found: markers.length, markers: markers.join(', ') });
      }
      break;
    }
    case 'numeric': {
      if (!array('answers', q.answers)) break;
      if (q.answers.length === 0) { add('answers', 'question.numeric_needs_answer'); break; }
      let full = 0;
      q.answers.forEach((a, i) => {
        const p = `answers.${i}`;
        if (!isObj(a)) { add(p, 'field.type', { type: 'object' }); return; }
        const hasValue = 'value' in a;
        const hasRange = 'min' in a || 'max' in a;
        if (hasValue === hasRange) { add(p, 'question.numeric_answer_form'); return; }
        if (hasValue) {
          num(`${p}.value`, a.value);
          if (num(`${p}.tolerance`, a.tolerance) && a.tolerance < 0) add(`${p}.tolerance`, 'question.tolerance_negative');
        } else if (num(`${p}.min`, a.min) && num(`${p}.max`, a.max) && a.min > a.max) {
          add(p, 'question.numeric_range_order', { min: a.min, max: a.max });
        }
        weight(`${p}.weight`, a.weight, 0);
        if (a.feedback !== undefined) text(`${p}.feedback`, a.feedback, MAX_TEXT, false);
        if (a.weight === 100) full++;
      });
      if (full === 0) add('answers', 'question.numeric_needs_full_answer');
      if (q.incorrectFeedback !== undefined) text('incorrectFeedback', q.incorrectFeedback, MAX_TEXT, false);
      break;
    }
    case 'matching': {
      if (!array('pairs', q.pairs)) break;
      count('pairs', q.pairs.length, limits.pairs, 'pairs');
      q.pairs.forEach((p, i) => {
        if (!isObj(p)) { add(`pairs.${i}`, 'field.type', { type: 'object' }); return; }
        text(`pairs.${i}.left`, p.left, MAX_TEXT);
        text(`pairs.${i}.right`, p.right, MAX_TEXT);
      });
      duplicates('pairs', q.pairs.map((p) => (isObj(p) ? p.left : undefined)), 'question.duplicate_left');
      if (q.distractors !== undefined && array('distractors', q.distractors)) {
        const rights = new Set(q.pairs.map((p) => (isObj(p) && typeof p.right === 'string' ? p.right.trim() : '')));
        q.distractors.forEach((d, i) => {
          if (text(`distractors.${i}`, d, MAX_TEXT) && rights.has(d.trim())) add(`distractors.${i}`, 'question.distractor_is_answer');
        });
      }
      break;
    }
    case 'ordering':
      if (!array('items', q.items)) break;
      count('items', q.items.length, limits.items, 'items');
      q.items.forEach((it, i) => text(`items.${i}`, it, MAX_TEXT));
      duplicates('items', q.items, 'question.duplicate_item');
      break;
    case 'short_answer':
    case 'essay':
      if (q.rubric !== undefined || limits.requireRubric) text('rubric', q.rubric, MAX_TEXT, limits.requireRubric);
      if (q.modelAnswer !== undefined) text('modelAnswer', q.modelAnswer, MAX_TEXT, false);
      break;
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------------------

/**
 * Texts for every code produced by this module and the import/export formats. `{name}` placeholders are filled from
 * an issue's params (the API's `t()` does this once these entries are merged into its catalogue).
 */
export const questionMessages: Record<string, { zh: string; en: string }> = {
  'field.required': { zh: '必填', en: 'is required' },
  'field.type': { zh: '类型不对，应为 {type}', en: 'must be of type {type}' },
  'field.enum': { zh: '只能是：{values}', en: 'must be one of: {values}' },
  'field.pattern': { zh: '格式不对', en: 'has the wrong format' },
  'field.max_length': { zh: '最多 {limit} 个字符', en: 'must have at most {limit} characters' },
  'field.maximum': { zh: '不能大于 {limit}', en: 'must be at most {limit}' },
  'field.max_items': { zh: '最多 {limit} 项', en: 'must have at most {limit} entries' },
  'question.unknown_type': { zh: '题型“{type}”不认识，应为：{values}', en: 'unknown question type "{type}"; use one of: {values}' },
  'question.points_positive': { zh: '分值必须大于 0', en: 'points must be greater than 0' },
  'question.difficulty_range': { zh: '难度应为 {min} 到 {max} 的整数', en: 'difficulty must be a whole number from {min} to {max}' },
  'question.modules_min': { zh: '至少关联 {limit} 个模块', en: 'must name at least {limit} module' },
  'question.unknown_module': { zh: '模块“{id}”不存在', en: 'no module with id "{id}"' },
  'question.category_path': { zh: '分类路径中有空的层级（用“/”分隔各级）', en: 'the category path has an empty level (levels are separated by "/")' },
  'question.options_min': { zh: '至少需要 {limit} 个选项（现有 {found} 个）', en: 'needs at least {limit} options (has {found})' },
  'question.options_max': { zh: '最多 {limit} 个选项（现有 {found} 个）', en: 'may have at most {limit} options (has {found})' },
  'question.duplicate_option': { zh: '与第 {first} 项重复（从 0 起计）', en: 'repeats entry {first} (counting from 0)' },
  'question.single_needs_one_correct': { zh: '单选题必须恰有一个正确选项（现有 {found} 个）', en: 'a single-choice question needs exactly one correct option (has {found})' },
  'question.multiple_needs_correct': { zh: '多选题至少需要 {limit} 个正确选项（现有 {found} 个）', en: 'a multiple-choice question needs at least {limit} correct options (has {found})' },
  'question.weights_sum': { zh: '正确选项的得分比例之和应为 100%（现为 {sum}%）', en: 'the weights of the correct options must add up to 100% (they add up to {sum}%)' },
  'question.weight_range': { zh: '得分比例应在 {min}% 到 {max}% 之间', en: 'the weight must be between {min}% and {max}%' },
  'question.correct_weight_mismatch': { zh: '“正确”标记与得分比例（{weight}%）不一致', en: 'the correct flag does not agree with the weight ({weight}%)' },
  'question.blanks_min': { zh: '填空题至少需要 {limit} 个空', en: 'a fill-in-the-blank question needs at least {limit} blank' },
  'question.blank_needs_answer': { zh: '这个空没有给出答案', en: 'this blank has no accepted answer' },
  'question.blank_needs_full_answer': { zh: '这个空至少要有一个得满分的答案', en: 'this blank needs at least one answer worth 100%' },
  'question.blank_count_mismatch': { zh: '题干中的空（{{1}}、{{2}}……）与答案数量不符：有 {blanks} 组答案，题干中找到 {found} 个空（{markers}）', en: 'the blanks in the stem ({{1}}, {{2}}, ...) do not match the answers: {blanks} blank(s) answered, {found} found in the stem ({markers})' },
  'question.numeric_needs_answer': { zh: '数值题至少需要一个答案', en: 'a numeric question needs at least one answer' },
  'question.numeric_needs_full_answer': { zh: '数值题至少要有一个得满分的答案', en: 'a numeric question needs at least one answer worth 100%' },
  'question.numeric_answer_form': { zh: '答案应写成 value 加 tolerance，或 min 加 max（二选一）', en: 'an answer is either a value with a tolerance or a min and a max' },
  'question.numeric_range_order': { zh: '范围的下限 {min} 大于上限 {max}', en: 'the range minimum {min} is greater than its maximum {max}' },
  'question.tolerance_negative': { zh: '误差不能为负数', en: 'the tolerance cannot be negative' },
  'question.pairs_min': { zh: '至少需要 {limit} 组配对（现有 {found} 组）', en: 'needs at least {limit} pairs (has {found})' },
  'question.pairs_max': { zh: '最多 {limit} 组配对（现有 {found} 组）', en: 'may have at most {limit} pairs (has {found})' },
  'question.duplicate_left': { zh: '左侧项与第 {first} 组重复（从 0 起计）', en: 'the left item repeats pair {first} (counting from 0)' },
  'question.distractor_is_answer': { zh: '干扰项与某个正确答案相同', en: 'the distractor is the same as one of the right-hand answers' },
  'question.items_min': { zh: '至少需要 {limit} 项（现有 {found} 项）', en: 'needs at least {limit} items (has {found})' },
  'question.items_max': { zh: '最多 {limit} 项（现有 {found} 项）', en: 'may have at most {limit} items (has {found})' },
  'question.duplicate_item': { zh: '与第 {first} 项重复（从 0 起计）', en: 'repeats item {first} (counting from 0)' },
  // files
  'import.empty': { zh: '文件是空的', en: 'the file is empty' },
  'import.not_text': { zh: '文件不是 UTF-8 文本（可能是二进制文件或其他编码）', en: 'the file is not UTF-8 text (binary or another encoding)' },
  'import.no_questions': { zh: '文件中没有找到题目', en: 'no questions were found in the file' },
  'import.quote': { zh: '引号不成对', en: 'unbalanced quotes' },
  'import.duplicate_key': { zh: '题目编号“{key}”在第 {line} 行已出现', en: 'the key "{key}" already appears on line {line}' },
  'export.not_exportable': { zh: '该题无法导出为 {format}：{reason}', en: 'this question cannot be exported to {format}: {reason}' },
  // GIFT
  'gift.unterminated_block': { zh: '答案区的“{”没有对应的“}”', en: 'the answer block opened with "{" is not closed with "}"' },
  'gift.unmatched_brace': { zh: '多余的“}”（如果是文字，请写成 \\}）', en: 'a "}" without an opening "{" (write \\} for a literal brace)' },
  'gift.multiple_blocks': { zh: '一道题只能有一个答案区 {…}（文字中的括号请写成 \\{ \\}）', en: 'a question may have only one answer block {...} (write \\{ \\} for literal braces)' },
  'gift.no_answer_block': { zh: '没有答案区 {…}（不支持仅有说明文字的“描述”题）', en: 'no answer block {...} (description items are not supported)' },
  'gift.unterminated_name': { zh: '题目名称以“::”开头但没有以“::”结束', en: 'the question name starts with "::" but does not end with "::"' },
  'gift.unknown_format': { zh: '不认识的格式前缀 [{format}]，应为 [markdown]、[html]、[plain] 或 [moodle]', en: 'unknown format prefix [{format}]; use [markdown], [html], [plain] or [moodle]' },
  'gift.option_empty': { zh: '答案没有内容', en: 'an answer has no text' },
  'gift.bad_weight': { zh: '得分比例“{weight}”不对，应写成 %50% 这样的 -100 到 100 之间的数', en: 'bad weight "{weight}": write a number from -100 to 100 between percent signs, like %50%' },
  'gift.bad_number': { zh: '“{value}”不是数字', en: '"{value}" is not a number' },
  'gift.options_min': { zh: '选择题至少需要 2 个选项', en: 'a choice question needs at least 2 answers' },
  'gift.matching_format': { zh: '配对题的每一项应写成 =左 -> 右', en: 'each matching entry must be written =left -> right' },
  'gift.matching_min': { zh: '配对题至少需要 2 组配对', en: 'a matching question needs at least 2 pairs' },
  'gift.numeric_no_answers': { zh: '数值题没有答案', en: 'the numeric question has no answer' },
  'gift.bad_meta': { zh: '// @meta 注释不是有效的 JSON 对象', en: 'the // @meta comment is not a valid JSON object' },
  'gift.empty_category': { zh: '$CATEGORY: 后面没有分类', en: 'nothing follows $CATEGORY:' },
  // Aiken
  'aiken.no_answer': { zh: '题目缺少答案行（如“答案：B”或“ANSWER: B”）', en: 'the question has no answer line (such as "ANSWER: B")' },
  'aiken.answer_not_option': { zh: '答案“{letter}”不在选项中（选项为 {letters}）', en: 'the answer "{letter}" is not one of the options ({letters})' },
  'aiken.options_min': { zh: '至少需要 2 个选项（现有 {found} 个）', en: 'needs at least 2 options (has {found})' },
  'aiken.option_empty': { zh: '选项 {letter} 没有内容', en: 'option {letter} has no text' },
  'aiken.option_sequence': { zh: '选项字母顺序不对：应为 {expected}，实为 {letter}', en: 'options out of order: expected {expected}, found {letter}' },
  'aiken.bad_answer': { zh: '答案“{answer}”应为选项字母（如 B 或 ABD）', en: 'the answer "{answer}" must be option letters (such as B or ABD)' },
  'aiken.answer_without_question': { zh: '答案行前面没有题目', en: 'an answer line with no question before it' },
  'aiken.no_stem': { zh: '选项前面没有题干', en: 'options with no question text before them' },
  // spreadsheets
  'sheet.not_xlsx': { zh: '文件不是有效的 Excel（.xlsx）工作簿', en: 'the file is not a valid Excel (.xlsx) workbook' },
  'sheet.missing_column': { zh: '缺少列“{column}”', en: 'the column "{column}" is missing' },
  'sheet.unknown_column': { zh: '不认识的列“{column}”，已忽略', en: 'unknown column "{column}" was ignored' },
  'sheet.bad_type': { zh: '题型“{value}”不认识', en: 'unknown question type "{value}"' },
  'sheet.bad_number': { zh: '“{value}”不是数字', en: '"{value}" is not a number' },
  'sheet.bad_correct': { zh: '答案“{value}”的写法不对：{hint}', en: 'the answer "{value}" is not written correctly: {hint}' },
  'sheet.letter_not_option': { zh: '答案中的 {letter} 没有对应的选项', en: 'the answer names option {letter}, which is empty' },
  'sheet.bad_scoring': { zh: '计分方式应为 all_or_nothing（全对才得分）或 partial（按比例得分）', en: 'scoring must be all_or_nothing or partial' },
  'sheet.bad_language': { zh: '语言应为 zh 或 en', en: 'language must be zh or en' },
  'sheet.too_long': { zh: '内容超过 Excel 单元格上限 {limit} 个字符', en: 'longer than the Excel cell limit of {limit} characters' },
};
