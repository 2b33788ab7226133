/**
 * CPU-heavy work (reading an uploaded workbook or a large text file) runs in a worker thread, so that one request
 * cannot stall every other: the event loop keeps answering while a worker parses.
 *
 * The contract with the build (scripts that bundle the API with esbuild): a worker's source file is named
 * `<name>.worker.ts`, its caller names it `new URL('./<name>.worker.ts', import.meta.url)`, and the bundle puts each
 * one as `api/dist/<name>.worker.js` beside `server.js`, where the bundled caller's URL then points. So: from source
 * (the URL ends in `.ts` and the file is there) the worker starts through tsx; otherwise the `.js` beside it runs.
 * tsx is for development and tests only: the built API never starts a `.ts` worker.
 *
 * Input and output are plain data (structured clone). A worker reports a domain error as `{ problem }`, which becomes
 * the same AppError (and so the same 4xx problem+json) the caller would have thrown itself.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, type ResourceLimits } from 'node:worker_threads';
import { AppError, type FieldIssue } from './errors.js';

/** An AppError as plain data, to cross the thread boundary. */
export interface WorkerProblem { status: number; code: string; params: Record<string, unknown>; issues: FieldIssue[] }
type Reply<O> = { ok: true; result: O } | { ok: false; problem: WorkerProblem } | { ok: false; crash: string };
/** One slice of a long array in the result, sent ahead of the reply (see serveWorker). */
interface Part { part: string; items: unknown[] }
const isPart = (m: unknown): m is Part => typeof m === 'object' && m !== null && 'part' in m;
/** The caller's answer to a part: it has read it, send the next. */
const ACK = { ack: true } as const;
const isAck = (m: unknown): m is typeof ACK => typeof m === 'object' && m !== null && 'ack' in m;

// A result's arrays longer than this cross in slices of it, each its own message, and the next slice is sent only
// once the caller has read the last: the caller's thread then takes them one event at a time, with other requests
// served between. (Sent all at once, the slices would queue up, and a port reads every queued message in one go,
// which holds the event loop as long as one message of 20,000 questions would.)
const PART_ITEMS = 500;

/**
 * How to start the worker named by its source URL (see the module comment). Node 20 does not apply loader hooks
 * given in a worker's `execArgv` (`--import tsx`) to the worker's entry file, so from source the worker starts from a
 * two-line script that registers tsx first and then imports the entry; a worker of the bundle is plain JavaScript.
 */
export function workerEntry(url: URL): { script: URL | string; eval: boolean } {
  if (url.pathname.endsWith('.ts') && existsSync(fileURLToPath(url))) {
    return { script: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, eval: true };
  }
  return { script: new URL(url.href.replace(/\.ts$/, '.js')), eval: false };
}

export interface RunWorkerOptions {
  /** Past this the worker is stopped and the caller gets `onTimeout`'s error (default 120 s). */
  timeoutMs?: number;
  /** Heap limits for the worker: a task that needs more fails alone, as `onOutOfMemory`'s error. */
  resourceLimits?: ResourceLimits;
  onTimeout?: () => AppError;
  onOutOfMemory?: () => AppError;
}

// At most this many workers run at once (one core stays with the event loop); further tasks wait their turn, up to
// MAX_WAITING, after which the request is told to come back (503 with Retry-After) rather than pile up in memory.
// A worker that finished stays for IDLE_MS for the next task (starting one costs a module load), then ends.
const MAX_RUNNING = Math.max(1, availableParallelism() - 1);
const MAX_WAITING = 16;
const IDLE_MS = 30_000;
let running = 0;
const waiting: (() => void)[] = [];
const idle = new Map<string, { worker: Worker; timer: NodeJS.Timeout }[]>();

async function slot(): Promise<() => void> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw new AppError(503, 'import.busy', {}, [], { 'retry-after': '10' });
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  return () => {
    const next = waiting.shift();
    if (next) next(); else running--;
  };
}

function takeWorker(url: URL, resourceLimits?: ResourceLimits): Worker {
  const key = `${url.href} ${JSON.stringify(resourceLimits ?? {})}`;
  const ready = idle.get(key)?.pop();
  if (ready) { clearTimeout(ready.timer); ready.worker.ref(); return ready.worker; }
  const entry = workerEntry(url);
  const worker = new Worker(entry.script, { eval: entry.eval, resourceLimits, execArgv: [] });
  (worker as Worker & { poolKey?: string }).poolKey = key;
  // A task listens for its own worker's errors; this one keeps an idle worker's failure from crashing the process,
  // and an idle worker that ended leaves the pool.
  worker.on('error', () => {});
  worker.on('exit', () => {
    const list = idle.get(key);
    const at = list?.findIndex((e) => e.worker === worker) ?? -1;
    if (list && at >= 0) { clearTimeout(list[at].timer); list.splice(at, 1); }
  });
  return worker;
}

