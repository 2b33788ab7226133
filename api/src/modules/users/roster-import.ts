import { randomUUID } from 'node:crypto';
import { raw, type EntityManager } from '@mikro-orm/core';
import { invalid } from '../../lib/errors.js';
import { formatBytes, importLimitExceeded, ROSTER_IMPORT_LIMITS } from '../../lib/import-limits.js';
import { t, type Lang } from '../../lib/i18n.js';
import { runWorker } from '../../lib/worker.js';
import type { Actor } from '../../access/actor.js';
import { checkPasswordPolicy, hashPassword } from './password.js';
import { revokeAllSessions } from './sessions.js';
import { unitsByNamePath } from '../org-units/org-units.service.js';
import { POSITIONS, ROLES, User, type IUser, type Position, type Role } from './user.entity.js';
import type { RosterParse } from './roster-parse.worker.js';
import { generatePassword } from './users.service.js';

const PARSE_WORKER = new URL('./roster-parse.worker.ts', import.meta.url);

/** Header names accepted for each column, in English and Chinese. */
const COLUMNS = {
  username: ['employee_number', 'employee number', 'username', '工号', '员工编号'],
  displayName: ['name', 'display_name', '姓名'],
  position: ['position', '岗位', '职务'],
  orgUnitPath: ['org_unit_path', 'org unit path', 'org_unit', '组织路径', '所属单位', '部门'],
  role: ['role', '角色'],
} as const;
type Column = keyof typeof COLUMNS;
export const ROSTER_HEADER = 'employee_number,name,position,org_unit_path,role';

const POSITION_ALIASES: Record<string, Position> = {
  客户经理: 'account_manager', 营销经理: 'marketing_manager', 市场经理: 'marketing_manager', 培训师: 'trainer',
  部门负责人: 'department_head', 营销部主任: 'department_head', 管理员: 'administrator', 系统管理员: 'administrator',
};
const ROLE_ALIASES: Record<string, Role> = { 员工: 'staff', 营销人员: 'staff', 培训师: 'trainer', 经理: 'manager', 管理人员: 'manager', 管理员: 'admin' };

interface RowIssue { field: string; code: string; params?: Record<string, unknown> }
interface PlannedRow {
  line: number; username: string; displayName: string; position?: Position; role?: Role; orgUnitId?: string;
  action: 'create' | 'update' | 'unchanged' | 'error'; changes: string[]; issues: RowIssue[]; existing?: IUser;
  temporaryPassword?: string;
}

export interface ImportOptions { content: string; dryRun: boolean; skipInvalid: boolean; initialPassword?: string }

/**
 * Plans the whole file first (every row's result and every error with its line), then, unless it is a dry run,
 * applies it in one transaction. Idempotent by employee number: a row equal to the account changes nothing.
 */
