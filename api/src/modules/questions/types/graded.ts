/** What short answer and essay share: a rubric a person grades against, and a model answer. */
import { clean, defineType, MAX_TEXT, optText, OptText, questionForms } from './common.js';

const own = {
  /** What earns the points (markdown). Required in the bank, and before the question can be active. */
  rubric: OptText(),
  modelAnswer: OptText(),
};

export function gradedType<T extends 'short_answer' | 'essay'>(type: T, response: 'text' | 'long_text') {
  const forms = questionForms(type, own, own);
  return defineType({
    type,
    ...forms,
    manuallyGraded: true,
    normalise: (i) => clean({ rubric: optText(i.rubric), modelAnswer: optText(i.modelAnswer) }),
    validate(q, c) {
      if (q.rubric !== undefined || c.limits.requireRubric) c.text('rubric', q.rubric, MAX_TEXT, c.limits.requireRubric);
      if (q.modelAnswer !== undefined) c.text('modelAnswer', q.modelAnswer, MAX_TEXT, false);
    },
    learnerView: () => ({ response }),
    answerView: (q, tools) => ({ rubricHtml: tools.render(q.rubric), modelAnswerHtml: tools.render(q.modelAnswer) }),
    score: (_q, _r, s) => s.manual(),
    searchText: (q) => [q.rubric ?? '', q.modelAnswer ?? ''],
  });
}
