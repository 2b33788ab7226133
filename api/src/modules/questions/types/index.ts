/**
 * The registry of question types: each type's definition (schema, normalise, validate, learner view, scoring) by its
 * name, and the unions built from them. Code that does something per type asks the registry, never a `switch`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { QUESTION_TYPES, type QuestionType, type QuestionTypeDefinition } from './common.js';
import { essay } from './essay.js';
import { fillBlank } from './fill-blank.js';
import { matching } from './matching.js';
import { multipleChoice } from './multiple-choice.js';
import { numeric } from './numeric.js';
import { ordering } from './ordering.js';
import { shortAnswer } from './short-answer.js';
import { singleChoice } from './single-choice.js';
import { trueFalse } from './true-false.js';

const inOrder = [singleChoice, multipleChoice, trueFalse, fillBlank, numeric, matching, ordering, shortAnswer, essay] as const;

/** Type name → definition. */
export const QUESTION_TYPE_DEFINITIONS: Readonly<Record<QuestionType, QuestionTypeDefinition>> = Object.freeze(
  Object.fromEntries(inOrder.map((d) => [d.type, d])) as unknown as Record<QuestionType, QuestionTypeDefinition>,
);

/** The definition of a type, or undefined for a name that is not one. */
export function definitionOf(type: unknown): QuestionTypeDefinition | undefined {
  return typeof type === 'string' && Object.hasOwn(QUESTION_TYPE_DEFINITIONS, type) ? QUESTION_TYPE_DEFINITIONS[type as QuestionType] : undefined;
}

/** The question JSON an author writes (docs/CONTENT.md), one member per type, told apart by `type`. */
export const QuestionSchema = Type.Union([
  singleChoice.input, multipleChoice.input, trueFalse.input, fillBlank.input, numeric.input, matching.input, ordering.input,
  shortAnswer.input, essay.input,
]);
/** A normalised question: weights, defaults and the common lists always present. */
export const NormalisedQuestionSchema = Type.Union([
  singleChoice.stored, multipleChoice.stored, trueFalse.stored, fillBlank.stored, numeric.stored, matching.stored, ordering.stored,
  shortAnswer.stored, essay.stored,
]);
export type QuestionSchemaType = Static<typeof QuestionSchema>;
export type Question = Static<typeof NormalisedQuestionSchema>;
export type QuestionOfType<T extends QuestionType> = Extract<Question, { type: T }>;

/** Types a person must grade. */
export const MANUALLY_GRADED_TYPES: readonly QuestionType[] = inOrder.filter((d) => d.manuallyGraded).map((d) => d.type);

// Every name in QUESTION_TYPES has a definition, and no definition is missing from the list (checked at load).
if (inOrder.length !== QUESTION_TYPES.length || QUESTION_TYPES.some((t) => !definitionOf(t))) {
  throw new Error('the question type registry and QUESTION_TYPES disagree');
}

export { QUESTION_TYPES, type QuestionType, type QuestionTypeDefinition };
