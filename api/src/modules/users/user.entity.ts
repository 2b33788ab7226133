import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tz, createdStamp, updatedStamp } from '../../db/columns.js';

import { ROLES } from '../../access/roles.js';
export { ROLES, type Role } from '../../access/roles.js';

/** Positions of marketing staff and the other people who use the platform. */
export const POSITIONS = ['account_manager', 'marketing_manager', 'trainer', 'department_head', 'administrator'] as const;
export type Position = (typeof POSITIONS)[number];

export const LOCALES = ['zh', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const User = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: {
    id: p.uuid().primary(),
    /** Employee number; what people type to log in. */
    username: p.string().length(64).unique(),
    displayName: p.string().length(100),
    passwordHash: p.text().hidden(),
    role: p.enum([...ROLES]).columnType('varchar(16)'),
    position: p.string().length(32),
    orgUnitId: p.uuid(),
    locale: p.string().length(8).nullable(),
    disabled: p.boolean().default(false),
    mustChangePassword: p.boolean().default(false),
    passwordChangedAt: tz().nullable(),
    createdAt: createdStamp(),
    updatedAt: updatedStamp(),
  },
});
export type IUser = InferEntity<typeof User>;
