import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';

/**
 * The one way to write SQL by hand (hot paths and reports; ordinary reads and writes go through entities or a
 * repository). Parameters are named by where they stand in a tagged template, so a value used twice is written twice
 * by name, never counted:
 *
 *   const rows = await query<{ id: string; title: string }>(em, sql`select id, title from track where id = ${id}`);
 *
 * A value that is a fragment (`sql\`...\``) is spliced in with its own parameters; an array becomes one PostgreSQL
 * array literal (cast it: `${ids}::uuid[]`), never a spread list; everything else is one bound value.
 */
export interface SqlFragment {
  readonly text: string;
  readonly values: readonly unknown[];
  readonly [FRAGMENT]: true;
}

declare const FRAGMENT: unique symbol;
const isFragment = (v: unknown): v is SqlFragment =>
  typeof v === 'object' && v !== null && (v as { __sqlFragment?: boolean }).__sqlFragment === true;

function fragment(text: string, values: unknown[]): SqlFragment {
  return { text, values, __sqlFragment: true } as unknown as SqlFragment;
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  let text = strings[0];
  const out: unknown[] = [];
  values.forEach((v, i) => {
    if (isFragment(v)) {
      text += v.text;
      out.push(...v.values);
    } else {
      // A marker that SQL text never holds; it becomes MikroORM's `?` placeholder when the statement runs. The space
      // keeps two adjacent values from reading as `??`, MikroORM's identifier placeholder.
      text += ' \u0000';
      out.push(Array.isArray(v) ? pgArray(v.map(String)) : v === undefined ? null : v);
    }
    text += strings[i + 1];
  });
  return fragment(text, out);
}

/** SQL text that is not a value (a fixed column list, an operator chosen by code). Never pass user input. */
sql.raw = (text: string): SqlFragment => fragment(text, []);

/** Fragments joined by a separator: `sql.join(conditions, ' and ')`. */
sql.join = (parts: readonly SqlFragment[], separator: string): SqlFragment =>
  parts.reduce<SqlFragment>((acc, p, i) => fragment(acc.text + (i ? separator : '') + p.text, [...acc.values, ...p.values]), fragment('', []));

/**
 * Runs one statement inside the EntityManager's transaction when there is one (with PGlite, anything else would wait
 * for a second connection that never comes) and returns its rows, typed as the caller declares them.
 */
export async function query<Row extends object>(em: EntityManager, q: SqlFragment): Promise<Row[]> {
  // MikroORM inlines bound values itself, treating every `?` as a placeholder: a `?` written in the SQL text (the
  // jsonb operators) is escaped, and only the markers become placeholders.
  const text = q.values.length ? q.text.replaceAll('?', '\\?').replaceAll('\u0000', '?') : q.text;
  const result = await (em as unknown as SqlEntityManager).execute(text, q.values as unknown[], 'all') as unknown[];
  // The PGlite dialect runs any text with a `;` in it (an inlined value holding user text, say) as a multi-statement
  // batch, which answers one array of rows per statement: take the last one.
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[result.length - 1] : result) as Row[];
}

/** The first row, or undefined. */
export async function queryOne<Row extends object>(em: EntityManager, q: SqlFragment): Promise<Row | undefined> {
  return (await query<Row>(em, q))[0];
}

/** A statement run for its effect (insert, update, delete, DDL). */
export async function exec(em: EntityManager, q: SqlFragment): Promise<void> {
  await query<Record<string, unknown>>(em, q);
}

/** Escapes LIKE wildcards in user text, for `like ${pattern} escape '\'`. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** A PostgreSQL array literal for a text[] or uuid[] value. */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/**
 * The older positional form, `execSql(em, 'select … where id = ?', [id])`. Kept while the last callers move to
 * `query(em, sql\`…\`)`; new code does not use it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- legacy rows are untyped; new code uses query<Row>
export async function execSql<T = Record<string, any>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  const result = await (em as unknown as SqlEntityManager).execute(text, params, 'all') as unknown[];
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[result.length - 1] : result) as T[];
}
