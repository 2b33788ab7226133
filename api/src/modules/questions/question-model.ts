/**
 * The canonical question model of the question bank.
 *
 * It represents exactly the JSON of `content/questions/*.json` (docs/CONTENT.md, "Question bank files"), plus what
 * GIFT needs: option weights in percent (-100..100), per-answer feedback, weighted alternative answers for blanks and
 * numeric answers, a question name, a stem format and the "any other answer" feedback of numeric questions.
 *
 * Each type is described once, in `types/<type>.ts` (its TypeBox schema, normalise, validate, learner view and
 * scoring); `types/index.ts` is the registry. This file holds what all questions share and asks the registry for
 * the rest:
 * - `QuestionSchema` is the JSON an author writes (options may say `correct: true` instead of giving weights);
 *   `Question` is a normalised question (`Static<>` of the types' normalised schemas).
 * - `normaliseQuestion(input)` turns what an author wrote into a `Question`: weights filled, defaults set, strings
 *   trimmed, fields that do not belong to the type dropped. It never throws: values of the wrong kind are kept so that
 *   the validator can name them.
 * - `validateQuestion(q)` returns a list of `{ path, code, params }` issues; `questionMessages` has zh and en texts for
 *   every code used here and by the import formats (`{name}` placeholders are filled from params, as `t()` does).
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  Checker, clean, CommonInput, isObj, LANGUAGES, LIMITS, mapArray, MAX_KEY, MAX_NAME, MAX_POINTS, MAX_STEM, MAX_TAG, MAX_TAGS, MAX_TEXT,
  optText, QUESTION_TYPES, TEXT_FORMATS, trimmed, type Lang, type Loose, type QuestionIssue, type QuestionType,
} from './types/common.js';
import { definitionOf, QUESTION_TYPE_DEFINITIONS, type Question } from './types/index.js';
import { issuesFrom } from './types/schema-issues.js';
import { singleChoice } from './types/single-choice.js';
import { multipleChoice } from './types/multiple-choice.js';
import { trueFalse } from './types/true-false.js';
import { fillBlank } from './types/fill-blank.js';
import { numeric } from './types/numeric.js';
import { matching } from './types/matching.js';
import { ordering } from './types/ordering.js';
import { shortAnswer } from './types/short-answer.js';
import { essay } from './types/essay.js';
import './question-messages.js';

export {
  LANGUAGES, LIMITS, MAX_KEY, MAX_NAME, MAX_POINTS, MAX_STEM, MAX_TAG, MAX_TAGS, MAX_TEXT, QUESTION_TYPES, TEXT_FORMATS,
  type Lang, type Limits, type QuestionCommon, type QuestionIssue, type QuestionType, type TextFormat,
} from './types/common.js';
export {
  MANUALLY_GRADED_TYPES, NormalisedQuestionSchema, QuestionSchema, definitionOf, type Question, type QuestionOfType, type QuestionSchemaType,
} from './types/index.js';
export { type ChoiceOption } from './types/choice.js';
export { type SingleChoiceQuestion } from './types/single-choice.js';
export { MULTIPLE_SCORING, type MultipleChoiceQuestion, type MultipleScoring } from './types/multiple-choice.js';
export { type TrueFalseQuestion } from './types/true-false.js';
export { blankAnswers, blankMarkers, type Blank, type BlankAnswer, type FillBlankQuestion, type WeightedAnswer } from './types/fill-blank.js';
export { type NumericAnswer, type NumericQuestion, type NumericRangeAnswer, type NumericValueAnswer } from './types/numeric.js';
export { type MatchingPair, type MatchingQuestion } from './types/matching.js';
export { type OrderingQuestion } from './types/ordering.js';
export { type ShortAnswerQuestion } from './types/short-answer.js';
export { type EssayQuestion } from './types/essay.js';
export { questionMessages } from './question-messages.js';

/**
 * Every field any type's author JSON may hold, for code that builds a question field by field (the import formats)
 * before normalising and checking it.
 */
export const AuthorFields = Type.Object({
  ...CommonInput.properties, ...singleChoice.input.properties, ...multipleChoice.input.properties, ...trueFalse.input.properties,
  ...fillBlank.input.properties, ...numeric.input.properties, ...matching.input.properties, ...ordering.input.properties,
  ...shortAnswer.input.properties, ...essay.input.properties,
});
/** What authors write, loosely: any field of any type; normaliseQuestion and validateQuestion sort it out. */
export type QuestionInput = Partial<Omit<Static<typeof AuthorFields>, 'type' | 'stem'>> & { type: QuestionType | string; stem: string };

// ---------------------------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------------------------

export interface NormaliseOptions {
  /** Language for questions that do not say (a bank file's `language`). */
  language?: Lang;
}

