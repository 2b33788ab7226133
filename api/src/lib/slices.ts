/**
 * Long loops on the request thread (planning or writing a 20,000-question import) give the event loop back between
 * slices of work, so that other requests are read and answered meanwhile. A slice is measured in time, not in items:
 * the same loop is then as polite on a busy two-core machine as on an idle one.
 *
 *   const pause = slicer();
 *   for (const item of items) { await pause(); work(item); }
 *
 * `pause()` resolves at once (a microtask) until the slice's budget is spent, then waits for `setImmediate`: the
 * event loop polls for I/O first, so a request that arrived meanwhile is read before the loop goes on. With PGlite
 * the database runs on this thread too and answers through promises only, so awaiting a query is not such a turn.
 */
export const SLICE_MS = 15;

export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function slicer(budgetMs = SLICE_MS): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await yieldToLoop();
    since = performance.now();
  };
}
