import { tick } from 'svelte';
import { t } from '$lib/i18n.svelte';
import { checkAll, problemsFromError, summaryHeading, type FieldSpec, type Issue, type Translate } from './problems';

export { required, minLength, maxLength, matches, unless } from './problems';
export type { FieldSpec, Issue } from './problems';

/** The labels of a form's fields by name: a string, or a spec for a field chosen from a list or owning more paths. */
export type FieldLabels = Record<string, string | (Omit<FieldSpec, 'name'> & { id?: string })>;

export type Checks = Record<string, Issue | string | null | undefined | false>;

const tr: Translate = (key, params) => t(key as Parameters<typeof t>[0], params);

/**
 * The state of one form: the message beside each field, the summary at its submit button, the busy flag. Create it
 * in a component's script with the labels as a function (so they follow the language):
 *
 *   const form = new Form('user-create', () => ({ username: t('users.username'), orgUnitId: { label: t('users.orgUnit'), choose: true } }));
 *   <form id={form.id} onsubmit={(e) => form.submit(e, save, () => ({ username: required(v.username), orgUnitId: required(v.orgUnitId) }))} novalidate>
 *
 * and render the fields with <Field {form} name="username"> and <FormSummary {form} /> beside the submit button.
 */
export class Form {
  readonly id: string;
  /** The message beside each field, by field name. */
  errors = $state<Record<string, string>>({});
  /** Messages that belong to no field of the form. */
  other = $state<string[]>([]);
  /** The summary's heading; empty when there is nothing to say. */
  detail = $state('');
  busy = $state(false);
  /** Counts failed submits: the summary moves focus to the first problem each time it changes. */
  attempt = $state(0);
  readonly #labels: () => FieldLabels;
  readonly #prefix: string;

  /**
   * `id`: the <form> element's id, unique on the page. A field's control gets the id `prefix + name` (`id-name`
   * unless given), or the `id` its label spec names.
   */
  constructor(id: string, labels: () => FieldLabels = () => ({}), prefix = `${id}-`) {
    this.id = id;
    this.#labels = labels;
    this.#prefix = prefix;
  }

  get fields(): (FieldSpec & { id?: string })[] {
    return Object.entries(this.#labels()).map(([name, l]) => (typeof l === 'string' ? { name, label: l } : { name, ...l }));
  }

  label(name: string): string {
    return this.fields.find((f) => f.name === name)?.label ?? name;
  }

  /** The id of a field's control (the <label for> target). */
  idOf(name: string): string {
    const own = this.fields.find((f) => f.name === name)?.id;
    return own ?? this.#prefix + name.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  /** The attributes a field's control carries: its id, whether it is invalid, and what describes it. */
  attrs(name: string, hint = false): { id: string; 'aria-invalid': 'true' | undefined; 'aria-describedby': string | undefined } {
    const id = this.idOf(name);
    const described = [hint ? `${id}-hint` : '', this.errors[name] ? `${id}-error` : ''].filter(Boolean).join(' ');
    return { id, 'aria-invalid': this.errors[name] ? 'true' : undefined, 'aria-describedby': described || undefined };
  }

  get hasProblems(): boolean {
    return !!this.detail || this.other.length > 0 || Object.keys(this.errors).length > 0;
  }

  /** The problems in field order, for the summary. */
  get summary(): { name: string | null; label: string | null; message: string }[] {
    const known = this.fields.filter((f) => this.errors[f.name]).map((f) => ({ name: f.name, label: f.label, message: this.errors[f.name] }));
    const unlabelled = Object.keys(this.errors).filter((n) => !this.fields.some((f) => f.name === n)).map((n) => ({ name: n, label: null, message: this.errors[n] }));
    return [...known, ...unlabelled, ...this.other.map((m) => ({ name: null, label: null, message: m }))];
  }

  clear() {
    this.errors = {};
    this.other = [];
    this.detail = '';
  }

  /** A person changed a field: its message goes (the summary keeps the others). */
  touch(name: string) {
    if (!(name in this.errors)) return;
    const rest = { ...this.errors };
    delete rest[name];
    this.errors = rest;
    if (!this.hasProblemsBesides()) this.detail = '';
  }

  private hasProblemsBesides() {
    return this.other.length > 0 || Object.keys(this.errors).length > 0;
  }

  /** Runs every check at once; false (and the problems shown, focus on the first) when any fails. */
  check(checks: Checks): boolean {
    const errors = checkAll(checks, this.fields, tr);
    const n = Object.keys(errors).length;
    this.errors = errors;
    this.other = [];
    this.detail = n ? summaryHeading(n, tr) : '';
    if (n) this.attempt++;
    return n === 0;
  }

  /** Shows what a failed request said, each field error beside its field. */
  fail(err: unknown) {
    const p = problemsFromError(err, this.fields, tr);
    this.errors = p.fields;
    this.other = p.other;
    this.detail = p.detail;
    this.attempt++;
  }

  /** Shows one problem of the page's own on a field (or for the whole form when `name` is null). */
  problem(name: string | null, message: string) {
    if (name) this.errors = { ...this.errors, [name]: message };
    else this.other = [...this.other, message];
    this.detail = summaryHeading(this.summary.length, tr);
    this.attempt++;
  }

  /**
   * The submit handler: checks every field, then runs `action`; a failure is shown on the form. Answers whether the
   * action ran and succeeded.
   */
  async submit(e: SubmitEvent | null, action: () => Promise<unknown>, checks?: () => Checks): Promise<boolean> {
    e?.preventDefault();
    if (this.busy) return false;
    this.clear();
    if (checks && !this.check(checks())) return false;
    this.busy = true;
    try {
      await action();
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Scrolls to the first field with a problem (in page order) and focuses it; the summary when no field has one. */
  async focusFirst() {
    await tick();
    if (typeof document === 'undefined') return;
    const root = document.getElementById(this.id);
    const invalid = root?.querySelector<HTMLElement>('[aria-invalid="true"]');
    const target = invalid ?? document.getElementById(`${this.id}-summary`);
    if (!target) return;
    const focusable = target.matches('input, select, textarea, button, [tabindex]') ? target : target.querySelector<HTMLElement>('input, select, textarea, button') ?? target;
    focusable.scrollIntoView({ block: 'center', behavior: 'instant' as ScrollBehavior });
    focusable.focus({ preventScroll: true });
  }

  /** Focuses one field (from a summary entry). */
  focusField(name: string) {
    const el = document.getElementById(this.idOf(name));
    if (!el) return;
    const focusable = el.matches('input, select, textarea, button') ? el : el.querySelector<HTMLElement>('input, select, textarea, button') ?? el;
    focusable.scrollIntoView({ block: 'center', behavior: 'instant' as ScrollBehavior });
    focusable.focus({ preventScroll: true });
  }
}
