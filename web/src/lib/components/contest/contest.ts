// Shared pieces of the live contest screens: the state's types, the scoring rule in words, and what an answer or a
// key says per question type. Options are named by their index (the learner view's option ids are the indices).
import type { ApiData } from '$lib/api/client';
import { t } from '$lib/i18n.svelte';

export type ContestState = ApiData<'/api/contests/{contestId}/state'>;
export type ContestQuestion = NonNullable<ContestState['question']>;
export type Rules = ContestState['rules'];
export type Leaderboard = NonNullable<ContestState['leaderboard']>;
export type Response = Record<string, unknown>;

/** The scoring rule in one sentence, as stated before the start: base points, speed, streak, ties (and teams). */
export function rulesText(r: Rules): string {
  const parts = [
    t('ct.rule.seconds', { n: r.answerSeconds }),
    t('ct.rule.base', { n: r.basePoints }),
    r.speedBonus > 0 ? t('ct.rule.speed', { n: r.speedBonus }) : t('ct.rule.noSpeed'),
    r.streakBonus > 0 ? t('ct.rule.streak', { n: r.streakBonus, cap: r.streakCap }) : t('ct.rule.noStreak'),
    r.tieBreak === 'shared' ? t('ct.rule.tie.shared') : t('ct.rule.tie.time'),
  ];
  if (r.mode === 'team') parts.push(t('ct.rule.team'));
  return parts.join(t('ct.rule.sep')) + t('ct.rule.end');
}

const letter = (i: number) => String.fromCharCode(65 + (i % 26));
export { letter };

/** The right answer in words: option letters, true/false, or the accepted texts of each blank. */
export function keyText(q: ContestQuestion, key: Record<string, unknown>): string {
  if (q.type === 'true_false') return key.answer === true ? t('ct.true') : t('ct.false');
  if (Array.isArray(key.options)) {
    return (key.options as { correct?: boolean }[]).map((o, i) => (o?.correct ? letter(i) : null)).filter(Boolean).join(', ');
  }
  if (Array.isArray(key.blanks)) {
    return (key.blanks as { answers?: { text: string }[] }[]).map((b) => (b.answers ?? []).map((a) => a.text).join(' / ')).join(t('ct.rule.sep'));
  }
  return '';
}

/** Which options (by id) are right, for marking the distribution bars. */
export function rightOptionIds(q: ContestQuestion, key: Record<string, unknown>): Set<string> {
  if (q.type === 'true_false') return new Set([key.answer === true ? 'true' : 'false']);
  if (Array.isArray(key.options)) return new Set((key.options as { correct?: boolean }[]).flatMap((o, i) => (o?.correct ? [String(i)] : [])));
  return new Set();
}

/** The label of a distribution bar: the option's letter, or true/false. */
export function optionLabel(q: ContestQuestion, optionId: string): string {
  if (optionId === 'true') return t('ct.true');
  if (optionId === 'false') return t('ct.false');
  const i = (q.options ?? []).findIndex((o) => o.id === optionId);
  return i >= 0 ? letter(i) : optionId;
}

/** The stem as text with its blanks shown as underscores (fill-in stems carry `<span class="blank">n</span>`). */
export function isAnswer(q: ContestQuestion, r: Response | null | undefined): boolean {
  if (!r) return false;
  if (q.type === 'single_choice') return typeof r.choice === 'number';
  if (q.type === 'multiple_choice') return Array.isArray(r.choices) && r.choices.length > 0;
  if (q.type === 'true_false') return typeof r.answer === 'boolean';
  if (q.type === 'fill_blank') return Array.isArray(r.blanks) && r.blanks.some((b) => typeof b === 'string' && b.trim() !== '');
  return false;
}
