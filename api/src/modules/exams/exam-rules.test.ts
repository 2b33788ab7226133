import { describe, expect, it } from 'vitest';
import { attemptDeadline, examState, personalWindow } from './exam-rules.js';

const exam = {
  status: 'published' as const, opensAt: new Date('2026-12-10T00:00:00Z'), closesAt: new Date('2026-12-12T00:00:00Z'),
  timeLimitMinutes: 60, attemptsAllowed: 1,
};

describe('exam rules', () => {
  it('derives the state from the status and the window', () => {
    expect(examState({ ...exam, status: 'draft' }, new Date('2026-12-11T00:00:00Z'))).toBe('draft');
    expect(examState(exam, new Date('2026-12-09T23:59:59Z'))).toBe('scheduled');
    expect(examState(exam, new Date('2026-12-10T00:00:00Z'))).toBe('open');
    expect(examState(exam, new Date('2026-12-12T00:00:00Z'))).toBe('closed');
    expect(examState({ ...exam, status: 'archived' }, new Date('2026-12-11T00:00:00Z'))).toBe('archived');
  });

  it('applies an override to the window, the time and the attempts', () => {
    expect(personalWindow(exam, null)).toEqual({ opensAt: exam.opensAt, closesAt: exam.closesAt, timeLimitMinutes: 60, attemptsAllowed: 1 });
    const later = new Date('2026-12-20T00:00:00Z');
    expect(personalWindow(exam, { opensAt: null, closesAt: later, extraMinutes: 30, extraAttempts: 2 }))
      .toEqual({ opensAt: exam.opensAt, closesAt: later, timeLimitMinutes: 90, attemptsAllowed: 3 });
    expect(personalWindow({ ...exam, timeLimitMinutes: null, attemptsAllowed: 0 }, { opensAt: null, closesAt: null, extraMinutes: 30, extraAttempts: 2 }))
      .toEqual({ opensAt: exam.opensAt, closesAt: exam.closesAt, timeLimitMinutes: null, attemptsAllowed: null });
  });

  it('ends an attempt at its time limit, never after the window closes', () => {
    const w = personalWindow(exam, null);
    expect(attemptDeadline(w, new Date('2026-12-10T08:00:00Z')).toISOString()).toBe('2026-12-10T09:00:00.000Z');
    expect(attemptDeadline(w, new Date('2026-12-11T23:30:00Z')).toISOString()).toBe('2026-12-12T00:00:00.000Z');
    expect(attemptDeadline({ ...w, timeLimitMinutes: null }, new Date('2026-12-10T08:00:00Z')).toISOString()).toBe('2026-12-12T00:00:00.000Z');
  });
});
