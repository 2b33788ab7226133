/** How what a learner typed is compared with the accepted answers. */

/** Typed answers are compared NFKC-normalised (full-width → half-width), trimmed, inner spaces collapsed, lower case. */
export function normaliseAnswerText(s: string): string {
  return s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * A number typed by a learner: full-width digits are accepted, as are thousands separators (`30,000`) and spaces.
 * Returns null when it is not a number.
 */
export function parseLearnerNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  let s = v.normalize('NFKC').trim().replace(/\s+/g, '').replace(/−/g, '-');
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Whether `x` satisfies a numeric answer (a tiny relative epsilon absorbs floating-point noise). */
export function numericMatches(a: { value?: number; tolerance?: number; min?: number; max?: number }, x: number): boolean {
  if (typeof a.value === 'number') {
    const eps = 1e-9 * Math.max(1, Math.abs(a.value));
    return Math.abs(x - a.value) <= (a.tolerance ?? 0) + eps;
  }
  if (typeof a.min === 'number' && typeof a.max === 'number') {
    const eps = 1e-9 * Math.max(1, Math.abs(a.min), Math.abs(a.max));
    return x >= a.min - eps && x <= a.max + eps;
  }
  return false;
}
