import { OrgUnit } from '../modules/org-units/org-unit.entity.js';
import { User } from '../modules/users/user.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { CourseModule, ModuleRevision, Track } from '../modules/courses/course.entity.js';
import { Question, QuestionCategory, QuestionUsage, QuestionVersion } from '../modules/questions/question.entity.js';

export const entities = [OrgUnit, User, RefreshToken, Track, CourseModule, ModuleRevision, QuestionCategory, Question, QuestionVersion, QuestionUsage];
