import { registerMessages } from '../../lib/i18n.js';

/** Reasons of taking an exam: starting, saving, submitting and the review. */
registerMessages({
  'attempt.not_open_yet': { zh: '考试尚未开始，开始时间：{at}', en: 'the exam has not opened yet; it opens at {at}' },
  'attempt.exam_closed': { zh: '考试已结束', en: 'the exam has closed' },
  'attempt.none_left': { zh: '作答次数已用完（共 {allowed} 次）', en: 'no attempts left (you had {allowed})' },
  'attempt.wait': { zh: '请 {minutes} 分钟后再开始下一次作答', en: 'you can start the next attempt in {minutes} minutes' },
  'attempt.no_questions': { zh: '这场考试没有可抽取的题目，请联系培训师', en: 'this exam has no questions to draw; please tell your trainer' },
  'attempt.start_again': { zh: '没能开始作答，请再试一次', en: 'the attempt could not start; please try again' },
  'attempt.time_up': { zh: '作答时间已到，答卷已自动提交；这次保存的答案已留存，但不计分', en: 'time is up and the attempt was submitted; these answers were kept but do not count' },
  'attempt.already_submitted': { zh: '答卷已提交；这次保存的答案已留存，但不计分', en: 'the attempt is already submitted; these answers were kept but do not count' },
  'attempt.not_finished': { zh: '答卷尚未提交，提交后才能查看', en: 'the attempt is not submitted yet' },
  'attempt.slot_twice': { zh: '同一道题在一次保存中出现了两次', en: 'the same question appears twice in one save' },
  'attempt.unknown_slot': { zh: '答卷中没有这道题', en: 'no such question in this attempt' },
  'attempt.response_too_long': { zh: '答案太长', en: 'the answer is too long' },
});
