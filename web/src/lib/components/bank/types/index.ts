// The registry of the bank's question types in the web app: type → its module (editor defaults, draft → body,
// stored question → draft, the editor's answer fields, the preview's response inputs and answer key).
import { QUESTION_TYPES, type QuestionType, type WebQuestionType } from './common';
import { essay } from './essay';
import { fillBlank } from './fill-blank';
import { matching } from './matching';
import { multipleChoice } from './multiple-choice';
import { numeric } from './numeric';
import { ordering } from './ordering';
import { shortAnswer } from './short-answer';
import { singleChoice } from './single-choice';
import { trueFalse } from './true-false';

export const WEB_QUESTION_TYPES: Readonly<Record<QuestionType, WebQuestionType>> = {
  single_choice: singleChoice, multiple_choice: multipleChoice, true_false: trueFalse, fill_blank: fillBlank, numeric,
  matching, ordering, short_answer: shortAnswer, essay,
};

/** The module of a type, or undefined for a name the web app does not know. */
export function webType(type: string): WebQuestionType | undefined {
  return (QUESTION_TYPES as readonly string[]).includes(type) ? WEB_QUESTION_TYPES[type as QuestionType] : undefined;
}
