/**
 * What every question type shares: the fields common to all questions, the schema pieces they are built from, and
 * the tools each type's normalise, validate, view and scoring use. A type's own file (`types/<type>.ts`) holds the
 * rest; `types/index.ts` is the registry that maps a type to its definition.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';

export const QUESTION_TYPES = [
  'single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'short_answer', 'essay',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const TEXT_FORMATS = ['markdown', 'html', 'plain'] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];
export const LANGUAGES = ['zh', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

export const MAX_STEM = 20_000;
export const MAX_TEXT = 10_000;
export const MAX_KEY = 100;
export const MAX_NAME = 255;
export const MAX_TAG = 50;
export const MAX_TAGS = 20;
export const MAX_POINTS = 100;
export const MAX_CATEGORY = 500;

// ---------------------------------------------------------------------------------------------------------------
// Schema pieces
// ---------------------------------------------------------------------------------------------------------------

/** Objects of the model refuse fields they do not declare. */
export const strict = { additionalProperties: false } as const;
export const Lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
/** A text that must say something. */
export const Text = (maxLength = MAX_TEXT) => Type.String({ minLength: 1, maxLength });
/** A text that may be left out. */
export const OptText = (maxLength = MAX_TEXT) => Type.Optional(Type.String({ maxLength }));

/**
 * One object described once, in its two forms: `input` is what an author writes (the fields normalise fills may be
 * left out), `stored` is the normalised object, where they are always present.
 */
export function forms<R extends TProperties, D extends TProperties>(required: R, defaulted: D) {
  return {
    input: Type.Object({ ...required, ...Type.Partial(Type.Object(defaulted)).properties }, strict),
    stored: Type.Object({ ...required, ...defaulted }, strict),
  };
}

const identity = {
  /** Stable id, unique in the bank, the same in both languages (`so-001`). Optional for imported questions. */
  key: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_KEY })),
  /** Optional short title (GIFT `::name::`). */
  name: OptText(MAX_NAME),
  /** The question; markdown unless `stemFormat` says otherwise. */
  stem: Text(MAX_STEM),
  /** Points for a fully correct answer, > 0. */
  points: Type.Number({ exclusiveMinimum: 0, maximum: MAX_POINTS }),
  /** 1 (easy) to 5 (hard). */
  difficulty: Type.Integer({ minimum: 1, maximum: 5 }),
  language: Type.Optional(Lit(LANGUAGES)),
  /** A path in the category tree, `/` between levels. */
  category: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_CATEGORY })),
  /** General feedback shown after the attempt (GIFT `####`). */
  explanation: OptText(),
};
const commonDefaults = {
  stemFormat: Lit(TEXT_FORMATS),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: MAX_TAG }), { maxItems: MAX_TAGS }),
  /** Ids of the modules the question tests (front-matter `id`s). */
  modules: Type.Array(Type.String({ minLength: 1, maxLength: MAX_KEY }), { maxItems: MAX_TAGS }),
};
const common = forms(identity, commonDefaults);
/** The fields every question has, as an author writes them and as normalised. */
export const CommonInput = common.input;
export const CommonStored = common.stored;
export type QuestionCommon = Static<typeof CommonStored>;

/** A question type's two schemas: the common fields, the `type` tag, and the type's own fields in both forms. */
export function questionForms<T extends QuestionType, I extends TProperties, S extends TProperties>(type: T, input: I, stored: S) {
  return {
    input: Type.Object({ type: Type.Literal(type), ...common.input.properties, ...input }, strict),
    stored: Type.Object({ type: Type.Literal(type), ...common.stored.properties, ...stored }, strict),
  };
}

/** Percent of the points, `min`..100. */
export const Weight = (min: number) => Type.Number({ minimum: min, maximum: 100 });

// ---------------------------------------------------------------------------------------------------------------
// Normalising
// ---------------------------------------------------------------------------------------------------------------

export type Loose = Record<string, unknown>;
export const isObj = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
export const trimmed = (v: unknown): unknown => (typeof v === 'string' ? v.trim() : v);
/** An optional text: trimmed, dropped when empty. */
export const optText = (v: unknown): unknown => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return v;
  const s = v.trim();
  return s === '' ? undefined : s;
};
export const round5 = (n: number) => Math.round(n * 1e5) / 1e5;

/** Removes keys whose value is undefined (so normalised questions compare and serialise cleanly). */
export function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export const mapArray = <T>(v: unknown, f: (x: unknown) => T): T[] | unknown => (Array.isArray(v) ? v.map(f) : v);

// ---------------------------------------------------------------------------------------------------------------
// Validating
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

/** The checks a type's `validate` is written with; each one records an issue and says whether the value passed. */
export class Checker {
  readonly issues: QuestionIssue[] = [];
  constructor(readonly limits: Limits) {}

  add(path: string, code: string, params: Record<string, unknown> = {}) {
    this.issues.push({ path, code, params });
  }

  /** A (by default required) non-empty string of at most `max` characters. */
  text(path: string, v: unknown, max: number, required = true): v is string {
    if (v === undefined || v === null || v === '') { if (required) this.add(path, 'field.required'); return false; }
    if (typeof v !== 'string') { this.add(path, 'field.type', { type: 'string' }); return false; }
    if (v.trim() === '') { if (required) this.add(path, 'field.required'); return false; }
    if (v.length > max) { this.add(path, 'field.max_length', { limit: max }); return false; }
    return true;
  }

  array(path: string, v: unknown, required = true): v is unknown[] {
    if (v === undefined || v === null) { if (required) this.add(path, 'field.required'); return false; }
    if (!Array.isArray(v)) { this.add(path, 'field.type', { type: 'array' }); return false; }
    return true;
  }

