import { registerMessages } from '../../lib/i18n.js';

/** Texts of contest results and their exports. */
registerMessages({
  'contest_results.col.username': { zh: '工号', en: 'Username' },
  'contest_results.col.name': { zh: '姓名', en: 'Name' },
  'contest_results.col.unit': { zh: '部门', en: 'Unit' },
  'contest_results.col.points': { zh: '得分', en: 'Points' },
  'contest_results.col.rank': { zh: '名次', en: 'Rank' },
  'contest_results.col.players': { zh: '参赛人数', en: 'Players' },
  'contest_results.col.percentile': { zh: '百分位', en: 'Percentile' },
  'contest_results.col.team': { zh: '代表队', en: 'Team' },
});
