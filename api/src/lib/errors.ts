/** A reason attached to one field: `path` is the field (dotted), `reason` a catalogue key, `params` fill it. */
export interface FieldIssue {
  path: string;
  reason: string;
  params?: Record<string, unknown>;
}

/**
 * An existing record a new one would repeat (a 409 names them so the screen can offer "record anyway", "cancel" or
 * "open the existing record"): its id, whom it is for, a short label and a catalogue reason with its params.
 */
export interface DuplicateRecord {
  id: string;
  userId?: string;
  name: string;
  day?: string;
  kind?: string;
  minutes?: number;
  reason: string;
  params?: Record<string, unknown>;
}

/** A domain error: services throw these; the error plugin turns them into problem+json in the request's language. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly params: Record<string, unknown> = {},
    readonly issues: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
    readonly duplicates: DuplicateRecord[] = [],
  ) {
    super(code);
  }
}

export const notFound = (what = 'resource') => new AppError(404, 'not_found', { what });
export const forbidden = () => new AppError(403, 'forbidden');
export const unauthenticated = (code: 'unauthenticated' | 'invalid_token' | 'invalid_credentials' = 'unauthenticated') =>
  new AppError(401, code);
export const conflict = (reason: string, issues: FieldIssue[] = []) => new AppError(409, 'conflict', { reason }, issues);
export const invalid = (issues: FieldIssue[]) => new AppError(400, 'validation_failed', {}, issues);
export const invalidField = (path: string, reason: string, params?: Record<string, unknown>) =>
  invalid([{ path, reason, params }]);
export const throttled = (retryAfterSeconds: number) =>
  new AppError(429, 'throttled', { seconds: retryAfterSeconds }, [], { 'retry-after': String(retryAfterSeconds) });
/** The request would repeat records that exist: nothing was changed; sending it again with the confirmation flag goes ahead. */
export const duplicate = (reason: string, records: DuplicateRecord[], issues: FieldIssue[] = []) =>
  new AppError(409, 'duplicate', { reason }, issues, {}, records);
