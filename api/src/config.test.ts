import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'config-test-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const SECRET = 'a-production-secret-of-enough-length-0123456789';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('loadConfig', () => {
  it('refuses production without JWT_SECRET, saying what to do', () => {
    const err = errorOf(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: join(dir, 'prod') }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/JWT_SECRET must be set in production/);
    expect(err.message).toMatch(/32 characters/);
    // And it wrote no secret of its own.
    expect(existsSync(join(dir, 'prod', 'jwt-secret'))).toBe(false);
  });

  it('accepts production with a secret, and defaults cookies to Secure there', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, DATA_DIR: join(dir, 'prod2') });
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.cookieSecure).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses PORT=abc naming the field, and lists every problem at once', () => {
    const err = errorOf(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', JWT_SECRET: SECRET }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^Invalid configuration:/);
    expect(err.message).toMatch(/^\s+PORT: /m);
    expect(err.message).toMatch(/^\s+LOG_LEVEL: /m);
    expect(errorOf(() => loadConfig({ PORT: '70000', JWT_SECRET: SECRET })).message).toMatch(/PORT/);
  });

  it('refuses a short JWT_SECRET and a DATABASE_URL that is not PostgreSQL', () => {
    expect(errorOf(() => loadConfig({ JWT_SECRET: 'short' })).message).toMatch(/JWT_SECRET/);
    expect(errorOf(() => loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: 'mysql://x/y' })).message).toMatch(/DATABASE_URL/);
  });

  it('generates a development secret once in DATA_DIR and reuses it', () => {
    const dataDir = join(dir, 'dev');
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.env).toBe('development');
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    const file = join(dataDir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwtSecret);
    expect(statSync(file).mode & 0o077).toBe(0); // readable by the owner only
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.jwtSecret).toBe(first.jwtSecret);
    const elsewhere = loadConfig({ DATA_DIR: join(dir, 'dev2') });
    expect(elsewhere.jwtSecret).not.toBe(first.jwtSecret);
  });

  it('parses booleans and numbers from strings, with defaults for the rest', () => {
    const off = loadConfig({ SEED_DEMO: 'false', PORT: '8080', TRUST_PROXY: 'true', JWT_SECRET: SECRET });
    expect(off.seedDemo).toBe(false);
    expect(off.port).toBe(8080);
    expect(off.trustProxy).toBe(true);
    const defaults = loadConfig({ JWT_SECRET: SECRET, SEED_DEMO: '' });
    expect(defaults.seedDemo).toBe(true);
    expect(defaults.port).toBe(3000);
    expect(defaults.cookieSecure).toBe(false);
    expect(defaults.databaseUrl).toBeUndefined();
    expect(loadConfig({ JWT_SECRET: SECRET, SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(errorOf(() => loadConfig({ JWT_SECRET: SECRET, SEED_DEMO: 'maybe' })).message).toMatch(/SEED_DEMO/);
  });
});
