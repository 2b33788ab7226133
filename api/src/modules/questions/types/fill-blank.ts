/**
 * fill_blank: the stem marks its blanks `{{1}}`, `{{2}}`, ...; `blanks[i]` holds the accepted answers of `{{i+1}}`.
 * Each blank earns its share of the points times the best matching answer's weight; typed answers match ignoring
 * case, surrounding and repeated spaces, and full/half-width differences (NFKC).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { sanitize } from '../../../lib/markdown.js';
import { arr, clean, defineType, forms as objectForms, isObj, mapArray, MAX_TEXT, optText, OptText, questionForms, str, Text, trimmed, Weight } from './common.js';
import { normaliseAnswerText } from './answers.js';

/** An accepted answer worth less than full marks, or one with its own feedback (from GIFT `=%50%answer#feedback`). */
const Weighted = objectForms({ text: Text(), feedback: OptText() }, { /** Percent of the blank's share, 0..100. */ weight: Weight(0) });
/** A plain string is an accepted answer worth 100 %. */
const answer = <W extends TSchema>(w: W) => Type.Union([Text(), w]);
const blank = <T extends TSchema>(a: T) => Type.Object({ answers: Type.Array(a, { minItems: 1 }) }, { additionalProperties: false });
const forms = questionForms('fill_blank',
  { blanks: Type.Array(blank(answer(Weighted.input)), { minItems: 1 }) },
  { blanks: Type.Array(blank(answer(Weighted.stored)), { minItems: 1 }) });
export type FillBlankQuestion = Static<typeof forms.stored>;
export type WeightedAnswer = Static<typeof Weighted.stored>;
export type Blank = FillBlankQuestion['blanks'][number];
export type BlankAnswer = Blank['answers'][number];

/** The accepted answers of a blank with their weights. */
export function blankAnswers(blank: Blank): WeightedAnswer[] {
  return blank.answers.map((a) => (typeof a === 'string' ? { text: a, weight: 100 } : a));
}

/** The blank numbers (`{{n}}`) in a stem, in order of appearance. */
export function blankMarkers(stem: string): number[] {
  return [...stem.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
}

function normaliseBlankAnswer(a: unknown): unknown {
  if (typeof a === 'string') return a.trim();
  if (!isObj(a)) return a;
  const weight = a.weight ?? 100;
  const feedback = optText(a.feedback);
  if (weight === 100 && feedback === undefined) return trimmed(a.text);
  return clean({ text: trimmed(a.text), weight, feedback });
}

const BLANK_OPEN = '\uE200';
const BLANK_CLOSE = '\uE201';

export const fillBlank = defineType({
  type: 'fill_blank',
  ...forms,
  manuallyGraded: false,
  normalise: (i) => ({ blanks: mapArray(i.blanks, (b) => (isObj(b) ? { answers: mapArray(b.answers, normaliseBlankAnswer) } : b)) }),
  validate(q, c) {
    if (!c.array('blanks', q.blanks)) return;
    const blanks = q.blanks;
    if (blanks.length === 0) c.add('blanks', 'question.blanks_min', { limit: 1, found: 0 });
    blanks.forEach((b, i) => {
      const p = `blanks.${i}`;
      if (!isObj(b)) { c.add(p, 'field.type', { type: 'object' }); return; }
      if (!c.array(`${p}.answers`, b.answers)) return;
      if (b.answers.length === 0) { c.add(`${p}.answers`, 'question.blank_needs_answer'); return; }
      let full = 0;
      b.answers.forEach((a, j) => {
        const ap = `${p}.answers.${j}`;
        if (typeof a === 'string') { if (c.text(ap, a, MAX_TEXT)) full++; return; }
        if (!isObj(a)) { c.add(ap, 'field.type', { type: 'string' }); return; }
        c.text(`${ap}.text`, a.text, MAX_TEXT);
        c.weight(`${ap}.weight`, a.weight, 0);
        if (a.feedback !== undefined) c.text(`${ap}.feedback`, a.feedback, MAX_TEXT, false);
        if (a.weight === 100) full++;
      });
      if (full === 0) c.add(`${p}.answers`, 'question.blank_needs_full_answer');
    });
    if (typeof q.stem === 'string') {
      const markers = blankMarkers(q.stem);
      const expected = blanks.map((_, i) => i + 1);
      const ok = markers.length === expected.length && [...markers].sort((a, b) => a - b).every((m, i) => m === expected[i]);
      if (!ok) c.add('stem', 'question.blank_count_mismatch', { blanks: blanks.length, found: markers.length, markers: markers.join(', ') });
    }
  },
  stemHtml(q, render) {
    // Blank markers survive markdown as private-use characters and then become the allowed <span class="blank">.
    const marked = str(q.stem).replace(/\{\{\s*(\d+)\s*\}\}/g, (_, n: string) => `${BLANK_OPEN}${n}${BLANK_CLOSE}`);
    const html = render(marked).replace(new RegExp(`${BLANK_OPEN}(\\d+)${BLANK_CLOSE}`, 'g'), '<span class="blank">$1</span>');
    return sanitize(html);
  },
  learnerView: (q) => ({ response: 'blanks', blanks: arr(q.blanks).length }),
  answerView: (q, tools) => ({
    blanks: arr<Blank>(q.blanks).map((b) => ({
      answers: Array.isArray(b?.answers)
        ? blankAnswers(b).map((a) => ({ text: str(a?.text ?? a), weight: typeof a?.weight === 'number' ? a.weight : 100, feedbackHtml: tools.render(a?.feedback) }))
        : [],
    })),
  }),
  score(q, r, s) {
    const given = Array.isArray(r.blanks) ? r.blanks : [];
    const n = q.blanks.length;
    if (n === 0) return s.result(0, false);
    const parts: boolean[] = [];
    let total = 0;
    q.blanks.forEach((b, i) => {
      const v = given[i];
      const typed = typeof v === 'string' || typeof v === 'number' ? normaliseAnswerText(String(v)) : '';
      let best: WeightedAnswer | undefined;
      if (typed !== '') {
        for (const a of blankAnswers(b)) if (normaliseAnswerText(a.text) === typed && (!best || a.weight > best.weight)) best = a;
      }
      if (best?.feedback) s.feedback.push(best.feedback);
      const w = best ? best.weight : 0;
      total += w / 100;
      parts.push(w === 100);
    });
    return s.result(total / n, parts.every(Boolean), parts);
  },
  searchText: (q) => (Array.isArray(q.blanks) ? q.blanks.flatMap((b) => blankAnswers(b).map((a) => a.text)) : []),
});
