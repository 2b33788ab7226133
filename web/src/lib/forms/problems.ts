// The pure part of the form pattern: which field a problem belongs to, and what a person reads about it. No Svelte
// and no dictionary here (the caller passes its translator), so it runs in the unit tests as it runs in the page.

/** A form field as the mapping knows it: its name in the form, the label a person sees, the server paths it owns. */
export interface FieldSpec {
  name: string;
  label: string;
  /**
   * Server paths that belong to this field besides its name, dotted, `*` for one segment (`choices.*.text`). A
   * path also belongs to a field when it starts with one of these (or the name) followed by a dot: `userIds.3`
   * belongs to `userIds`.
   */
  paths?: string[];
  /** A field chosen from a list (select, radio, checkbox group): "choose one" instead of "fill this in". */
  choose?: boolean;
}

/** A message from the dictionary, by key, with placeholders. */
export interface Issue { key: string; params?: Record<string, string | number> }

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** One field error as the API sends it (problem+json `errors[]`). */
export interface ServerFieldError { path: string; code: string; message: string }

/** What a form shows after a failed submit. */
export interface FormProblems {
  /** The message beside each field, by field name. */
  fields: Record<string, string>;
  /** Messages that belong to no field of this form (shown in the summary only, never with their path). */
  other: string[];
  /** The sentence at the head of the summary: the server's own detail when it is not a plain "fix these fields". */
  detail: string;
}

/** Codes whose server wording names a schema notion (a type, a format, a list of internal values): said plainly here. */
const PLAIN: Record<string, { key: string; chooseKey?: string }> = {
  'field.required': { key: 'form.required', chooseKey: 'form.choose' },
  'field.reference': { key: 'form.choose' },
  'field.enum': { key: 'form.choose' },
  'field.type': { key: 'form.invalid', chooseKey: 'form.choose' },
  'field.format': { key: 'form.format' },
  'field.pattern': { key: 'form.format' },
  'field.invalid': { key: 'form.invalid', chooseKey: 'form.choose' },
  'field.json_syntax': { key: 'form.invalid' },
};

/** `/a/0/b`, `body.a.0.b` and `a.0.b` are one path. */
export function normalisePath(path: string): string {
  let p = path.trim();
  if (p.startsWith('/')) p = p.slice(1).replace(/\//g, '.');
  if (p.startsWith('body.')) p = p.slice(5);
  return p;
}

function segmentsMatch(pattern: string[], path: string[]): boolean {
  if (path.length < pattern.length) return false;
  return pattern.every((s, i) => s === '*' || s === path[i]);
}

/** The field a server path belongs to: the one whose name or paths match the most segments. */
export function fieldFor(path: string, fields: readonly FieldSpec[]): FieldSpec | undefined {
  const segs = normalisePath(path).split('.');
  let best: FieldSpec | undefined;
  let bestLen = 0;
  for (const f of fields) {
    for (const p of [f.name, ...(f.paths ?? [])]) {
      const ps = p.split('.');
      if (ps.length > bestLen && segmentsMatch(ps, segs)) {
        best = f;
        bestLen = ps.length;
      }
    }
  }
  return best;
}

/** A fragment such as "must have at least 8 characters" made into something that stands on its own. */
export function asSentence(message: string): string {
  const m = message.trim();
  return m ? m[0].toLocaleUpperCase() + m.slice(1) : m;
}

const PREDICATE = /^(is|are|must|cannot|does|do|has|have|contains|needs|may)\b/;

/** The message a person reads for one server field error. */
export function messageFor(e: ServerFieldError, field: FieldSpec | undefined, tr: Translate): string {
  const plain = PLAIN[e.code];
  if (plain) return tr(field?.choose && plain.chooseKey ? plain.chooseKey : plain.key);
  // The API's English reasons are predicates ("must have at least 8 characters"): with the label they make a sentence.
  if (field && PREDICATE.test(e.message)) return `${field.label} ${e.message.trim()}`;
  return asSentence(e.message);
}

/**
 * A message about one named thing (a field, a file's column) that keeps the name: the API's English reasons are
 * predicates ("must have at least 8 characters", "is required") and make a sentence with the label; any other
 * wording goes after the label and a colon ("岗位：必填").
 */
export function labelled(label: string, message: string, tr: Translate): string {
  const m = message.trim();
  if (PREDICATE.test(m)) return `${label} ${m}`;
  return tr('form.summaryItem', { label, message: m });
}

/** A client-side issue in words. */
export function issueText(issue: Issue | string, field: FieldSpec | undefined, tr: Translate): string {
  if (typeof issue === 'string') return issue;
  if (issue.key === 'form.required' && field?.choose) return tr('form.choose');
  return tr(issue.key, issue.params);
}

interface ProblemLike { status: number; code: string; detail: string; errors: readonly ServerFieldError[] }

function isProblemLike(err: unknown): err is ProblemLike {
  return !!err && typeof err === 'object' && 'status' in err && 'code' in err && 'detail' in err && Array.isArray((err as { errors?: unknown }).errors);
}

/**
 * Maps a failed request onto the form: each field error beside its field (the first one for a field wins), the
 * rest in the summary without their paths. Validation failures get the form's own summary heading; other problems
 * (wrong password, conflict, throttled) keep the server's sentence.
 */
export function problemsFromError(err: unknown, fields: readonly FieldSpec[], tr: Translate): FormProblems {
  if (!isProblemLike(err)) return { fields: {}, other: [], detail: tr('error.unexpected') };
  const out: FormProblems = { fields: {}, other: [], detail: '' };
  for (const e of err.errors) {
    const field = fieldFor(e.path, fields);
    const text = messageFor(e, field, tr);
    if (field) out.fields[field.name] ??= text;
    else if (!out.other.includes(text)) out.other.push(text);
  }
  const count = Object.keys(out.fields).length + out.other.length;
  out.detail = err.code === 'validation_failed' && count > 0 ? summaryHeading(count, tr) : asSentence(err.detail);
  return out;
}

/** "Please correct 3 problems" in the form's language. */
export function summaryHeading(count: number, tr: Translate): string {
  return count === 1 ? tr('form.summaryOne') : tr('form.summary', { n: count });
}

/** Runs every client-side check at once: the messages by field name, for the fields that have a problem. */
export function checkAll(checks: Record<string, Issue | string | null | undefined | false>, fields: readonly FieldSpec[], tr: Translate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, issue] of Object.entries(checks)) {
    if (!issue) continue;
    out[name] = issueText(issue, fields.find((f) => f.name === name), tr);
  }
  return out;
}

// ---- Checks a page combines: each answers null when the value is fine, else the issue. `a ?? b` runs b when a passes.

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

export const required = (v: unknown): Issue | null =>
  v === null || v === undefined || text(v) === '' || (Array.isArray(v) && v.length === 0) ? { key: 'form.required' } : null;
export const minLength = (v: string, limit: number): Issue | null =>
  [...v].length < limit ? { key: 'form.minLength', params: { limit } } : null;
export const maxLength = (v: string, limit: number): Issue | null =>
  [...v].length > limit ? { key: 'form.maxLength', params: { limit } } : null;
export const matches = (v: string, re: RegExp, key = 'form.format'): Issue | null => (re.test(v) ? null : { key });
/** A check of the page's own: `fails` true gives the issue. */
export const unless = (ok: boolean, key: string, params?: Record<string, string | number>): Issue | null => (ok ? null : { key, params });
