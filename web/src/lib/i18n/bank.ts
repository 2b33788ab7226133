// Strings of the question bank screens. Every key must exist in both languages.
const zh = {
  'nav.bank': '题库',
} as const;

export const bank: { zh: typeof zh; en: Record<keyof typeof zh, string> } = {
  zh,
  en: {
    'nav.bank': 'Question bank',
  },
};
