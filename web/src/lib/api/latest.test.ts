import { describe, expect, it } from 'vitest';
import { latestOnly, STALE } from './latest';

/** A request whose answer the test releases by hand, and which rejects as fetch does when aborted. */
function deferred<T>(signal: AbortSignal) {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject, signal };
}

describe('only the newest answer counts', () => {
  it('drops an older answer that arrives after a newer one', async () => {
    const series = latestOnly();
    const calls: ReturnType<typeof deferred<string>>[] = [];
    // The older request ignores its abort signal (a server that answers anyway): its answer must still be dropped.
    const first = series.run((signal) => { const d = deferred<string>(signal); calls.push(d); return d.promise; });
    const second = series.run((signal) => { const d = deferred<string>(signal); calls.push(d); return d.promise; });
    calls[1].resolve('new');
    calls[0].resolve('old');
    await expect(second).resolves.toBe('new');
    await expect(first).resolves.toBe(STALE);
  });

  it('aborts the request it replaces', async () => {
    const series = latestOnly();
    let firstSignal: AbortSignal | undefined;
    const first = series.run((signal) => {
      firstSignal = signal;
      return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    });
    const second = series.run(async () => 'fresh');
    expect(firstSignal?.aborted).toBe(true);
    await expect(first).resolves.toBe(STALE);
    await expect(second).resolves.toBe('fresh');
  });

  it('passes on the error of the newest request, and drops an older one', async () => {
    const series = latestOnly();
    let failOld!: (e: unknown) => void;
    const old = series.run(() => new Promise<string>((_, reject) => (failOld = reject)));
    const current = series.run(async () => { throw new Error('refused'); });
    failOld(new Error('late failure'));
    await expect(old).resolves.toBe(STALE);
    await expect(current).rejects.toThrow('refused');
  });

  it('cancel drops what is in flight', async () => {
    const series = latestOnly();
    let finish!: (v: string) => void;
    const pending = series.run(() => new Promise<string>((res) => (finish = res)));
    series.cancel();
    finish('too late');
    await expect(pending).resolves.toBe(STALE);
  });
});
