import { registerMessages } from '../../lib/i18n.js';

/** Reasons and texts of defining exams: the definition's checks, the blueprint, overrides, make-ups and the calendar. */
registerMessages({
  'exam.closes_before_opens': { zh: '结束时间必须晚于开始时间', en: 'must be after the opening time' },
  'exam.no_audience': { zh: '请选择岗位、单位或人员', en: 'choose positions, units or people' },
  'exam.audience_reaches_nobody': { zh: '所选范围内没有任何考生', en: 'reaches nobody' },
  'exam.no_items': { zh: '试卷至少要有一道题', en: 'the exam needs at least one question' },
  'exam.unknown_question': { zh: '题目不存在', en: 'no such question' },
  'exam.question_not_active': { zh: '该题目未启用，不能用于考试', en: 'this question is not active and cannot be used' },
  'exam.question_twice': { zh: '同一道题出现了两次', en: 'this question is already in the exam' },
  'exam.unknown_category': { zh: '题目分类不存在', en: 'no such category' },
  'exam.draw_needs_source': { zh: '随机抽题需要选择分类或标签', en: 'a random draw needs a category or a tag' },
  'exam.pool_too_small': { zh: '题库中符合条件的启用题目只有 {pool} 道，不够抽 {count} 道', en: 'the pool has only {pool} active questions, fewer than the {count} to draw' },
  'exam.pass_mark_above_max': { zh: '及格分不能高于满分 {max}', en: 'must be at most the maximum, {max} points' },
  'exam.not_draft': { zh: '只有草稿状态的考试可以发布', en: 'only a draft exam can be published' },
  'exam.archived': { zh: '考试已归档，不能再修改', en: 'the exam is archived and cannot be changed' },
  'exam.blueprint_locked': { zh: '已有考生作答，试卷内容不能再修改；如需修改，请复制为新考试', en: 'people have already started this exam, so its questions cannot change; clone it into a new exam instead' },
  'exam.not_published': { zh: '只有已发布的考试可以安排补考', en: 'only a published exam can have a make-up' },
  'exam.nobody_missed': { zh: '所有考生都已交卷，无需补考', en: 'everyone has submitted this exam; nobody needs a make-up' },
  'exam.not_in_audience': { zh: '此人不在本次考试的考生范围内', en: 'this person is not in the exam\'s audience' },
  'exam.override_empty': { zh: '请设置新的时间、延长时间或增加次数', en: 'set another window, extra minutes or extra attempts' },
  'exam.makeup_title_zh': { zh: '{title}（补考）', en: '{title}（补考）' },
  'exam.makeup_title_en': { zh: '{title} (make-up)', en: '{title} (make-up)' },
  'exam.calendar_none': { zh: '{unit}本月没有月考', en: '{unit} has no monthly exam this month' },
  'exam.calendar_too_many': { zh: '{unit}本月有 {count} 场月考，多于两场', en: '{unit} has {count} monthly exams this month, more than two' },
});
