import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdStamp, day, textArray, tz, uuidArray } from '../../db/columns.js';

/**
 * A module or track assigned to an audience (access/audience.ts: positions, org units, named people, limited to
 * `scopePath`, the subtree of the manager who made it).
 */
export const Assignment = defineEntity({
  name: 'Assignment',
  tableName: 'assignment',
  properties: {
    id: p.uuid().primary(),
    targetType: p.enum(['module', 'track']).columnType('varchar(10)'),
    moduleId: p.uuid().nullable(),
    trackId: p.string().length(64).nullable(),
    positions: textArray(),
    orgUnitIds: uuidArray(),
    userIds: uuidArray(),
    scopePath: p.text().nullable(),
    dueOn: day().nullable(),
    note: p.text().default(''),
    createdBy: p.uuid(),
    createdAt: createdStamp(),
    archivedAt: tz().nullable(),
  },
});
export type IAssignment = InferEntity<typeof Assignment>;
