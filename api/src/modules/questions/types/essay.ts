/** essay: a long answer a person grades against the rubric (score 0 and `needsGrading` until then). */
import type { Static } from '@sinclair/typebox';
import { gradedType } from './graded.js';

export const essay = gradedType('essay', 'long_text');
export type EssayQuestion = Static<typeof essay.stored>;
