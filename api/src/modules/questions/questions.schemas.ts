import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { QUESTION_IMPORT_LIMITS } from '../../lib/import-limits.js';
import { Base64File, Obj, Uuid } from '../../lib/schema.js';
import { QUESTION_TYPES } from './question-model.js';
import { QUESTION_STATUSES } from './question-store.js';
import type { QuestionType } from './types/common.js';
import { essay } from './types/essay.js';
import { fillBlank } from './types/fill-blank.js';
import { matching } from './types/matching.js';
import { multipleChoice } from './types/multiple-choice.js';
import { numeric } from './types/numeric.js';
import { ordering } from './types/ordering.js';
import { shortAnswer } from './types/short-answer.js';
import { singleChoice } from './types/single-choice.js';
import { trueFalse } from './types/true-false.js';

const Lit = <T extends string>(values: readonly T[], opts: Record<string, unknown> = {}) => Type.Union(values.map((v) => Type.Literal(v)), opts);
const Lang = Lit(['zh', 'en'] as const);
const Status = Lit(QUESTION_STATUSES);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const QuestionParams = Obj({ questionId: Uuid });
export const VersionParams = Obj({ questionId: Uuid, number: Type.Integer({ minimum: 1 }) });
export const CompareQuery = Obj({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) });

/** The filters of the bank browser; export and bulk actions accept the same to act on "everything that matches". */
const filterProps = {
  q: Type.Optional(Type.String({ maxLength: 200 })),
  categoryId: Type.Optional(Uuid),
  tag: Type.Optional(Type.String({ maxLength: 50 })),
  type: Type.Optional(Lit(QUESTION_TYPES)),
  difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  status: Type.Optional(Status),
  language: Type.Optional(Lang),
  module: Type.Optional(Type.String({ maxLength: 100 })),
};
export const QuestionFilter = Obj(filterProps);
export const ListQuestionsQuery = Obj({
  ...filterProps,
  sort: Type.Optional(Lit(['updated', 'key', 'difficulty'] as const, { default: 'key' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

/**
 * What the editor sends besides the question: `status`, and `baseVersion` (the version the editor started from; a
 * newer one answers 409).
 */
const saveFields = {
  status: Type.Optional(Status),
  baseVersion: Type.Optional(Type.Integer({ minimum: 1 })),
};

/** One type's body: its schema (types/<type>.ts) and the save fields; nothing else. */
const bodyOf = <P extends TProperties>(input: TObject<P>) => Type.Object({ ...input.properties, ...saveFields }, { additionalProperties: false });

/**
 * A question as authors write it: the canonical model of docs/CONTENT.md (options with `correct` or `weight`), one
 * member per type, told apart by `type`, plus `status` and `baseVersion`. A field the type does not have is refused.
 * The routes check the shape of a body against it (question-body.ts); the rules (lengths, ranges, counts) are checked
 * after normalising, so that each one is named with the bank's own reason.
 */
export const QuestionBody = Type.Union([
  bodyOf(singleChoice.input), bodyOf(multipleChoice.input), bodyOf(trueFalse.input), bodyOf(fillBlank.input), bodyOf(numeric.input),
  bodyOf(matching.input), bodyOf(ordering.input), bodyOf(shortAnswer.input), bodyOf(essay.input),
], { description: 'A question of one type (docs/CONTENT.md), with the editor\'s status and baseVersion.' });
/** Each type's body, by type. */
export const QUESTION_BODIES = Object.fromEntries(QuestionBody.anyOf.map((b) => [b.properties.type.const, b])) as unknown as Record<QuestionType, TObject>;
export type QuestionBodyType = Static<typeof QuestionBody>;

const Html = Type.String();
const LearnerViewSchema = Type.Object({
  type: Type.String(), response: Type.String(), points: Type.Number(), stemHtml: Html,
  options: Type.Optional(Type.Array(Type.Object({ id: Type.String(), html: Html }))),
  blanks: Type.Optional(Type.Integer()),
  matching: Type.Optional(Type.Object({ left: Type.Array(Type.Object({ id: Type.String(), html: Html })), right: Type.Array(Type.String()) })),
  items: Type.Optional(Type.Array(Type.Object({ id: Type.String(), html: Html }))),
});
const Weighted = Type.Object({ text: Type.String(), weight: Type.Number(), feedbackHtml: Html });
const AnswerViewSchema = Type.Object({
  explanationHtml: Html,
  options: Type.Optional(Type.Array(Type.Object({ html: Html, correct: Type.Boolean(), weight: Type.Number(), feedbackHtml: Html }))),
  scoring: Type.Optional(Type.String()),
  answer: Type.Optional(Type.Boolean()),
  feedbackTrueHtml: Type.Optional(Html),
  feedbackFalseHtml: Type.Optional(Html),
  blanks: Type.Optional(Type.Array(Type.Object({ answers: Type.Array(Weighted) }))),
  numeric: Type.Optional(Type.Array(Weighted)),
  incorrectFeedbackHtml: Type.Optional(Html),
  pairs: Type.Optional(Type.Array(Type.Object({ leftHtml: Html, right: Type.String() }))),
  distractors: Type.Optional(Type.Array(Type.String())),
  items: Type.Optional(Type.Array(Type.String())),
  rubricHtml: Type.Optional(Html),
  modelAnswerHtml: Type.Optional(Html),
});
export const PreviewSchema = Type.Object({ learner: LearnerViewSchema, answer: AnswerViewSchema });
const Issue = Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() });
export const PreviewResponse = Type.Object({
  learner: Nullable(LearnerViewSchema), answer: Nullable(AnswerViewSchema), issues: Type.Array(Issue),
});

export const QuestionListItemSchema = Type.Object({
  id: Uuid, key: Type.String(), language: Type.String(), status: Type.String(), type: Type.String(), difficulty: Type.Integer(),
  points: Type.Number(), stem: Type.String(), category: Nullable(Type.String()), categoryId: Nullable(Type.String()),
  tags: Type.Array(Type.String()), modules: Type.Array(Type.String()), version: Type.Integer(), updatedAt: Type.String(),
});

export const QuestionDetailSchema = Type.Object({
  id: Uuid, key: Type.String(), language: Type.String(), status: Type.String(), source: Type.String(),
  category: Nullable(Type.String()), categoryId: Nullable(Type.String()), tags: Type.Array(Type.String()), modules: Type.Array(Type.String()),
  createdAt: Type.String(), updatedAt: Type.String(),
  version: Type.Object({ id: Uuid, number: Type.Integer(), createdAt: Type.String(), used: Type.Boolean() }),
  versions: Type.Integer(),
  /** The canonical model: everything an author edits, key and feedback included. */
  question: Type.Object({}, { additionalProperties: true }),
  preview: PreviewSchema,
});

export const VersionSchema = Type.Object({
  id: Uuid, number: Type.Integer(), type: Type.String(), difficulty: Type.Integer(), points: Type.Number(), current: Type.Boolean(),
  used: Type.Boolean(), createdAt: Type.String(), author: Nullable(Type.String()), stem: Type.String(), changes: Type.Array(Type.String()),
});
export const VersionDetailSchema = Type.Object({
  id: Uuid, number: Type.Integer(), current: Type.Boolean(), used: Type.Boolean(), createdAt: Type.String(), author: Nullable(Type.String()),
  question: Type.Object({}, { additionalProperties: true }), preview: PreviewSchema,
});
export const CompareSchema = Type.Object({
  from: Type.Integer(), to: Type.Integer(),
  changes: Type.Array(Type.Object({ path: Type.String(), before: Type.Unknown(), after: Type.Unknown() })),
});

export const CategorySchema = Type.Object({
  id: Uuid, parentId: Nullable(Type.String()), name: Type.String(), path: Type.String(), depth: Type.Integer(),
  questions: Type.Integer(), total: Type.Integer(),
});
export const FacetsSchema = Type.Object({
  tags: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })),
  modules: Type.Array(Type.Object({ slug: Type.String(), title: Type.String(), count: Type.Integer() })),
  counts: Type.Object({ draft: Type.Integer(), active: Type.Integer(), retired: Type.Integer() }),
});

