// Strings of the app's frame: the navigation, the "more" sheet and the shared list and sheet patterns.
// Every key must exist in both languages.
const zh = {
  'nav.more': '更多',
  'nav.moreTitle': '全部功能',
  'nav.main': '主要功能',
  'sheet.close': '关闭',
} as const;

export const ui: { zh: typeof zh; en: Record<keyof typeof zh, string> } = {
  zh,
  en: {
    'nav.more': 'More',
    'nav.moreTitle': 'All destinations',
    'nav.main': 'Main destinations',
    'sheet.close': 'Close',
  },
};
