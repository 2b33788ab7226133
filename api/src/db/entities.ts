import { OrgUnit } from '../modules/org-units/org-unit.entity.js';
import { User } from '../modules/users/user.entity.js';
import { RefreshToken } from '../modules/users/refresh-token.entity.js';
import { LoginThrottle } from '../modules/auth/login-throttle.entity.js';
import { CourseModule, ModuleAsset, ModuleRevision, Track } from '../modules/courses/course.entity.js';
import { StudyClock, StudyDaily, StudyProgress, StudySession } from '../modules/study/study.entity.js';
import { Assignment } from '../modules/assignments/assignment.entity.js';
import { RecordChange } from '../modules/corrections/record-change.entity.js';
import { Question, QuestionCategory, QuestionUsage, QuestionVersion } from '../modules/questions/question.entity.js';
import { QuestionModule } from '../modules/questions/question-module.entity.js';
import { SyncState } from '../modules/content/sync-state.entity.js';
import { examEntities } from '../modules/exams/exam.entity.js';
import { contestEntities } from '../modules/contests/contest.entity.js';

/** Every table has its entity here; tests/integration/schema.test.ts proves they and the migrations agree. */
export const entities = [
  OrgUnit, User, RefreshToken, LoginThrottle, Track, CourseModule, ModuleRevision, ModuleAsset,
  StudyProgress, StudyDaily, StudySession, Assignment,
  StudyClock, RecordChange,
  QuestionCategory, Question, QuestionVersion, QuestionModule, QuestionUsage,
  SyncState,
  ...examEntities,
  ...contestEntities,
];