export const BulkBody = Obj({
  ids: Type.Array(Uuid, { minItems: 1, maxItems: 2000 }),
  action: Lit(['add_tags', 'remove_tags', 'move', 'retire', 'activate'] as const),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  category: Type.Optional(Type.String({ maxLength: 500 })),
});
export const BulkResult = Type.Object({
  updated: Type.Integer(),
  skipped: Type.Array(Type.Object({ id: Uuid, key: Type.String(), code: Type.String(), message: Type.String() })),
});

export const IMPORT_FORMATS = ['gift', 'aiken', 'csv', 'xlsx'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
/** The largest file an import takes, in bytes (its base64 text is a third larger): see import-limits.json. */
export const MAX_IMPORT_BYTES = QUESTION_IMPORT_LIMITS.maxFileBytes;

export const ImportBody = Obj({
  format: Lit(IMPORT_FORMATS),
  filename: Type.Optional(Type.String({ maxLength: 255 })),
  /** The file's bytes, base64. The server finds the text encoding (UTF-8, GB18030, UTF-16). */
  // A little above the limit, so that a file just over it gets the service's 413 naming the limit in bytes.
  content: Base64File(),
  dryRun: Type.Boolean({ default: true }),
  /** Import the valid questions even when others have errors. */
  skipInvalid: Type.Boolean({ default: false }),
  /** For questions that do not say: language (default: the request's), category, points, difficulty. */
  language: Type.Optional(Lang),
  category: Type.Optional(Type.String({ maxLength: 500 })),
  points: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
  difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  /** Status of the questions the import creates (existing ones keep theirs). */
  status: Type.Optional(Lit(['draft', 'active'] as const, { default: 'draft' })),
});
const ReportError = Type.Object({ path: Type.Optional(Type.String()), column: Type.Optional(Type.String()), code: Type.String(), message: Type.String() });
export const ImportReportSchema = Type.Object({
  file: Type.String(), format: Type.String(), dryRun: Type.Boolean(), applied: Type.Boolean(),
  counts: Type.Object({ create: Type.Integer(), update: Type.Integer(), unchanged: Type.Integer(), error: Type.Integer() }),
  items: Type.Array(Type.Object({
    line: Type.Integer(), action: Lit(['create', 'update', 'unchanged', 'error'] as const),
    key: Nullable(Type.String()), type: Nullable(Type.String()), stem: Type.String(), changes: Type.Array(Type.String()),
    questionId: Nullable(Type.String()), note: Nullable(Type.String()), errors: Type.Array(ReportError),
  })),
  fileErrors: Type.Array(Type.Object({ line: Type.Integer(), code: Type.String(), message: Type.String() })),
  warnings: Type.Array(Type.Object({ line: Type.Integer(), column: Type.Optional(Type.String()), code: Type.String(), message: Type.String() })),
  truncated: Type.Integer(),
});

export const EXPORT_FORMATS = ['gift', 'aiken', 'csv', 'xlsx'] as const;
export const ExportBody = Obj({
  format: Lit(EXPORT_FORMATS),
  /** The questions to export; absent: every question that `filter` matches. */
  ids: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 5000 })),
  filter: Type.Optional(QuestionFilter),
  /** Spreadsheets: header names in Chinese or English (default: the request's language). */
  header: Type.Optional(Lang),
  /** Aiken: `moodle` (A. / ANSWER:) or `zh` (A、 / 答案：). */
  style: Type.Optional(Lit(['moodle', 'zh'] as const)),
});
export const TemplateParams = Obj({ format: Lit(['csv', 'xlsx'] as const) });
export const TemplateQuery = Obj({ header: Type.Optional(Lang) });
