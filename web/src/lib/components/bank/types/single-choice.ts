// single_choice: one correct option.
import { choiceType } from './choice';
import { option } from './common';

export const singleChoice = choiceType('single_choice', () => ({
  options: [option('', true), option(), option(), option()], customWeights: false,
}));
