import type { ApiData } from '$lib/api/client';
import { i18n } from '$lib/i18n.svelte';

export type ExamDetail = ApiData<'/api/exams/{examId}'>;
export type ExamSummary = ApiData<'/api/exams'>['items'][number];

export const KINDS = ['monthly', 'makeup', 'practice'] as const;
export const STATES = ['draft', 'scheduled', 'open', 'closed', 'archived'] as const;

const locale = () => (i18n.lang === 'zh' ? 'zh-CN' : 'en-GB');

/** A moment as the person reads it, in their time zone. */
export const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' }) : '';

/** A moment to the second, as an integrity log needs it. */
export const whenExact = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'medium' }) : '';

/** An exam's window on one line. */
export const windowText = (opensAt: string, closesAt: string) => `${when(opensAt)} – ${when(closesAt)}`;

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a `datetime-local` input shows it (local time, minutes). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as an instant for the API; empty when the field is empty or not a time. */
export function fromLocalInput(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** `2026-12` for a date. */
export const monthOf = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;

/** A number to at most `digits` decimals, in the person's notation; a dash when there is none. */
export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return v.toLocaleString(locale(), { maximumFractionDigits: digits });
}

/** A percentage (the API gives 0 to 100). */
export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : `${num(v, digits)}%`);
