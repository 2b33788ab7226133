// Static list of migrations, in order. The Migrator gets this list instead of scanning a folder, because vitest on
// Node 20 cannot dynamically import a .ts migration from code inside node_modules.
import { Migration20261127000100_foundation } from './Migration20261127000100_foundation.js';
import { Migration20261127000200_courses } from './Migration20261127000200_courses.js';
import { Migration20261127000300_questions } from './Migration20261127000300_questions.js';

export const migrationsList = [
  { name: 'Migration20261127000100_foundation', class: Migration20261127000100_foundation },
  { name: 'Migration20261127000200_courses', class: Migration20261127000200_courses },
  { name: 'Migration20261127000300_questions', class: Migration20261127000300_questions },
];

import { Migration20261202000100_study_clock } from './Migration20261202000100_study_clock.js';
migrationsList.push({ name: 'Migration20261202000100_study_clock', class: Migration20261202000100_study_clock });

import { Migration20261202000200_question_rendered } from './Migration20261202000200_question_rendered.js';
migrationsList.push({ name: 'Migration20261202000200_question_rendered', class: Migration20261202000200_question_rendered });

import { Migration20261202000101_module_outline } from './Migration20261202000101_module_outline.js';
migrationsList.push({ name: 'Migration20261202000101_module_outline', class: Migration20261202000101_module_outline });

import { Migration20261202000300_corrections } from './Migration20261202000300_corrections.js';
migrationsList.push({ name: 'Migration20261202000300_corrections', class: Migration20261202000300_corrections });

import { Migration20261202000400_sync_state } from './Migration20261202000400_sync_state.js';
migrationsList.push({ name: 'Migration20261202000400_sync_state', class: Migration20261202000400_sync_state });

import { Migration20261203000100_exams } from './Migration20261203000100_exams.js';
migrationsList.push({ name: 'Migration20261203000100_exams', class: Migration20261203000100_exams });

import { Migration20261204000100_contests } from './Migration20261204000100_contests.js';
migrationsList.push({ name: 'Migration20261204000100_contests', class: Migration20261204000100_contests });
