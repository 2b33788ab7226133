// The editing rules of every question type (types/<type>.ts), by type; index.ts adds what each type shows.
import type { QuestionType, WebTypeLogic } from './common.js';
import { essay } from './essay.js';
import { fillBlank } from './fill-blank.js';
import { matching } from './matching.js';
import { multipleChoice } from './multiple-choice.js';
import { numeric } from './numeric.js';
import { ordering } from './ordering.js';
import { shortAnswer } from './short-answer.js';
import { singleChoice } from './single-choice.js';
import { trueFalse } from './true-false.js';

export const TYPE_LOGIC: Readonly<Record<QuestionType, WebTypeLogic>> = {
  single_choice: singleChoice, multiple_choice: multipleChoice, true_false: trueFalse, fill_blank: fillBlank, numeric,
  matching, ordering, short_answer: shortAnswer, essay,
};
