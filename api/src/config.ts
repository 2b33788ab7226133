import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  HOST: Type.String({ default: '0.0.0.0' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATA_DIR: Type.String({ default: './data' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  SEED_DEMO: Type.Boolean({ default: true }),
  DEMO_PASSWORD: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  COOKIE_SECURE: Type.Optional(Type.Boolean()),
  TRUST_PROXY: Type.Boolean({ default: false }),
  CONTENT_DIR: Type.String({ default: './content' }),
  WEB_BUILD_DIR: Type.String({ default: './web/build' }),
});

export type Env = Static<typeof EnvSchema>;

export interface AppConfig {
  readonly env: Env['NODE_ENV'];
  readonly host: string;
  readonly port: number;
  /** Absent: embedded PGlite under dataDir. */
  readonly databaseUrl?: string;
  readonly databasePoolMax: number;
  readonly dataDir: string;
  readonly jwtSecret: string;
  readonly seedDemo: boolean;
  readonly demoPassword?: string;
  readonly logLevel: string;
  readonly cookieSecure: boolean;
  readonly trustProxy: boolean;
  readonly contentDir: string;
  readonly webBuildDir: string;
}

export class ConfigError extends Error {}

function coerce(raw: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const v = raw[key];
    if (v === undefined || v === '') continue;
    out[key] = v;
  }
  return out;
}

/** Reads the environment once, checks it against the schema and fails fast with every problem listed. */
export function loadConfig(raw: NodeJS.ProcessEnv = process.env): AppConfig {
  const input = Value.Default(EnvSchema, Value.Convert(EnvSchema, coerce(raw)));
  const errors = [...Value.Errors(EnvSchema, input)];
  if (errors.length) {
    const lines = errors.map((e) => `  ${e.path.slice(1) || '(root)'}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = input as Env;
  const dataDir = resolve(env.DATA_DIR);
  let jwtSecret = env.JWT_SECRET;
  if (!jwtSecret) {
    if (env.NODE_ENV === 'production') {
      throw new ConfigError('JWT_SECRET must be set in production (at least 32 characters, e.g. `openssl rand -base64 48`).');
    }
    jwtSecret = developmentSecret(dataDir);
  }
  return Object.freeze({
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    dataDir,
    jwtSecret,
    seedDemo: env.SEED_DEMO,
    demoPassword: env.DEMO_PASSWORD,
    logLevel: env.LOG_LEVEL,
    cookieSecure: env.COOKIE_SECURE ?? env.NODE_ENV === 'production',
    trustProxy: env.TRUST_PROXY,
    contentDir: resolve(env.CONTENT_DIR),
    webBuildDir: resolve(env.WEB_BUILD_DIR),
  });
}

/** In development a secret is generated once and kept beside the data, so sessions survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
