/** short_answer: a few lines a person grades against the rubric (score 0 and `needsGrading` until then). */
import type { Static } from '@sinclair/typebox';
import { gradedType } from './graded.js';

export const shortAnswer = gradedType('short_answer', 'text');
export type ShortAnswerQuestion = Static<typeof shortAnswer.stored>;
