// The editor's working copy of a question (Draft): a new one, one for another type, one from a stored question, and
// the request body it becomes. What differs by type comes from each type's module (logic.ts).
import { answerRow, num, numericRow, option, QUESTION_TYPES, s, type Draft, type QuestionDetailLike, type QuestionType, type TypeDraft } from './common.js';
import { TYPE_LOGIC } from './logic.js';

const logicOf = (type: string) => ((QUESTION_TYPES as readonly string[]).includes(type) ? TYPE_LOGIC[type as QuestionType] : undefined);

/** Every type's own fields at their defaults (the single-choice ones last: a new question starts as one). */
function typeDefaults(): TypeDraft {
  return Object.assign({}, ...[...QUESTION_TYPES].reverse().map((t) => TYPE_LOGIC[t].defaults())) as TypeDraft;
}

export function emptyDraft(lang: 'zh' | 'en'): Draft {
  return {
    type: 'single_choice', key: '', name: '', stem: '', stemFormat: 'markdown', points: '1', difficulty: '3', language: lang, status: 'draft',
    category: '', tags: '', modules: [], explanation: '',
    ...typeDefaults(),
  };
}

/** The draft for another type: what all types share is kept, the type's own fields start afresh. */
export function withType(draft: Draft, type: QuestionType): Draft {
  const fresh = emptyDraft(draft.language);
  return {
    ...fresh, ...TYPE_LOGIC[type].defaults(), type, key: draft.key, name: draft.name, stem: draft.stem, stemFormat: draft.stemFormat,
    points: draft.points, difficulty: draft.difficulty, language: draft.language, status: draft.status, category: draft.category, tags: draft.tags,
    modules: draft.modules, explanation: draft.explanation,
  };
}

export const newOption = () => option();
export const newAnswerRow = () => answerRow();
export const newNumericRow = () => numericRow();

/** The editor's working copy of a stored question. */
export function toDraft(d: QuestionDetailLike): Draft {
  const q = d.question;
  return {
    ...emptyDraft(d.language),
    type: q.type, key: d.key, name: s(q.name), stem: s(q.stem), stemFormat: q.stemFormat ?? 'markdown', points: s(q.points), difficulty: s(q.difficulty),
    language: d.language, status: d.status, category: d.category ?? '', tags: d.tags.join(', '), modules: [...d.modules], explanation: s(q.explanation),
    ...logicOf(q.type)?.read(q),
  };
}

/** The request body for a draft: the canonical model, only the fields of its type. */
export function toBody(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: d.type, stem: d.stem, stemFormat: d.stemFormat, points: num(d.points), difficulty: num(d.difficulty), language: d.language, status: d.status,
    tags: d.tags.split(/[,，、;；]/).map((x) => x.trim()).filter(Boolean), modules: d.modules,
  };
  if (d.key.trim()) body.key = d.key.trim();
  if (d.name.trim()) body.name = d.name.trim();
  if (d.category.trim()) body.category = d.category.trim();
  if (d.explanation.trim()) body.explanation = d.explanation;
  Object.assign(body, logicOf(d.type)?.body(d));
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}
