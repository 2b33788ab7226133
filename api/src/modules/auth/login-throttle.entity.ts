import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tz } from '../../db/columns.js';

/** Failed sign-ins per account or address within a window, and the block they earned (throttle.ts). */
export const LoginThrottle = defineEntity({
  name: 'LoginThrottle',
  tableName: 'login_throttle',
  properties: {
    key: p.string().length(200).primary(),
    failures: p.integer(),
    windowStartedAt: tz(),
    blockedUntil: tz().nullable(),
  },
});
export type ILoginThrottle = InferEntity<typeof LoginThrottle>;
