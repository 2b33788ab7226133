// multiple_choice: two or more correct options, scored all or nothing or in part.
import { choiceType } from './choice.js';
import { option } from './common.js';

export const multipleChoice = choiceType('multiple_choice', () => ({
  options: [option('', true), option('', true), option(), option()], customWeights: false, scoring: 'all_or_nothing',
}));
