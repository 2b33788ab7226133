// Time on the exam screens. The server alone decides time: the screens count from its clock, as the offset between
// its `serverNow` and the phone's clock when the answer arrived, never from the phone's clock alone.
import type { Lang } from './i18n.svelte';

/** How far the server's clock is ahead of this device's (ms), from a `serverNow` just received. */
export function clockOffset(serverNow: string, localNow = Date.now()): number {
  const s = Date.parse(serverNow);
  return Number.isFinite(s) ? s - localNow : 0;
}

/** The server's time now, by the offset. */
export const serverTime = (offset: number) => Date.now() + offset;

/** A countdown: `m:ss`, or `h:mm:ss` from an hour up; never negative. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A span of time in words, to the two largest units: "3 天 5 小时", "2 h 10 min", "5 分钟". */
export function span(ms: number, lang: Lang): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const units = lang === 'zh' ? { d: ' 天', h: ' 小时', m: ' 分钟' } : { d: ' d', h: ' h', m: ' min' };
  const parts = d ? [[d, units.d], [h, units.h]] : h ? [[h, units.h], [m, units.m]] : [[m, units.m]];
  return parts.filter(([n], i) => i === 0 || n).map(([n, u]) => `${n}${u}`).join(lang === 'zh' ? ' ' : ' ');
}

/** A moment as the person reads it: "12月3日 14:30" or "3 Dec, 14:30", with the year when it is not this one. */
export function when(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    ...(sameYear ? {} : { year: 'numeric' }), month: lang === 'zh' ? 'long' : 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(d);
}
