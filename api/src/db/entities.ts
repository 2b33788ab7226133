import { OrgUnit } from '../modules/org-units/org-unit.entity.js';
import { User } from '../modules/users/user.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { CourseModule, ModuleRevision, Track } from '../modules/courses/course.entity.js';

export const entities = [OrgUnit, User, RefreshToken, Track, CourseModule, ModuleRevision];
