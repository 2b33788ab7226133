/** The roles a person can hold. Nothing else in the code lists roles: it asks `can()` (permissions.ts). */
export const ROLES = ['staff', 'trainer', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);
