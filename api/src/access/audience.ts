import { sql, type SqlFragment } from '../lib/sql.js';

/**
 * The one audience rule, for assignments now and exams and contests next. An audience is stored as four columns
 * on its own row: `positions text[]`, `org_unit_ids uuid[]`, `user_ids uuid[]` and `scope_path text` (the subtree
 * of the manager who made it; null for the whole organisation).
 *
 * It reaches a person when they are inside scope_path, and either they are named, or they match both the positions
 * and the org units given (each list that is empty matches anyone; both empty match nobody but the named).
 */
export interface AudienceColumns { positions: SqlFragment; orgUnitIds: SqlFragment; userIds: SqlFragment; scopePath: SqlFragment }
export interface PersonColumns { id: SqlFragment; position: SqlFragment; unitPath: SqlFragment }

/** The audience columns of a row under a table alias: `audienceOf('a')` for `assignment a`. */
export function audienceOf(alias: string): AudienceColumns {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`bad alias ${alias}`);
  return {
    positions: sql.raw(`${alias}.positions`), orgUnitIds: sql.raw(`${alias}.org_unit_ids`),
    userIds: sql.raw(`${alias}.user_ids`), scopePath: sql.raw(`${alias}.scope_path`),
  };
}

/** A person as the columns of `app_user u join org_unit o` (or other aliases). */
export function personOf(user: string, unit: string): PersonColumns {
  if (!/^[a-z_][a-z0-9_]*$/.test(user) || !/^[a-z_][a-z0-9_]*$/.test(unit)) throw new Error('bad alias');
  return { id: sql.raw(`${user}.id`), position: sql.raw(`${user}.position`), unitPath: sql.raw(`${unit}.path`) };
}

export function audienceReaches(a: AudienceColumns, p: PersonColumns): SqlFragment {
  return sql`(
    (${a.scopePath} is null or ${p.unitPath} like ${a.scopePath} || '%')
    and (${p.id} = any(${a.userIds})
         or ((cardinality(${a.positions}) > 0 or cardinality(${a.orgUnitIds}) > 0)
             and (cardinality(${a.positions}) = 0 or ${p.position} = any(${a.positions}))
             and (cardinality(${a.orgUnitIds}) = 0
                  or exists (select 1 from org_unit aou where aou.id = any(${a.orgUnitIds}) and ${p.unitPath} like aou.path || '%')))))`;
}

/** Who counts as a learner an audience can reach: active marketing staff. */
export function activeLearner(user: string): SqlFragment {
  if (!/^[a-z_][a-z0-9_]*$/.test(user)) throw new Error('bad alias');
  return sql.raw(`(${user}.role = 'staff' and not ${user}.disabled)`);
}
