import { Type } from '@sinclair/typebox';
import { Obj, Uuid } from '../../lib/schema.js';
import { MODULE_POSITIONS } from './front-matter.js';

const Text = (max: number) => Type.String({ maxLength: max });
export const LocaleInputSchema = Obj({
  title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  summary: Text(600),
  objectives: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 10 }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 12 }),
  body: Type.String({ maxLength: 200_000 }),
});
const Positions = Type.Array(Type.Union(MODULE_POSITIONS.map((p) => Type.Literal(p))), { minItems: 1 });
const Locales = Obj({ zh: Type.Optional(LocaleInputSchema), en: Type.Optional(LocaleInputSchema) });

export const CreateModuleBody = Obj({
  trackId: Type.String({ minLength: 1, maxLength: 64 }),
  slug: Type.Optional(Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 })),
  minutes: Type.Integer({ minimum: 1, maximum: 240 }),
  positions: Positions,
  locales: Locales,
});
export const UpdateModuleBody = Obj({
  trackId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 240 })),
  positions: Type.Optional(Positions),
  locales: Type.Optional(Locales),
}, { minProperties: 1 });

export const ModuleParams = Obj({ moduleId: Type.String({ minLength: 1, maxLength: 100 }) });
export const ModuleUuidParams = Obj({ moduleId: Uuid });
export const RevisionParams = Obj({ moduleId: Uuid, number: Type.Integer({ minimum: 1 }) });
export const AssetParams = Obj({ moduleId: Uuid, filename: Type.String({ minLength: 1, maxLength: 200 }) });

export const ListModulesQuery = Obj({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  trackId: Type.Optional(Type.String({ maxLength: 64 })),
  tag: Type.Optional(Type.String({ maxLength: 40 })),
  assigned: Type.Optional(Type.Boolean()),
  unfinished: Type.Optional(Type.Boolean()),
  includeDrafts: Type.Optional(Type.Boolean()),
});
export const GetModuleQuery = Obj({ draft: Type.Optional(Type.Boolean()) });
export const CompareQuery = Obj({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }), lang: Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' }) });
export const ArchiveBody = Obj({ archived: Type.Boolean() });
export const ConflictBody = Obj({ resolution: Type.Union([Type.Literal('take_file'), Type.Literal('keep_browser')]) });
export const PreviewBody = Obj({ markdown: Type.String({ maxLength: 200_000 }), moduleId: Type.Optional(Uuid) });

/** How far a person is towards completing a module, the one measure every screen shows (see completion.ts). */
export const CompletionSchema = Type.Object({
  percent: Type.Integer({ minimum: 0, maximum: 100 }), complete: Type.Boolean(),
  minutesStudied: Type.Integer(), minutesRequired: Type.Integer(), sectionsRead: Type.Integer(), sectionsTotal: Type.Integer(),
  reachedEnd: Type.Boolean(),
  remaining: Type.Object({ minutes: Type.Integer(), sections: Type.Integer(), end: Type.Boolean() }),
});
/** Where a person is in a module: the position to resume at and the sections to mark in the contents. */
const ReadingState = Type.Object({
  secondsSpent: Type.Integer(), sectionsRead: Type.Array(Type.String()), position: Type.Union([Type.String(), Type.Null()]),
  reachedEnd: Type.Boolean(), completedAt: Type.Union([Type.String(), Type.Null()]), startedAt: Type.String(),
});
const Progress = Type.Union([Type.Null(), ReadingState]);
/** The heartbeat's answer: the reading state after the beat and the measure with it. */
export const HeartbeatResultSchema = Type.Composite([ReadingState, Type.Object({ completion: CompletionSchema })]);
const Toc = Type.Array(Type.Object({ id: Type.String(), text: Type.String(), depth: Type.Integer() }));

export const TrackSchema = Type.Object({
  id: Type.String(), order: Type.Integer(), title: Type.String(), summary: Type.String(),
  titles: Type.Object({ zh: Type.String(), en: Type.String() }), modules: Type.Integer(), completed: Type.Integer(), percent: Type.Integer(),
});
export const ModuleListItemSchema = Type.Object({
  id: Uuid, slug: Type.String(), trackId: Type.String(), order: Type.Integer(), lang: Type.String(), fallback: Type.Boolean(),
  title: Type.String(), summary: Type.String(), tags: Type.Array(Type.String()), minutes: Type.Integer(), positions: Type.Array(Type.String()),
  status: Type.String(), hasConflict: Type.Boolean(), progress: Progress, completion: CompletionSchema,
  assignment: Type.Union([Type.Null(), Type.Object({ dueOn: Type.Union([Type.String(), Type.Null()]) })]),
});
export const ModuleSchema = Type.Object({
  id: Uuid, slug: Type.String(), trackId: Type.String(), trackTitle: Type.String(), lang: Type.String(), fallback: Type.Boolean(),
  languages: Type.Array(Type.String()), title: Type.String(), summary: Type.String(), objectives: Type.Array(Type.String()),
  tags: Type.Array(Type.String()), minutes: Type.Integer(), positions: Type.Array(Type.String()), html: Type.String(), toc: Toc,
  revision: Type.Object({ number: Type.Integer(), state: Type.String(), publishedAt: Type.Union([Type.String(), Type.Null()]) }),
  progress: Progress, completion: CompletionSchema, completionSeconds: Type.Integer(),
  previous: Type.Union([Type.String(), Type.Null()]), next: Type.Union([Type.String(), Type.Null()]),
});
const LocaleSource = Type.Optional(Type.Object({ title: Type.String(), summary: Type.String(), objectives: Type.Array(Type.String()), tags: Type.Array(Type.String()), body: Type.String() }));
export const ModuleSourceSchema = Type.Object({
  id: Uuid, slug: Type.String(), trackId: Type.String(), source: Type.String(), sourcePath: Type.Union([Type.String(), Type.Null()]),
  hasDraft: Type.Boolean(), published: Type.Boolean(), archived: Type.Boolean(),
  conflict: Type.Union([Type.Null(), Type.Object({ fileHash: Type.String(), detectedAt: Type.String(), path: Type.String() })]),
  revision: Type.Object({ number: Type.Integer(), state: Type.String() }), minutes: Type.Integer(), positions: Type.Array(Type.String()),
  locales: Type.Object({ zh: LocaleSource, en: LocaleSource }),
});
export const RevisionSchema = Type.Object({
  number: Type.Integer(), origin: Type.String(), state: Type.String(), current: Type.Boolean(), createdAt: Type.String(),
  publishedAt: Type.Union([Type.String(), Type.Null()]), author: Type.Union([Type.String(), Type.Null()]),
  title: Type.Object({ zh: Type.Union([Type.String(), Type.Null()]), en: Type.Union([Type.String(), Type.Null()]) }), minutes: Type.Integer(),
});
