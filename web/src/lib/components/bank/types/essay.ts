// essay: a long answer, graded by a person.
import { gradedType } from './graded.js';

export const essay = gradedType('essay');
