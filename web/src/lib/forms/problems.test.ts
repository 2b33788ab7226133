import { describe, expect, it } from 'vitest';
import { checkAll, fieldFor, minLength, normalisePath, problemsFromError, required, unless, type FieldSpec, type Translate } from './problems';

// A stand-in dictionary: the key and its parameters, so the tests see which message was chosen.
const tr: Translate = (key, params) => (params ? `${key}(${Object.values(params).join(',')})` : key);

const userFields: FieldSpec[] = [
  { name: 'username', label: '工号' },
  { name: 'displayName', label: '姓名' },
  { name: 'orgUnitId', label: '所属单位', choose: true },
  { name: 'password', label: '初始密码' },
];

const problem = (code: string, detail: string, errors: { path: string; code: string; message: string }[], status = 400) =>
  ({ status, code, detail, errors });

describe('server field errors onto form fields', () => {
  it('puts every field error beside its field, and never shows a path or a format name', () => {
    const p = problemsFromError(problem('validation_failed', '输入的内容有误，请检查标出的字段。', [
      { path: 'username', code: 'field.min_length', message: '至少 2 个字符' },
      { path: 'orgUnitId', code: 'field.format', message: '格式不对（uuid）' },
      { path: 'password', code: 'field.required', message: '必填' },
    ]), userFields, tr);
    expect(p.fields).toEqual({ username: '至少 2 个字符', orgUnitId: 'form.format', password: 'form.required' });
    expect(p.other).toEqual([]);
    expect(p.detail).toBe('form.summary(3)');
    expect(JSON.stringify([Object.values(p.fields), p.other, p.detail])).not.toMatch(/uuid|orgUnitId/);
  });

  it('says "choose one" for an empty or unknown choice', () => {
    const p = problemsFromError(problem('validation_failed', 'x', [
      { path: 'orgUnitId', code: 'field.reference', message: 'does not name a valid item' },
      { path: 'role', code: 'field.enum', message: 'must be one of: staff, trainer' },
    ]), [...userFields, { name: 'role', label: 'Role' }], tr);
    expect(p.fields).toEqual({ orgUnitId: 'form.choose', role: 'form.choose' });
  });

  it('matches nested paths, JSON pointers and wildcards to the field that owns them', () => {
    const fields: FieldSpec[] = [
      { name: 'userIds', label: 'People', choose: true },
      { name: 'choices', label: 'Options', paths: ['choices.*.text'] },
      { name: 'correct', label: 'Correct answer', paths: ['choices.*.correct'] },
    ];
    expect(fieldFor('userIds', fields)?.name).toBe('userIds');
    expect(fieldFor('userIds.3', fields)?.name).toBe('userIds');
    expect(fieldFor('/userIds/3', fields)?.name).toBe('userIds');
    expect(fieldFor('body.userIds', fields)?.name).toBe('userIds');
    expect(fieldFor('choices.2.correct', fields)?.name).toBe('correct');
    expect(fieldFor('choices.2.text', fields)?.name).toBe('choices');
    expect(fieldFor('userIdsExtra', fields)).toBeUndefined();
    expect(normalisePath('/a/0/b')).toBe('a.0.b');
  });

  it('keeps the first message for a field and lists errors of no field without their path', () => {
    const p = problemsFromError(problem('validation_failed', 'Some fields are not valid', [
      { path: 'userIds.0', code: 'field.reference', message: 'does not name a valid item' },
      { path: 'userIds.1', code: 'study.unknown_person', message: 'no such person in the units you manage' },
      { path: 'query.secret', code: 'field.max_length', message: 'must have at most 5 characters' },
    ]), [{ name: 'userIds', label: 'People', choose: true }], tr);
    expect(p.fields).toEqual({ userIds: 'form.choose' });
    expect(p.other).toEqual(['Must have at most 5 characters']);
    expect(p.detail).toBe('form.summary(2)');
  });

  it('keeps the server sentence for problems that are not about fields', () => {
    const p = problemsFromError(problem('invalid_credentials', 'Wrong employee number or password.', [], 401), userFields, tr);
    expect(p).toEqual({ fields: {}, other: [], detail: 'Wrong employee number or password.' });
    const c = problemsFromError(problem('conflict', '操作与现有数据冲突：该工号已被使用', [
      { path: 'username', code: 'user.username_taken', message: '该工号已被使用' },
    ], 409), userFields, tr);
    expect(c.fields).toEqual({ username: '该工号已被使用' });
    expect(c.detail).toBe('操作与现有数据冲突：该工号已被使用');
  });

  it('makes English fragments into sentences', () => {
    const fields: FieldSpec[] = [{ name: 'password', label: 'Initial password' }];
    const p = problemsFromError(problem('validation_failed', 'x', [{ path: 'password', code: 'password.too_short', message: 'must have at least 8 characters' }]), fields, tr);
    expect(p.fields.password).toBe('Initial password must have at least 8 characters');
    expect(p.detail).toBe('form.summaryOne');
  });

  it('answers something a person can read for an error that is not a problem+json answer', () => {
    expect(problemsFromError(new TypeError('boom'), userFields, tr)).toEqual({ fields: {}, other: [], detail: 'error.unexpected' });
  });
});

describe('client-side checks', () => {
  it('reports every failing field at once, "choose" for fields chosen from a list', () => {
    const v = { username: '', displayName: 'Li', orgUnitId: '', password: 'x' };
    const errors = checkAll({
      username: required(v.username) ?? minLength(v.username, 2),
      displayName: required(v.displayName),
      orgUnitId: required(v.orgUnitId),
      password: required(v.password) ?? minLength(v.password, 8),
    }, userFields, tr);
    expect(errors).toEqual({ username: 'form.required', orgUnitId: 'form.choose', password: 'form.minLength(8)' });
  });

  it('treats blank text and empty lists as missing', () => {
    expect(required('   ')).not.toBeNull();
    expect(required([])).not.toBeNull();
    expect(required(['a'])).toBeNull();
    expect(required(0)).toBeNull();
    expect(unless(false, 'account.mismatch')).toEqual({ key: 'account.mismatch' });
    expect(unless(true, 'account.mismatch')).toBeNull();
  });
});
