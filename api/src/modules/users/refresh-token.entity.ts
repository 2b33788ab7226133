import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tz } from '../../db/columns.js';

/**
 * A refresh token is stored only as its SHA-256. Tokens of one login share a `familyId`; rotation revokes the used
 * token and issues the next in the family, and presenting a revoked token revokes the whole family (theft signal).
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    familyId: p.uuid(),
    tokenHash: p.string().length(64).unique(),
    expiresAt: tz(),
    revokedAt: tz().nullable(),
    createdAt: tz(),
    userAgent: p.string().length(300).nullable(),
  },
});
export type IRefreshToken = InferEntity<typeof RefreshToken>;
