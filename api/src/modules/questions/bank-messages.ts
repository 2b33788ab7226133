import { registerMessages } from '../../lib/i18n.js';

/** Texts of the question bank's own problems and report entries (the model's and formats' are in questionMessages). */
export const bankMessages: Record<string, { zh: string; en: string }> = {
  question: { zh: '题目', en: 'question' },
  question_version: { zh: '题目版本', en: 'question version' },
  question_category: { zh: '题目分类', en: 'question category' },
  'bank.key_taken': { zh: '该编号在该语言的题库中已被使用', en: 'this key is already used in this language' },
  'bank.stale_version': { zh: '题目已被他人修改（现为第 {current} 版），请重新打开后再改', en: 'someone else changed the question (it is now version {current}); reopen it and edit again' },
  'bank.no_back_to_draft': { zh: '已启用或已停用的题目不能改回草稿', en: 'an active or retired question cannot go back to draft' },
  'bank.needs_tags': { zh: '请填写标签', en: 'give at least one tag' },
  'bank.needs_category': { zh: '请选择或填写分类', en: 'give a category' },
  'bank.not_activated': { zh: '题目“{key}”不完整，不能启用：{reason}', en: 'question "{key}" is incomplete and cannot be activated: {reason}' },
  'bank.file_too_large': { zh: '文件超过 {max}', en: 'the file is larger than {max}' },
  'bank.same_as_line': { zh: '与第 {line} 行的题目相同', en: 'the same question as on line {line}' },
  'bank.matches_existing': { zh: '题库中已有相同的题目（{key}）', en: 'the bank already holds this question ({key})' },
  'bank.export_none': { zh: '所选题目都不能导出为 {format}', en: 'none of the selected questions can be written as {format}' },
  'bank.empty_selection': { zh: '没有选中任何题目', en: 'no questions are selected' },
};

/** Chinese for the reasons the exporters give (in English) for leaving a question out. */
export const exportReasonsZh: Record<string, string> = {
  'ordering questions have no GIFT form': '排序题没有对应的 GIFT 写法',
  'GIFT short answer holds exactly one blank': 'GIFT 的填空题只能有一个空',
  'an accepted answer contains "->"': '某个答案中含有“->”',
  'an accepted answer starts with "%"': '某个答案以“%”开头',
  'fewer than two options': '选项少于两个',
  'a single-choice question needs exactly one correct option': '单选题必须恰有一个正确选项',
  'an option starts with "%"': '某个选项以“%”开头',
  'a left item is empty or contains "->"': '配对题左侧有空项或含有“->”',
  'fewer than two pairs': '配对少于两组',
  'Aiken holds choice questions only': 'Aiken 格式只能保存选择题',
  'Aiken needs 2 to 26 options': 'Aiken 格式需要 2 到 26 个选项',
  'the correct options are not clear': '正确选项不明确',
  'a multiple-choice question with one correct option reads back as single choice': '只有一个正确选项的多选题会被读回为单选题',
  'a line of the stem looks like an option or an answer': '题干中有一行看起来像选项或答案',
  'the stem starts with a number that would be read as numbering': '题干以数字开头，会被当作题号',
  'an option has an empty line': '某个选项中有空行',
  'a line of an option looks like an option, an answer or a number': '某个选项中有一行看起来像选项、答案或题号',
  'a tag or module contains a separator (| , ;)': '标签或模块中含有分隔符（| , ;）',
  'more than 8 options': '选项超过 8 个',
  'more than 8 items': '排序项超过 8 个',
  'feedback on a blank answer has no column': '填空答案的反馈没有对应的列',
  'feedback on more than 8 answers': '超过 8 个数值答案带有反馈',
};

registerMessages(bankMessages);
