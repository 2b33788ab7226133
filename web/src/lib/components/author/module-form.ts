// Shapes of the authoring API (from the generated OpenAPI types) and the editor's form, and the conversions between them.
import type { ApiBody, ApiData } from '$lib/api/client';

export type ContentLang = 'zh' | 'en';
export const CONTENT_LANGS: ContentLang[] = ['zh', 'en'];
export const MODULE_POSITIONS = ['account_manager', 'marketing_manager'] as const;
export type ModuleStatus = 'draft' | 'published' | 'published_with_draft' | 'archived';

export type ModuleSource = ApiData<'/api/modules/{moduleId}/source'>;
export type LocaleSource = NonNullable<ModuleSource['locales']['zh']>;
export type Track = ApiData<'/api/tracks'>['items'][number];
export type ModuleListItem = ApiData<'/api/modules'>['items'][number];
export type Revision = ApiData<'/api/modules/{moduleId}/revisions'>['items'][number];
export type RevisionDiff = ApiData<'/api/modules/{moduleId}/revisions/compare'>;
/** What creating a module sends; a save of an existing one sends the same fields (PATCH takes any of them). */
export type ModuleBody = ApiBody<'/api/modules', 'post'>;
export type ModulePosition = (typeof MODULE_POSITIONS)[number];
const isModulePosition = (p: string): p is ModulePosition => (MODULE_POSITIONS as readonly string[]).includes(p);

const STATUS_LIST: readonly string[] = ['draft', 'published', 'published_with_draft', 'archived'] satisfies ModuleStatus[];
/** A list item's status as the badge knows it (the list answers it as text). */
export const moduleStatus = (s: string): ModuleStatus => (STATUS_LIST.includes(s) ? (s as ModuleStatus) : 'draft');

/** What the trainer edits: lists are kept as the text typed (one objective a line, tags separated by commas). */
export interface LocaleForm { title: string; summary: string; objectives: string; tags: string; body: string }
export interface ModuleForm {
  trackId: string;
  slug: string;
  minutes: number | null;
  positions: ModulePosition[];
  locales: Record<ContentLang, LocaleForm>;
}

export const emptyLocale = (): LocaleForm => ({ title: '', summary: '', objectives: '', tags: '', body: '' });

export function emptyForm(trackId = ''): ModuleForm {
  return { trackId, slug: '', minutes: 20, positions: [...MODULE_POSITIONS], locales: { zh: emptyLocale(), en: emptyLocale() } };
}

export function formFromSource(s: ModuleSource): ModuleForm {
  const locale = (l: LocaleSource | undefined, comma: string): LocaleForm =>
    l ? { title: l.title, summary: l.summary, objectives: l.objectives.join('\n'), tags: l.tags.join(comma), body: l.body } : emptyLocale();
  return { trackId: s.trackId, slug: s.slug, minutes: s.minutes, positions: s.positions.filter(isModulePosition), locales: { zh: locale(s.locales.zh, '，'), en: locale(s.locales.en, ', ') } };
}

/** Tags may be separated by ASCII or Chinese commas, or the Chinese enumeration comma. */
export const splitTags = (s: string) => s.split(/[,，、;；]/).map((x) => x.trim()).filter(Boolean);
export const splitLines = (s: string) => s.split('\n').map((x) => x.replace(/^\s*[-*•]\s+/, '').trim()).filter(Boolean);

/** A language with nothing typed in it is left out (the module is then in one language only). */
export function localeIsEmpty(l: LocaleForm): boolean {
  return !l.title.trim() && !l.summary.trim() && !l.objectives.trim() && !l.tags.trim() && !l.body.trim();
}

export function requestBody(f: ModuleForm, creating: boolean): ModuleBody {
  const locales: Partial<Record<ContentLang, LocaleSource>> = {};
  for (const lang of CONTENT_LANGS) {
    const l = f.locales[lang];
    if (localeIsEmpty(l)) continue;
    locales[lang] = { title: l.title.trim(), summary: l.summary.trim(), objectives: splitLines(l.objectives), tags: splitTags(l.tags), body: l.body };
  }
  const body: ModuleBody = {
    trackId: f.trackId,
    // An emptied minutes field is sent as nothing the server accepts, so its message appears beside the field.
    minutes: typeof f.minutes === 'number' && Number.isFinite(f.minutes) ? f.minutes : 0,
    positions: f.positions,
    locales,
  };
  if (creating && f.slug.trim()) body.slug = f.slug.trim();
  return body;
}

export function statusOf(s: Pick<ModuleSource, 'archived' | 'published' | 'hasDraft'>): ModuleStatus {
  return s.archived ? 'archived' : s.published ? (s.hasDraft ? 'published_with_draft' : 'published') : 'draft';
}

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

// ----- the browser copy of unsaved work -----

export interface StoredDraft { form: ModuleForm; revision: number | null; savedAt: string }
const storageKey = (moduleId: string | null) => `author-draft:${moduleId ?? 'new'}`;

export function readStoredDraft(moduleId: string | null): StoredDraft | null {
  try {
    const raw = localStorage.getItem(storageKey(moduleId));
    if (!raw) return null;
    const d = JSON.parse(raw) as StoredDraft;
    return d && d.form && d.form.locales ? d : null;
  } catch {
    return null;
  }
}

export function writeStoredDraft(moduleId: string | null, draft: StoredDraft | null) {
  try {
    if (draft) localStorage.setItem(storageKey(moduleId), JSON.stringify(draft));
    else localStorage.removeItem(storageKey(moduleId));
  } catch {
    // Storage full or disabled: the warning before leaving still protects the work.
  }
}

/** A message to show on the next editor screen (after creating a module the editor moves to its own address). */
export const flash: { message: '' | 'author.created' } = { message: '' };