  num(path: string, v: unknown): v is number {
    if (v === undefined || v === null) { this.add(path, 'field.required'); return false; }
    if (typeof v !== 'number' || !Number.isFinite(v)) { this.add(path, 'field.type', { type: 'number' }); return false; }
    return true;
  }

  weight(path: string, v: unknown, min: number) {
    if (this.num(path, v) && (v < min || v > 100)) this.add(path, 'question.weight_range', { min, max: 100 });
  }

  /** `what` names the codes: `question.<what>_min`, `question.<what>_max`. */
  count(path: string, n: number, [min, max]: [number, number], what: 'options' | 'pairs' | 'items') {
    if (n < min) this.add(path, `question.${what}_min`, { limit: min, found: n });
    else if (n > max) this.add(path, `question.${what}_max`, { limit: max, found: n });
  }

  /** Entries that repeat an earlier one (ignoring case, surrounding spaces and full/half width). */
  duplicates(path: string, values: unknown[], code: string) {
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
      if (typeof v !== 'string' || !v.trim()) return;
      const k = v.trim().normalize('NFKC').toLowerCase();
      if (seen.has(k)) this.add(`${path}.${i}`, code, { index: i, first: seen.get(k) });
      else seen.set(k, i);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Viewing
// ---------------------------------------------------------------------------------------------------------------

export type ResponseKind = 'choice' | 'choices' | 'true_false' | 'blanks' | 'number' | 'matching' | 'ordering' | 'text' | 'long_text';

/** What a learner sees of a question beyond its stem. Nothing here may give the answer away. */
export interface LearnerParts {
  response: ResponseKind;
  /** single and multiple choice, in the author's order (an exam may shuffle them). */
  options?: { id: string; html: string }[];
  /** fill_blank: how many blanks the stem has (marked `<span class="blank">n</span>`). */
  blanks?: number;
  matching?: { left: { id: string; html: string }[]; right: string[] };
  /** ordering: shuffled; ids are letters that say nothing about the right order. */
  items?: { id: string; html: string }[];
}

export interface AnswerParts {
  options?: { html: string; correct: boolean; weight: number; feedbackHtml: string }[];
  scoring?: string;
  answer?: boolean;
  feedbackTrueHtml?: string;
  feedbackFalseHtml?: string;
  blanks?: { answers: { text: string; weight: number; feedbackHtml: string }[] }[];
  numeric?: { text: string; weight: number; feedbackHtml: string }[];
  incorrectFeedbackHtml?: string;
  pairs?: { leftHtml: string; right: string }[];
  distractors?: string[];
  items?: string[];
  rubricHtml?: string;
  modelAnswerHtml?: string;
}

/** What views are drawn with: one text in the question's format as safe HTML, and a seeded shuffle. */
export interface ViewTools {
  render: (text: unknown) => string;
  shuffle: <T>(items: T[], salt: string) => T[];
}

export const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

// ---------------------------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------------------------

export interface ScoreResult {
  /** Points earned, rounded to 2 decimals (0 for questions a person must grade). */
  score: number;
  /** The question's points. */
  max: number;
  /** Fully correct? `null` when a person must grade. */
  correct: boolean | null;
  /** Share of the points earned, 0..1; `null` when a person must grade. */
  fraction: number | null;
  /** Per blank / pair / position: right or not (fill_blank, matching, ordering). */
  parts?: boolean[];
  /** Feedback texts that apply to this response (chosen options, true/false, matched numeric answer, blanks). */
  feedback: string[];
  /** True for short_answer and essay. */
  needsGrading?: boolean;
}

/** What a type's `score` reports with: the share of the points earned, and the feedback that applies. */
export interface Scorer {
  /** Feedback texts that apply to the response, in order. */
  feedback: string[];
  result(fraction: number, correct: boolean, parts?: boolean[]): ScoreResult;
  /** For the types a person grades. */
  manual(): ScoreResult;
}

export const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;

// ---------------------------------------------------------------------------------------------------------------
// The definition
// ---------------------------------------------------------------------------------------------------------------

/**
 * Everything about one question type. `input` is the JSON an author or the API sends, `stored` the normalised
 * question (its TS type is `Static<stored>`); `normalise` and `validate` never throw, whatever they are given.
 */
export interface QuestionTypeDefinition<S extends TObject = TObject, I extends TObject = TObject> {
  readonly type: QuestionType;
  readonly input: I;
  readonly stored: S;
  /** A person grades it (short answer, essay). */
  readonly manuallyGraded: boolean;
  /** The type's own fields from what an author wrote: defaults filled, texts trimmed; wrong kinds kept for validate. */
  normalise(input: Loose): Loose;
  /** Checks the type's own fields of a normalised question (the common fields are checked by the registry). */
  validate(q: Loose, check: Checker): void;
  /** The stem as HTML, when the type marks something in it (fill_blank's blanks). */
  stemHtml?(q: Static<S>, render: (text: string) => string): string;
  learnerView(q: Static<S>, tools: ViewTools): LearnerParts;
  answerView(q: Static<S>, tools: ViewTools): AnswerParts;
  /** Scores a response; a missing or malformed response scores 0 and never throws. */
  score(q: Static<S>, response: Loose, scorer: Scorer): ScoreResult;
  /** The texts of the type's own fields that the bank's search finds. */
  searchText(q: Static<S>): string[];
}

/** Keeps a definition's schema types for its methods' parameters. */
export const defineType = <S extends TObject, I extends TObject>(def: QuestionTypeDefinition<S, I>) => def;

export type AnySchema = TSchema;
