import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdStamp, tz, updatedStamp } from '../../db/columns.js';

export const ORG_UNIT_KINDS = ['company', 'county', 'area', 'team'] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];

/**
 * A node of the organisation tree. `path` is the materialised path of ids (`/rootId/childId/`), so a subtree is one
 * indexed prefix match and a move rewrites the prefix of every descendant in one statement.
 */
export const OrgUnit = defineEntity({
  name: 'OrgUnit',
  tableName: 'org_unit',
  properties: {
    id: p.uuid().primary(),
    name: p.string().length(120),
    nameEn: p.string().length(120).nullable(),
    kind: p.string().length(20),
    parentId: p.uuid().nullable(),
    path: p.text(),
    archivedAt: tz().nullable(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
  },
});
export type IOrgUnit = InferEntity<typeof OrgUnit>;
