import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tz } from '../../db/columns.js';

/** The fingerprint of the shipped files at a start-up sync's last successful run (content/sync-state.ts). */
export const SyncState = defineEntity({
  name: 'SyncState',
  tableName: 'sync_state',
  properties: {
    name: p.text().primary(),
    fingerprint: p.text(),
    syncedAt: tz().defaultRaw('now()').onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type ISyncState = InferEntity<typeof SyncState>;
