import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdStamp } from '../../db/columns.js';

/**
 * One change to a record people rely on (an attendance record, an assignment): which field, its value before and
 * after, the reason given, who made it and when. Rows are only ever added; the history of a record is these rows.
 */
export const RecordChange = defineEntity({
  name: 'RecordChange',
  tableName: 'record_change',
  properties: {
    id: p.uuid().primary(),
    recordType: p.enum(['study_session', 'assignment']).columnType('varchar(20)'),
    recordId: p.uuid(),
    action: p.enum(['update', 'withdraw']).columnType('varchar(10)'),
    field: p.string().length(32),
    oldValue: p.json().nullable(),
    newValue: p.json().nullable(),
    reason: p.text(),
    changedBy: p.uuid(),
    changedAt: createdStamp(),
  },
});
export type IRecordChange = InferEntity<typeof RecordChange>;