function giveBack(worker: Worker) {
  const key = (worker as Worker & { poolKey?: string }).poolKey!;
  const list = idle.get(key) ?? [];
  const entry = { worker, timer: setTimeout(() => { void worker.terminate(); }, IDLE_MS) };
  entry.timer.unref();
  // An idle worker must not keep the process alive.
  worker.unref();
  list.push(entry);
  idle.set(key, list);
}

/** Runs the worker at `url` on `input` and resolves with what it answers. */
export async function runWorker<I, O>(url: URL, input: I, opts: RunWorkerOptions = {}): Promise<O> {
  const release = await slot();
  try {
    const worker = takeWorker(url, opts.resourceLimits);
    return await new Promise<O>((resolve, reject) => {
      let settled = false;
      const parts = new Map<string, unknown[][]>();
      const onMessage = (reply: Reply<O> | Part) => {
        if (isPart(reply)) {
          const list = parts.get(reply.part) ?? [];
          list.push(reply.items);
          parts.set(reply.part, list);
          worker.postMessage(ACK);
          return;
        }
        onReply(reply);
      };
      const onReply = (reply: Reply<O>) => finish(true, () => {
        if (reply.ok) {
          const result = reply.result as Record<string, unknown>;
          for (const [key, slices] of parts) result[key] = slices.flat();
          resolve(reply.result);
        }
        else if ('problem' in reply) reject(new AppError(reply.problem.status, reply.problem.code, reply.problem.params, reply.problem.issues));
        else reject(new Error(`worker failed: ${reply.crash}`));
      });
      const onError = (err: Error & { code?: string }) => finish(false, () => {
        reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' && opts.onOutOfMemory ? opts.onOutOfMemory() : err);
      });
      const onExit = (code: number) => finish(false, () => reject(new Error(`worker exited with code ${code} before answering`)));
      const timer = setTimeout(() => finish(false, () => reject(opts.onTimeout?.() ?? new Error('worker timed out'))), opts.timeoutMs ?? 120_000);
      // A worker that answered may serve the next task; one that failed, crashed or overran is ended.
      function finish(reusable: boolean, settle: () => void) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (reusable) giveBack(worker); else void worker.terminate();
        settle();
      }
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage(input);
    });
  } finally {
    release();
  }
}

/**
 * The worker's side: answers each message with `handle(input)`, one at a time. An AppError thrown there crosses as
 * a problem; anything else as a crash (a bug: the caller's error handler logs it and answers 500).
 */
export function serveWorker<I, O>(handle: (input: I) => O | Promise<O>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorker runs inside a worker thread');
  // Acknowledgements of parts, answered in order (one part is in flight at a time).
  const acked: (() => void)[] = [];
  port.on('message', (input: I | typeof ACK) => {
    if (isAck(input)) { acked.shift()?.(); return; }
    void (async () => {
      let reply: Reply<O>;
      try {
        reply = { ok: true, result: await handle(input) };
      } catch (err) {
        reply = err instanceof AppError
          ? { ok: false, problem: { status: err.status, code: err.code, params: err.params, issues: err.issues } }
          : { ok: false, crash: err instanceof Error ? err.stack ?? err.message : String(err) };
      }
      // Long arrays of a result go first, in slices; the reply then carries them empty.
      if (reply.ok && typeof reply.result === 'object' && reply.result !== null && !Array.isArray(reply.result)) {
        const head: Record<string, unknown> = { ...(reply.result as Record<string, unknown>) };
        for (const [key, value] of Object.entries(head)) {
          if (!Array.isArray(value) || value.length <= PART_ITEMS) continue;
          for (let i = 0; i < value.length; i += PART_ITEMS) {
            const read = new Promise<void>((resolve) => acked.push(resolve));
            port.postMessage({ part: key, items: value.slice(i, i + PART_ITEMS) } satisfies Part);
            await read;
          }
          head[key] = [];
        }
        reply = { ok: true, result: head as O };
      }
      port.postMessage(reply);
    })();
  });
}