export async function importUsers(em: EntityManager, _actor: Actor, lang: Lang, opts: ImportOptions) {
  const fileErrors: { line: number; code: string; message: string }[] = [];
  const report = (rows: PlannedRow[], applied: boolean) => ({
    dryRun: opts.dryRun,
    applied,
    counts: {
      create: rows.filter((r) => r.action === 'create').length,
      update: rows.filter((r) => r.action === 'update').length,
      unchanged: rows.filter((r) => r.action === 'unchanged').length,
      error: rows.filter((r) => r.action === 'error').length,
    },
    rows: rows.map((r) => ({
      line: r.line, username: r.username, displayName: r.displayName, action: r.action, changes: r.changes,
      errors: r.issues.map((i) => ({ field: i.field, code: i.code, message: t(lang, i.code, i.params) })),
      ...(r.temporaryPassword ? { temporaryPassword: r.temporaryPassword } : {}),
    })),
    fileErrors,
  });
  if (opts.initialPassword !== undefined) {
    const issues = checkPasswordPolicy(opts.initialPassword, undefined, 'initialPassword');
    if (issues.length) throw invalid(issues);
  }
  if (Buffer.byteLength(opts.content, 'base64') > ROSTER_IMPORT_LIMITS.maxFileBytes) {
    throw importLimitExceeded('import.file_too_large', formatBytes(ROSTER_IMPORT_LIMITS.maxFileBytes));
  }
  // Decoding and splitting a few megabytes of CSV is CPU work: it runs in a worker thread, off the event loop.
  const parsed = await runWorker<string, RosterParse>(PARSE_WORKER, opts.content);
  if (!parsed.ok) {
    fileErrors.push({ line: 0, code: parsed.reason, message: t(lang, parsed.reason) });
    return report([], false);
  }
  if (parsed.error) fileErrors.push({ line: parsed.error.line, code: parsed.error.reason, message: t(lang, parsed.error.reason) });
  const [header, ...records] = parsed.records;
  if (records.length > ROSTER_IMPORT_LIMITS.maxRows) throw importLimitExceeded('import.too_many_rows', ROSTER_IMPORT_LIMITS.maxRows);
  if (!header) {
    fileErrors.push({ line: 0, code: 'import.empty', message: t(lang, 'import.empty') });
    return report([], false);
  }
  const index = new Map<Column, number>();
  header.fields.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    for (const [col, aliases] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
      if (aliases.includes(key)) index.set(col, i);
    }
  });
  if (index.size !== Object.keys(COLUMNS).length) {
    fileErrors.push({ line: header.line, code: 'import.bad_header', message: t(lang, 'import.bad_header', { expected: ROSTER_HEADER }) });
    return report([], false);
  }

  const units = await unitsByNamePath(em);
  const seen = new Map<string, number>();
  const planned: PlannedRow[] = [];
  const usernames = records.map((r) => (r.fields[index.get('username')!] ?? '').trim().toLowerCase()).filter(Boolean);
  // One read, by the expression the unique index covers.
  const existing = usernames.length ? await em.find(User, { [raw((alias) => `lower(${alias}.username)`)]: { $in: usernames } }) : [];
  const byName = new Map(existing.map((u) => [u.username.toLowerCase(), u]));

  for (const rec of records) {
    const get = (c: Column) => (rec.fields[index.get(c)!] ?? '').trim();
    const row: PlannedRow = { line: rec.line, username: get('username'), displayName: get('displayName'), action: 'error', changes: [], issues: [] };
    if (rec.fields.length !== header.fields.length) {
      row.issues.push({ field: '*', code: 'import.columns', params: { expected: header.fields.length, actual: rec.fields.length } });
    }
    if (!row.username) row.issues.push({ field: 'employee_number', code: 'field.required' });
    else if (!/^[A-Za-z0-9._-]{2,64}$/.test(row.username)) row.issues.push({ field: 'employee_number', code: 'field.pattern' });
    else {
      const key = row.username.toLowerCase();
      if (seen.has(key)) row.issues.push({ field: 'employee_number', code: 'import.duplicate_in_file', params: { line: seen.get(key) } });
      else seen.set(key, rec.line);
    }
    if (!row.displayName) row.issues.push({ field: 'name', code: 'field.required' });
    else if (row.displayName.length > 100) row.issues.push({ field: 'name', code: 'field.max_length', params: { limit: 100 } });
    const pos = get('position');
    const position = (POSITIONS as readonly string[]).includes(pos) ? (pos as Position) : POSITION_ALIASES[pos];
    if (!position) row.issues.push({ field: 'position', code: pos ? 'import.bad_position' : 'field.required', params: { value: pos } });
    const roleText = get('role').toLowerCase();
    const role = (ROLES as readonly string[]).includes(roleText) ? (roleText as Role) : ROLE_ALIASES[get('role')];
    if (!role) row.issues.push({ field: 'role', code: roleText ? 'import.bad_role' : 'field.required' });
    const path = get('orgUnitPath').split('/').map((s) => s.trim()).filter(Boolean).join('/');
    const unit = units.get(path);
    if (!path) row.issues.push({ field: 'org_unit_path', code: 'field.required' });
    else if (!unit) row.issues.push({ field: 'org_unit_path', code: 'import.unknown_path', params: { path } });
    row.position = position;
    row.role = role;
    row.orgUnitId = unit?.id;
    if (!row.issues.length) {
      const current = byName.get(row.username.toLowerCase());
      if (!current) row.action = 'create';
      else {
        row.existing = current;
        if (current.displayName !== row.displayName) row.changes.push('name');
        if (current.position !== position) row.changes.push('position');
        if (current.role !== role) row.changes.push('role');
        if (current.orgUnitId !== unit!.id) row.changes.push('org_unit_path');
        row.action = row.changes.length ? 'update' : 'unchanged';
      }
    }
    planned.push(row);
  }

  const hasErrors = fileErrors.length > 0 || planned.some((r) => r.action === 'error');
  // A file-level problem (an unbalanced quote swallows the rows after it) blocks any apply, even of "valid" rows.
  if (opts.dryRun || fileErrors.length > 0 || (hasErrors && !opts.skipInvalid)) return report(planned, false);

  await em.transactional(async (tx) => {
    // New accounts share one hash when one initial password is given; each generated password gets its own.
    const sharedHash = opts.initialPassword ? await hashPassword(opts.initialPassword) : undefined;
    for (const row of planned) {
      if (row.action === 'create') {
        const password = opts.initialPassword ?? generatePassword();
        if (!opts.initialPassword) row.temporaryPassword = password;
        tx.create(User, {
          id: randomUUID(), username: row.username, displayName: row.displayName, role: row.role!, position: row.position!,
          orgUnitId: row.orgUnitId!, passwordHash: sharedHash ?? (await hashPassword(password)), locale: null,
          disabled: false, mustChangePassword: true,
        });
      } else if (row.action === 'update') {
        const u = await tx.findOneOrFail(User, { id: row.existing!.id });
        Object.assign(u, { displayName: row.displayName, position: row.position, role: row.role, orgUnitId: row.orgUnitId });
        // A new role takes effect at the next sign-in: the person's sessions end, as with a role change by hand.
        if (row.changes.includes('role')) await revokeAllSessions(tx, u.id, new Date());
      }
    }
  });
  return report(planned, true);
}
