import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './password.js';

const reasons = (pw: string, username?: string, path?: string) => checkPasswordPolicy(pw, username, path).map((i) => i.reason);

describe('password policy', () => {
  it('accepts a long, uncommon password', () => {
    expect(checkPasswordPolicy('Sturdy-Lantern-47', 'u10001')).toEqual([]);
    expect(checkPasswordPolicy('长城脚下的小酒馆', undefined)).toEqual([]); // eight characters, not eight bytes
  });

  it('refuses fewer than 8 characters and more than 128', () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(128);
    expect(checkPasswordPolicy('Ab3-xyz', undefined)).toEqual([{ path: 'password', reason: 'password.too_short', params: { min: 8 } }]);
    expect(reasons('长城脚下的酒馆')).toEqual(['password.too_short']);
    expect(reasons('Ab3-xyzw')).toEqual([]);
    expect(reasons('x'.repeat(63) + 'Y'.repeat(65))).toEqual([]);
    expect(checkPasswordPolicy('x'.repeat(64) + 'Y'.repeat(65), undefined)).toEqual([{ path: 'password', reason: 'password.too_long', params: { max: 128 } }]);
  });

  it('refuses common passwords in any case', () => {
    for (const pw of ['password123', 'PASSWORD123', 'Password123', 'password']) {
      expect(reasons(pw), pw).toEqual(['password.common']);
    }
  });

  it('refuses repeated characters and keyboard or alphabet runs', () => {
    for (const pw of ['aaaaaaaa', '11111111', '12345678', '87654321', 'abcdefgh', 'QWERTYUIOP', 'asdfghjk']) {
      expect(reasons(pw), pw).toEqual(['password.common']);
    }
  });

  it('refuses a password that contains the employee number, in any case', () => {
    expect(reasons('Lantern-E10001-x', 'e10001')).toEqual(['password.contains_username']);
    expect(reasons('Lantern-e10001-x', 'E10001')).toEqual(['password.contains_username']);
    expect(reasons('Lantern-e1000-x', 'e10001')).toEqual([]);
    // Employee numbers under three characters would forbid too much to mean anything.
    expect(reasons('Lantern-ab-words', 'ab')).toEqual([]);
  });

  it('reports on the field it is given', () => {
    expect(checkPasswordPolicy('short', undefined, 'newPassword')[0].path).toBe('newPassword');
  });
});

describe('password hashing', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('Sturdy-Lantern-47');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'Sturdy-Lantern-47')).toBe(true);
    expect(await verifyPassword(hash, 'sturdy-lantern-47')).toBe(false);
    expect(await hashPassword('Sturdy-Lantern-47')).not.toBe(hash); // salted
  });

  it('answers false, not an exception, for a hash that is not a hash', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever-password')).toBe(false);
    expect(await verifyPassword('', 'whatever-password')).toBe(false);
  });
});
