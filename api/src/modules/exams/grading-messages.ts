import { registerMessages } from '../../lib/i18n.js';

/** Reasons of manual grading and regrading. */
registerMessages({
  'grading.score_range': { zh: '得分必须在 0 到 {max} 之间', en: 'must be between 0 and {max}' },
  'grading.score_precision': { zh: '得分最多保留两位小数', en: 'may have at most two decimals' },
  'grading.attempt_not_finished': { zh: '答卷尚未交卷，不能评分', en: 'the attempt is not finished yet and cannot be graded' },
  'grading.not_manual': { zh: '该题由系统自动评分，不能人工评分', en: 'this question is scored automatically and cannot be graded by hand' },
  'grading.version_not_of_question': { zh: '该版本不属于所选题目', en: 'this version does not belong to the question' },
  'grading.question_not_in_exam': { zh: '该题目没有出现在本次考试中', en: 'this question does not appear in the exam' },
  'grading.no_current_version': { zh: '该题目没有当前版本，请指定目标版本', en: 'the question has no current version; name the version to regrade to' },
  'grading.type_changed': { zh: '目标版本的题型与考生作答的版本不同，无法重新评分', en: 'the version is of another question type than the one answered, so the answers cannot be scored again' },
});
