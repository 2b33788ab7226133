import { Type } from '@sinclair/typebox';
import { Base64File, Obj, Uuid } from '../../lib/schema.js';
import { LOCALES, POSITIONS, ROLES } from './user.entity.js';

export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const PositionSchema = Type.Union(POSITIONS.map((r) => Type.Literal(r)));
export const LocaleSchema = Type.Union(LOCALES.map((r) => Type.Literal(r)));
const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
const DisplayName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
export const Password = Type.String({ minLength: 1, maxLength: 1024 });

export const UserSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  position: Type.String(),
  orgUnitId: Uuid,
  orgUnitName: Type.Optional(Type.String()),
  locale: Type.Union([LocaleSchema, Type.Null()]),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ListUsersQuery = Obj({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  orgUnitId: Type.Optional(Uuid),
  role: Type.Optional(RoleSchema),
  position: Type.Optional(PositionSchema),
  disabled: Type.Optional(Type.Boolean()),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

export const CreateUserBody = Obj({
  username: Username, displayName: DisplayName, role: RoleSchema, position: PositionSchema, orgUnitId: Uuid,
  password: Password, locale: Type.Optional(LocaleSchema),
});

export const UpdateUserBody = Obj({
  displayName: Type.Optional(DisplayName), role: Type.Optional(RoleSchema), position: Type.Optional(PositionSchema),
  orgUnitId: Type.Optional(Uuid), disabled: Type.Optional(Type.Boolean()), locale: Type.Optional(Type.Union([LocaleSchema, Type.Null()])),
}, { minProperties: 1 });

export const ResetPasswordBody = Obj({ password: Type.Optional(Password) });
export const UserParams = Obj({ userId: Uuid });

export const ImportUsersBody = Obj({
  /**
   * The CSV file's bytes, base64: the server finds the encoding (UTF-8, or GB18030 as Excel writes in Chinese).
   * May be empty: an empty file gets the import report's "file is empty", not a field error.
   */
  content: Base64File(),
  dryRun: Type.Boolean({ default: true }),
  /** Apply the valid rows even when others have errors. */
  skipInvalid: Type.Boolean({ default: false }),
  /** Initial password for accounts the import creates; absent: one is generated per account. */
  initialPassword: Type.Optional(Password),
});

export const ImportRowSchema = Type.Object({
  line: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('unchanged'), Type.Literal('error')]),
  changes: Type.Array(Type.String()),
  errors: Type.Array(Type.Object({ field: Type.String(), code: Type.String(), message: Type.String() })),
  temporaryPassword: Type.Optional(Type.String()),
});

export const ImportReportSchema = Type.Object({
  dryRun: Type.Boolean(),
  applied: Type.Boolean(),
  counts: Type.Object({ create: Type.Integer(), update: Type.Integer(), unchanged: Type.Integer(), error: Type.Integer() }),
  rows: Type.Array(ImportRowSchema),
  fileErrors: Type.Array(Type.Object({ line: Type.Integer(), code: Type.String(), message: Type.String() })),
});
