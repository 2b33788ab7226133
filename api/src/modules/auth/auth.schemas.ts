import { Type } from '@sinclair/typebox';
import { Obj } from '../../lib/schema.js';
import { LocaleSchema, Password, UserSchema } from '../users/users.schemas.js';

export const LoginBody = Obj({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Password,
  /** cookie (browser, default): tokens in httpOnly cookies. token (API clients): both tokens in the body. */
  mode: Type.Union([Type.Literal('cookie'), Type.Literal('token')], { default: 'cookie' }),
});

export const RefreshBody = Obj({ refreshToken: Type.Optional(Type.String({ maxLength: 200 })) });

export const SessionSchema = Type.Object({
  user: UserSchema,
  accessToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
  refreshToken: Type.Optional(Type.String()),
});

export const UpdateMeBody = Obj({
  locale: Type.Optional(LocaleSchema),
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
}, { minProperties: 1 });

export const ChangePasswordBody = Obj({ currentPassword: Password, newPassword: Password });
