// Strings of the app's frame: the navigation, the "more" sheet and the shared list and sheet patterns.
// Every key must exist in both languages.
const zh = {
  'nav.more': '更多',
  'nav.moreTitle': '全部功能',
  'nav.main': '主要功能',
  'sheet.close': '关闭',
  // Punctuation put between texts in templates: full-width in Chinese, ASCII with spaces in English.
  'punct.colon': '：',
  'punct.list': '、',
  'punct.paren': '（{text}）',
  'notFound.title': '找不到这个页面',
  'notFound.text': '地址 {path} 不存在，可能是输错了，或者页面已经移走。',
  'error.title': '页面打不开',
  'error.home': '返回首页',
  'error.backPrevious': '返回上一页',
} as const;

export const ui: { zh: typeof zh; en: Record<keyof typeof zh, string> } = {
  zh,
  en: {
    'nav.more': 'More',
    'nav.moreTitle': 'All destinations',
    'nav.main': 'Main destinations',
    'sheet.close': 'Close',
    'punct.colon': ': ',
    'punct.list': ', ',
    'punct.paren': ' ({text})',
    'notFound.title': 'Page not found',
    'notFound.text': 'There is no page at {path}. The address may be mistyped, or the page has moved.',
    'error.title': 'This page could not be opened',
    'error.home': 'Back to the home page',
    'error.backPrevious': 'Go back',
  },
};
