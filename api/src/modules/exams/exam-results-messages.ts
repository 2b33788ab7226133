import { registerMessages } from '../../lib/i18n.js';

/** Texts of exam results and their exports. */
registerMessages({
  'results.col.username': { zh: '工号', en: 'Username' },
  'results.col.name': { zh: '姓名', en: 'Name' },
  'results.col.unit': { zh: '部门', en: 'Unit' },
  'results.col.attempts': { zh: '作答次数', en: 'Attempts' },
  'results.col.score': { zh: '得分', en: 'Score' },
  'results.col.max': { zh: '满分', en: 'Out of' },
  'results.col.percent': { zh: '得分率（%）', en: 'Percent' },
  'results.col.outcome': { zh: '结果', en: 'Outcome' },
  'results.col.submitted': { zh: '交卷时间', en: 'Submitted' },
  'results.outcome.passed': { zh: '合格', en: 'Passed' },
  'results.outcome.failed': { zh: '不合格', en: 'Failed' },
  'results.outcome.ungraded': { zh: '待阅卷', en: 'Awaiting grading' },
  'results.outcome.in_progress': { zh: '作答中', en: 'In progress' },
  'results.outcome.not_started': { zh: '未开始', en: 'Not started' },
  'results.outcome.missed': { zh: '缺考', en: 'Missed' },
  'results.no_answer': { zh: '未作答', en: 'No answer' },
  'results.true': { zh: '对', en: 'True' },
  'results.false': { zh: '错', en: 'False' },
});
