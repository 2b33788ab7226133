import { registerMessages } from '../../lib/i18n.js';

/** Reasons of speech contests: setting one up, scoring, closing and publishing. */
registerMessages({
  'speech.unknown_person': { zh: '人员不存在或不在您的管理范围内', en: 'no such person in your scope' },
  'speech.speaker_twice': { zh: '同一个人重复出现在演讲者中', en: 'this person is already a speaker' },
  'speech.judge_twice': { zh: '同一个人重复出现在评委中', en: 'this person is already a judge' },
  'speech.judge_role': { zh: '评委必须是培训师或管理人员', en: 'a judge must be a trainer or a manager' },
  'speech.unknown_criterion': { zh: '评分项不存在', en: 'no such criterion' },
  'speech.criterion_twice': { zh: '同一评分项打了两次分', en: 'this criterion is marked twice' },
  'speech.criterion_missing': { zh: '请为每个评分项打分', en: 'mark every criterion' },
  'speech.above_max': { zh: '不能高于该项满分 {max}', en: 'must be at most {max}' },
  'speech.not_judge': { zh: '您不是本场比赛的评委', en: 'you are not on this contest\'s panel' },
  'speech.self_scoring': { zh: '评委不能为自己的演讲打分', en: 'a judge cannot score their own speech' },
  'speech.scoring_closed': { zh: '该演讲者的评分已结束', en: 'scoring for this speaker is closed' },
  'speech.already_published': { zh: '比赛成绩已发布', en: 'the results are already published' },
  'speech.speakers_open': { zh: '还有 {count} 位演讲者的评分未结束', en: 'scoring is still open for {count} speakers' },
  'speech.not_published': { zh: '比赛成绩尚未发布', en: 'the results are not published yet' },
});
