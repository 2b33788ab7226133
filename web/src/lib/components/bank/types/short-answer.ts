// short_answer: a few lines, graded by a person.
import { gradedType } from './graded.js';

export const shortAnswer = gradedType('short_answer');
