// essay: a long answer, graded by a person.
import { gradedType } from './graded';

export const essay = gradedType('essay');
