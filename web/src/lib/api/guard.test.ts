import { describe, expect, it } from 'vitest';
import { can, canOpen, dashboardOf, deniedArea, permissionFor, redirectFor } from './guard';
import type { Permission } from './client';

const actor = (permissions: Permission[], mustChangePassword = false) => ({ permissions, mustChangePassword });
const learner = actor(['learning.study']);
const author = actor(['learning.study', 'modules.author', 'questions.manage', 'people.read', 'study.review', 'assignments.manage']);

describe('route guard', () => {
  it('sends signed-out people to the login page, except from public pages', () => {
    expect(redirectFor(null, '/')).toBe('/login');
    expect(redirectFor(null, '/learn/some-module')).toBe('/login');
    expect(redirectFor(null, '/login')).toBeNull();
  });

  it('holds someone with an initial password on the account page', () => {
    const fresh = actor(['learning.study', 'people.admin'], true);
    expect(redirectFor(fresh, '/')).toBe('/account');
    expect(redirectFor(fresh, '/admin/import')).toBe('/account');
    expect(redirectFor(fresh, '/account')).toBeNull();
  });

  it('redirects a page the actor holds no permission for to the home page, naming the part refused', () => {
    expect(redirectFor(learner, '/bank')).toBe('/?denied=%2Fbank');
    expect(redirectFor(learner, '/bank/new')).toBe('/?denied=%2Fbank');
    expect(redirectFor(learner, '/author/3f0c')).toBe('/?denied=%2Fauthor');
    expect(redirectFor(learner, '/study/review')).toBe('/?denied=%2Fstudy%2Freview');
    expect(redirectFor(learner, '/admin/users')).toBe('/?denied=%2Fadmin%2Fusers');
    expect(redirectFor(author, '/admin/org-units')).toBe('/?denied=%2Fadmin%2Forg-units');
    expect(redirectFor(author, '/admin/import')).toBe('/?denied=%2Fadmin%2Fimport');
  });

  it('names only its own areas as refused', () => {
    expect(deniedArea('/bank')).toBe('/bank');
    expect(deniedArea('/admin/users')).toBe('/admin/users');
    expect(deniedArea('<script>')).toBeNull();
    expect(deniedArea(null)).toBeNull();
  });

  it('lets in whoever holds the permission, and every signed-in person where none is needed', () => {
    expect(redirectFor(learner, '/')).toBeNull();
    expect(redirectFor(learner, '/learn')).toBeNull();
    expect(redirectFor(learner, '/study')).toBeNull();
    expect(redirectFor(learner, '/account')).toBeNull();
    expect(redirectFor(author, '/bank/3f0c/history')).toBeNull();
    expect(redirectFor(author, '/study/review')).toBeNull();
    expect(redirectFor(author, '/admin/users')).toBeNull();
  });

  it('matches whole path segments, and the most specific prefix first', () => {
    expect(permissionFor('/study/review')).toBe('study.review');
    expect(permissionFor('/study')).toBe('learning.study');
    expect(permissionFor('/banking')).toBeNull();
    expect(permissionFor('/admin/users')).toBe('people.read');
    expect(canOpen(author, '/authors')).toBe(true);
  });

  it('asks only the permissions, and nobody has one without a session', () => {
    expect(can(null, 'learning.study')).toBe(false);
    expect(can(actor([]), 'learning.study')).toBe(false);
    expect(canOpen(actor([]), '/learn')).toBe(false);
    expect(can(author, 'questions.manage')).toBe(true);
  });

  it('chooses the home page from permissions', () => {
    expect(dashboardOf(learner)).toBe('learner');
    expect(dashboardOf(author)).toBe('people');
    expect(dashboardOf(actor(['learning.study', 'people.read', 'people.update']))).toBe('team');
    expect(dashboardOf(actor(['people.read', 'people.update', 'people.admin']))).toBe('admin');
  });
});
