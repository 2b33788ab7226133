// single_choice: one correct option.
import { choiceType } from './choice.js';
import { option } from './common.js';

export const singleChoice = choiceType('single_choice', () => ({
  options: [option('', true), option(), option(), option()], customWeights: false,
}));
