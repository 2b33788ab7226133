// Strings of the shared form pattern (lib/forms, components/form). Every key must exist in both languages.
const zh = {
  'form.required': '请填写此项',
  'form.choose': '请选择一项',
  'form.invalid': '填写的内容无效，请检查',
  'form.format': '格式不对',
  'form.minLength': '至少 {limit} 个字符',
  'form.maxLength': '最多 {limit} 个字符',
  'form.summaryOne': '请更正下面 1 处问题后再提交：',
  'form.summary': '请更正下面 {n} 处问题后再提交：',
  'form.summaryItem': '{label}：{message}',
  'form.range': '请填写 {min} 到 {max} 之间的整数',
  'form.choosePeople': '请至少勾选一人',
  'form.audience': '学习对象',
  'form.chooseAudience': '请至少选择一个岗位、单位或点名人员',
};

const en: Record<keyof typeof zh, string> = {
  'form.required': 'Fill this in',
  'form.choose': 'Choose one',
  'form.invalid': 'This is not valid; please check it',
  'form.format': 'Not in the expected format',
  'form.minLength': 'At least {limit} characters',
  'form.maxLength': 'At most {limit} characters',
  'form.summaryOne': 'Please correct 1 problem before submitting:',
  'form.summary': 'Please correct {n} problems before submitting:',
  'form.summaryItem': '{label}: {message}',
  'form.range': 'Enter a whole number from {min} to {max}',
  'form.choosePeople': 'Tick at least one person',
  'form.audience': 'Who it is for',
  'form.chooseAudience': 'Choose at least one position, unit or named person',
};

export const forms = { zh, en };
