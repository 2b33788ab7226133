// Strings of the course, study and assignment screens. Every key must exist in both languages.
const zh = {
  'nav.learn': '课程学习',
  'nav.study': '学习记录',
  'nav.author': '课程编写',
  'nav.assignments': '学习任务',
  'nav.studyReview': '学习考勤',
} as const;

export const courses: { zh: typeof zh; en: Record<keyof typeof zh, string> } = {
  zh,
  en: {
    'nav.learn': 'Courses',
    'nav.study': 'Study log',
    'nav.author': 'Authoring',
    'nav.assignments': 'Assignments',
    'nav.studyReview': 'Attendance',
  },
};