/**
 * Fills weights and defaults and drops fields that do not belong to the type. Idempotent: normalising a normalised
 * question gives an equal question.
 *
 * Defaults: stemFormat markdown, tags and modules []; each type fills its own (types/<type>.ts). Points and
 * difficulty are not defaulted (the bank must state them; importers set them).
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
  const def = definitionOf(i.type);
  // An unknown type keeps only the common fields; the validator names the type.
  return (def ? { ...common, ...def.normalise(i) } : common) as unknown as Question;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

export interface ValidateOptions {
  mode?: 'bank' | 'import';
  /** When given, every id in `modules` must be one of these. */
  moduleIds?: ReadonlySet<string>;
}

const KEY_PATTERN = /^[^\s/\\]+$/;
const MODULE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Each type's normalised schema, compiled once. */
const storedCheckers = Object.fromEntries(
  Object.values(QUESTION_TYPE_DEFINITIONS).map((d) => [d.type, TypeCompiler.Compile(d.stored)]),
) as unknown as Record<QuestionType, ReturnType<typeof TypeCompiler.Compile>>;

/** Whether one dotted path is the other or lies inside it. */
const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || a === '' || b === '';

/**
 * Checks a (normalised) question. Never throws, whatever it is given. The common fields are checked here, the type's
 * own by its definition; then the type's normalised schema, so that nothing it refuses is stored even where no rule
 * above names it (a rule's own issue wins where both speak of one field).
 */
export function validateQuestion(q: unknown, opts: ValidateOptions = {}): QuestionIssue[] {
  const limits = LIMITS[opts.mode ?? 'bank'];
  const c = new Checker(limits);
  if (!isObj(q)) { c.add('', 'field.type', { type: 'object' }); return c.issues; }

  const type = q.type;
  if (type === undefined || type === null || type === '') c.add('type', 'field.required');
  else if (!definitionOf(type)) c.add('type', 'question.unknown_type', { type: String(type), values: QUESTION_TYPES.join(', ') });
  if (q.key !== undefined || limits.requireKey) {
    if (c.text('key', q.key, MAX_KEY, true) && !KEY_PATTERN.test(q.key as string)) c.add('key', 'field.pattern');
  }
  if (q.name !== undefined) c.text('name', q.name, MAX_NAME, false);
  c.text('stem', q.stem, MAX_STEM);
  if (q.stemFormat !== undefined && !(TEXT_FORMATS as readonly unknown[]).includes(q.stemFormat)) c.add('stemFormat', 'field.enum', { values: TEXT_FORMATS.join(', ') });
  if (c.num('points', q.points)) {
    if (q.points <= 0) c.add('points', 'question.points_positive');
    else if (q.points > MAX_POINTS) c.add('points', 'field.maximum', { limit: MAX_POINTS });
  }
  if (c.num('difficulty', q.difficulty) && (!Number.isInteger(q.difficulty) || q.difficulty < 1 || q.difficulty > 5)) {
    c.add('difficulty', 'question.difficulty_range', { min: 1, max: 5 });
  }
  if (q.language !== undefined && !(LANGUAGES as readonly unknown[]).includes(q.language)) c.add('language', 'field.enum', { values: LANGUAGES.join(', ') });
  if (c.array('tags', q.tags, false)) {
    if (q.tags.length > MAX_TAGS) c.add('tags', 'field.max_items', { limit: MAX_TAGS });
    q.tags.forEach((t, i) => c.text(`tags.${i}`, t, MAX_TAG));
  }
  if (c.array('modules', q.modules, limits.requireModules)) {
    if (limits.requireModules && q.modules.length === 0) c.add('modules', 'question.modules_min', { limit: 1 });
    q.modules.forEach((m, i) => {
      if (!c.text(`modules.${i}`, m, MAX_KEY)) return;
      if (!MODULE_PATTERN.test(m)) c.add(`modules.${i}`, 'field.pattern');
      else if (opts.moduleIds && !opts.moduleIds.has(m)) c.add(`modules.${i}`, 'question.unknown_module', { id: m });
    });
  }
  if (q.category !== undefined || limits.requireCategory) {
    if (c.text('category', q.category, 500) && (q.category as string).split('/').some((s) => s.trim() === '')) {
      c.add('category', 'question.category_path');
    }
  }
  if (q.explanation !== undefined) c.text('explanation', q.explanation, MAX_TEXT, false);

  const def = definitionOf(type);
  if (!def) return c.issues;
  def.validate(q, c);
  const checker = storedCheckers[def.type];
  if (!checker.Check(q)) {
    for (const issue of issuesFrom(checker.Errors(q))) {
      if (!c.issues.some((known) => related(known.path, issue.path))) c.issues.push(issue);
    }
  }
  return c.issues;
}
