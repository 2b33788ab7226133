import { hash, verify } from '@node-rs/argon2';
import type { FieldIssue } from '../../lib/errors.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane. `algorithm: 2` is Argon2id in
// @node-rs/argon2's const enum, which does not exist at run time when compiled in isolation.
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** A hash to verify against when the account does not exist, so both failures cost the same time. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-' + Math.random());
  return dummyHash;
}

function isTrivial(pw: string): boolean {
  const lower = pw.toLowerCase();
  if (/^(.)\1+$/.test(lower)) return true; // one character repeated
  const seqs = ['0123456789', '9876543210', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm'];
  return seqs.some((s) => s.includes(lower));
}

/** Length limits, the most common passwords, trivial sequences, and the employee number itself are refused. */
export function checkPasswordPolicy(password: string, username: string | undefined, path = 'password'): FieldIssue[] {
  const chars = [...password].length;
  if (chars < PASSWORD_MIN) return [{ path, reason: 'password.too_short', params: { min: PASSWORD_MIN } }];
  if (chars > PASSWORD_MAX) return [{ path, reason: 'password.too_long', params: { max: PASSWORD_MAX } }];
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || isTrivial(password)) return [{ path, reason: 'password.common' }];
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) {
    return [{ path, reason: 'password.contains_username' }];
  }
  return [];
}
