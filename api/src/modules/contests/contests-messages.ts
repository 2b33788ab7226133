import { registerMessages } from '../../lib/i18n.js';

/** Reasons of knowledge contests: defining, joining, answering and hosting. */
registerMessages({
  'contest.closes_before_opens': { zh: '结束时间必须晚于开始时间', en: 'must be after the opening time' },
  'contest.timed_needs_draw': { zh: '限时赛需要设置抽题范围和题数', en: 'a time-boxed contest needs a draw: where from and how many' },
  'contest.draw_needs_source': { zh: '抽题需要选择分类或标签', en: 'a draw needs a category or a tag' },
  'contest.question_twice': { zh: '同一道题出现了两次', en: 'this question is already in the contest' },
  'contest.unknown_question': { zh: '题目不存在', en: 'no such question' },
  'contest.question_not_active': { zh: '该题目未启用，不能用于竞赛', en: 'this question is not active and cannot be used' },
  'contest.question_type': { zh: '竞赛只能用单选、多选、判断和填空题', en: 'contests use single choice, multiple choice, true/false and fill-in questions only' },
  'contest.pool_too_small': { zh: '题库中符合条件的题目只有 {pool} 道，不够抽 {count} 道', en: 'the pool has only {pool} questions, fewer than the {count} to draw' },
  'contest.no_questions': { zh: '竞赛至少要有一道题', en: 'the contest needs at least one question' },
  'contest.already_finished': { zh: '竞赛已经结束', en: 'the contest has finished' },
  'contest.already_started': { zh: '竞赛已经开始', en: 'the contest has already started' },
  'contest.not_live': { zh: '这不是现场竞赛', en: 'this is not a live contest' },
  'contest.not_joined': { zh: '请先加入竞赛再答题', en: 'join the contest before answering' },
  'contest.window_closed': { zh: '本题答题时间已到，答案未被记录', en: 'time was up for this question; the answer was not recorded' },
  'contest.not_open_yet': { zh: '这道题还没有开始', en: 'this question has not started yet' },
  'contest.paused': { zh: '主持人已暂停，请稍候再答', en: 'the host has paused the contest; answer when it resumes' },
  'contest.stale_screen': { zh: '竞赛进度已在别处推进，页面已刷新', en: 'the contest moved on elsewhere; the screen has been refreshed' },
  'contest.cannot_pause': { zh: '只有进行中的题目可以暂停', en: 'only an open question can be paused' },
  'contest.not_paused': { zh: '竞赛没有暂停', en: 'the contest is not paused' },
  'contest.nothing_to_skip': { zh: '当前没有可跳过的题目', en: 'there is no question to skip' },
  'contest.not_open_yet_period': { zh: '竞赛还没有开始', en: 'the contest has not opened yet' },
  'contest.pool_too_small_now': { zh: '题库中已没有可抽的题目，请联系组织者', en: 'the bank has no questions left to draw; tell the organiser' },
  'contest.run_not_started': { zh: '请先开始答题', en: 'start your run first' },
});
