import { api, ApiError } from '$lib/api/client';
import { t } from '$lib/i18n.svelte';

export type StartOutcome = { ok: true; attemptId: string } | { ok: false; message: string | null };

/**
 * Starts (or resumes) an attempt. When many start at once the server may answer 429 with Retry-After: the caller is
 * told the seconds left every second (`onWait`), and the start is tried again when they run out. `cancel` stops the
 * waiting (leaving the page).
 */
export function startExam(examId: string, onWait: (seconds: number) => void): { done: Promise<StartOutcome>; cancel: () => void } {
  let cancelled = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let wake: (() => void) | null = null;
  const cancel = () => {
    cancelled = true;
    clearInterval(timer);
    wake?.();
  };
  const wait = (seconds: number) => new Promise<void>((resolve) => {
    let left = Math.max(1, Math.ceil(seconds));
    onWait(left);
    wake = resolve;
    timer = setInterval(() => {
      left -= 1;
      onWait(left);
      if (left <= 0) { clearInterval(timer); resolve(); }
    }, 1000);
  });
  const done = (async (): Promise<StartOutcome> => {
    for (;;) {
      try {
        const view = await api.post('/api/exams/{examId}/attempts', { path: { examId } });
        return { ok: true, attemptId: view.id };
      } catch (e) {
        if (cancelled) return { ok: false, message: null };
        if (e instanceof ApiError && (e.status === 429 || e.status === 503)) {
          await wait(e.retryAfterSeconds ?? 5);
          if (cancelled) return { ok: false, message: null };
          continue;
        }
        return { ok: false, message: e instanceof ApiError ? e.detail : t('error.unexpected') };
      }
    }
  })();
  return { done, cancel };
}
