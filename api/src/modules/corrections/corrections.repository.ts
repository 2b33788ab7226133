/**
 * The audit trail of corrections (`record_change`): every edit and withdrawal of an attendance record or an
 * assignment is written here, field by field, with the reason given, in the same transaction as the change.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { FieldIssue } from '../../lib/errors.js';
import { registerMessages } from '../../lib/i18n.js';
import { exec, query, sql } from '../../lib/sql.js';

export type RecordType = 'study_session' | 'assignment';
export type Value = string | number | boolean | null | string[];

export interface FieldChange { field: string; oldValue: Value; newValue: Value }

/** The fields of `next` that differ from `prev` (arrays compared as sets, order ignored). */
export function changesBetween(prev: Record<string, Value>, next: Record<string, Value | undefined>): FieldChange[] {
  const same = (a: Value, b: Value) => Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')
    : a === b;
  return Object.entries(next)
    .filter((e): e is [string, Value] => e[1] !== undefined && !same(prev[e[0]], e[1]))
    .map(([field, newValue]) => ({ field, oldValue: prev[field], newValue }));
}

/** The reason given for a correction, trimmed; blank text is no reason, and says so at the `reason` field. */
export function correctionReason(reason: string, issues: FieldIssue[]): string {
  const r = reason.trim();
  if (!r) issues.push({ path: 'reason', reason: 'correction.reason_required' });
  return r;
}

export async function writeChanges(em: EntityManager, type: RecordType, id: string, action: 'update' | 'withdraw',
  changes: FieldChange[], reason: string, actorId: string, now: Date) {
  for (const c of changes) {
    await exec(em, sql`insert into record_change (id, record_type, record_id, action, field, old_value, new_value, reason, changed_by, changed_at)
      values (${randomUUID()}, ${type}, ${id}, ${action}, ${c.field}, ${JSON.stringify(c.oldValue)}::jsonb, ${JSON.stringify(c.newValue)}::jsonb,
              ${reason}, ${actorId}, ${now})`);
  }
}

export interface HistoryEntry {
  id: string; action: 'update' | 'withdraw'; field: string; oldValue: Value; newValue: Value; reason: string;
  changedBy: string; changedAt: string;
}

/** A record's changes, oldest first. The caller has already checked that the actor may see the record. */
export async function historyOf(em: EntityManager, type: RecordType, id: string): Promise<HistoryEntry[]> {
  const rows = await query<{ id: string; action: 'update' | 'withdraw'; field: string; old_value: Value; new_value: Value; reason: string; changed_by_name: string; changed_at: Date | string }>(em, sql`
    select c.id, c.action, c.field, c.old_value, c.new_value, c.reason, u.display_name as changed_by_name, c.changed_at
      from record_change c join app_user u on u.id = c.changed_by
     where c.record_type = ${type} and c.record_id = ${id}
     order by c.changed_at, c.action = 'withdraw', c.field, c.id`);
  return rows.map((r) => ({
    id: r.id, action: r.action, field: r.field, oldValue: r.old_value, newValue: r.new_value, reason: r.reason,
    changedBy: r.changed_by_name, changedAt: new Date(r.changed_at).toISOString(),
  }));
}

registerMessages({
  duplicate: { zh: '已有相同的记录，未保存任何内容：{reason}', en: 'Nothing was saved; this repeats an existing record: {reason}' },
  'correction.reason_required': { zh: '请说明修改原因', en: 'give the reason for the change' },
  'correction.nothing_changed': { zh: '没有要修改的内容', en: 'nothing would change' },
  'correction.withdrawn': { zh: '该记录已撤回，不能再修改', en: 'the record has been withdrawn and cannot be changed' },
  'study.duplicate_attendance': { zh: '同一天已有同类记录', en: 'already recorded for this day and kind' },
  'study.duplicate_person': { zh: '{name} 在 {day} 已有{kind}记录（{minutes} 分钟）', en: '{name} already has a {kind} record on {day} ({minutes} min)' },
  'assignment.duplicate': { zh: '已有相同对象、相同范围的学习任务', en: 'an active assignment has the same target and audience' },
  'assignment.duplicate_of': { zh: '“{name}”已布置给相同范围（{created}）', en: '"{name}" is already assigned to the same audience ({created})' },
  'kind.self_study': { zh: '自学', en: 'self-study' },
  'kind.morning_meeting': { zh: '早会学习', en: 'morning meeting' },
  'kind.evening_meeting': { zh: '晚会学习', en: 'evening meeting' },
  'kind.mass_training': { zh: '集中培训', en: 'mass training' },
  'kind.other': { zh: '其他学习', en: 'other study' },
});
