import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A question linked to the course module it tests. */
export const QuestionModule = defineEntity({
  name: 'QuestionModule',
  tableName: 'question_module',
  properties: {
    questionId: p.uuid().primary(),
    moduleId: p.uuid().primary(),
  },
});
export type IQuestionModule = InferEntity<typeof QuestionModule>;
