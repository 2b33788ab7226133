import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';

export const MODULE_POSITIONS = ['account_manager', 'marketing_manager'] as const;

export const FrontMatterSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  // As lenient as the browser editor, so that any module written there exports to a file the sync accepts.
  summary: Type.String({ maxLength: 600 }),
  objectives: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 10 }),
  minutes: Type.Integer({ minimum: 1, maximum: 240 }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 12 }),
  positions: Type.Array(Type.Union(MODULE_POSITIONS.map((p) => Type.Literal(p))), { minItems: 1 }),
}, { additionalProperties: false });
export type FrontMatter = Static<typeof FrontMatterSchema>;

export const TrackFileSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 64 }),
  order: Type.Integer({ minimum: 0 }),
  title: Type.Object({ zh: Type.String({ minLength: 1, maxLength: 200 }), en: Type.String({ minLength: 1, maxLength: 200 }) }),
  summary: Type.Object({ zh: Type.String({ maxLength: 1000 }), en: Type.String({ maxLength: 1000 }) }),
}, { additionalProperties: false });
export type TrackFile = Static<typeof TrackFileSchema>;

export interface SchemaIssue { field: string; reason: string }

/** Every problem with a value against a schema, as field and reason. */
export function schemaIssues(schema: Parameters<typeof Value.Errors>[0], value: unknown): SchemaIssue[] {
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of Value.Errors(schema, value)) {
    const field = e.path.replace(/^\//, '').replace(/\//g, '.') || '(front matter)';
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, reason: e.message });
  }
  return out;
}

/** Splits `---\nyaml\n---\nbody`; the YAML must parse and match the schema. */
export function parseModuleFile(text: string): { data?: FrontMatter; body: string; issues: SchemaIssue[] } {
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(normalised);
  if (!m) return { body: normalised, issues: [{ field: '(front matter)', reason: 'the file must start with front matter between --- lines' }] };
  let data: unknown;
  try {
    data = parseYaml(m[1]);
  } catch (e) {
    return { body: m[2], issues: [{ field: '(front matter)', reason: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }] };
  }
  const issues = schemaIssues(FrontMatterSchema, data);
  if (!m[2].trim()) issues.push({ field: '(body)', reason: 'the lesson text is empty' });
  return { data: issues.length ? undefined : (data as FrontMatter), body: m[2], issues };
}

export function serializeModuleFile(fm: FrontMatter, body: string): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    '---',
    `id: ${fm.id}`,
    `title: ${q(fm.title)}`,
    `summary: ${q(fm.summary)}`,
    ...(fm.objectives.length ? ['objectives:', ...fm.objectives.map((o) => `  - ${q(o)}`)] : ['objectives: []']),
    `minutes: ${fm.minutes}`,
    `tags: [${fm.tags.map(q).join(', ')}]`,
    `positions: [${fm.positions.join(', ')}]`,
    '---',
    '',
  ];
  return lines.join('\n') + body.replace(/^\n+/, '');
}
