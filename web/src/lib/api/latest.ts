/** The request was cancelled (a newer one replaced it, or the page went away); callers drop it silently. */
export function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/** What `run` answers when a newer call started before this one's answer arrived. */
export const STALE: unique symbol = Symbol('stale');

/**
 * A series of requests of which only the newest counts (a search box, a live preview): each `run` aborts the one
 * before it, and an answer or error that arrives after a newer run began resolves to STALE instead of overwriting
 * the newer one's result. Page data does not need this: SvelteKit's loads are keyed by URL and discard stale ones.
 */
export function latestOnly() {
  let seq = 0;
  let current: AbortController | null = null;
  return {
    async run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T | typeof STALE> {
      current?.abort();
      const mine = ++seq;
      const ctrl = (current = new AbortController());
      try {
        const value = await fn(ctrl.signal);
        return mine === seq ? value : STALE;
      } catch (e) {
        if (mine !== seq || isAbort(e)) return STALE;
        throw e;
      } finally {
        if (current === ctrl) current = null;
      }
    },
    /** Drops whatever is in flight (the component is going away). */
    cancel() {
      seq++;
      current?.abort();
      current = null;
    },
  };
}
