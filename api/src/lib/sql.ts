import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';

/**
 * Runs one SQL statement with positional `?` parameters and returns its rows. It runs inside the EntityManager's
 * transaction when there is one (with PGlite, anything else would wait for a second connection that never comes).
 */
export async function sql<T = Record<string, any>>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
  const result = await (em as unknown as SqlEntityManager).execute(query, params as any[], 'all') as unknown[];
  // MikroORM inlines the parameters, and the PGlite dialect runs any text with a `;` in it (a parameter holding user
  // text, say) as a multi-statement batch, which answers one array of rows per statement: take the last one.
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[result.length - 1] : result) as T[];
}

/** Escapes LIKE wildcards in user text, for `like ? escape '\'`. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * A PostgreSQL array literal for a `?::text[]` (or uuid[]) parameter: the query builder would otherwise spread a
 * JavaScript array into a list of parameters.
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
