/**
 * The answer outbox of one exam attempt. Nothing a learner enters is lost on a weak link:
 *
 * - every change gets the next sequence number of its slot (monotonic per slot, kept in storage, never below what the
 *   server holds) and is written to localStorage before anything is sent;
 * - changes go out debounced and batched (one PUT for every slot waiting), and leave the outbox only when the server
 *   acknowledges the slot with a sequence number at least their own (a newer change made meanwhile stays);
 * - a network error, a 429 or a 5xx is retried with a growing back-off; coming back online, showing the page again or
 *   loading it sends at once;
 * - a 409 (time up, already submitted) stops sending and says the server's reason: the answers stay in storage, the
 *   server kept what came late;
 * - integrity events (hidden, blur, offline, ...) travel the same way, so they survive being offline too.
 *
 * It knows nothing of the DOM or of the API client: the page passes a transport and a storage, so the unit test
 * drives it with fakes.
 */

export interface OutboxAnswer { slot: number; seq: number; response: Record<string, unknown>; flagged: boolean }
export type IntegrityKind = 'focus_lost' | 'focus_back' | 'hidden' | 'visible' | 'offline' | 'online' | 'reconnect';
export interface IntegrityEvent { kind: IntegrityKind; at: string; detail?: string }
export interface SaveAck { acknowledged: { slot: number; seq: number }[]; deadlineAt: string; serverNow: string }

/** A failed request as the outbox needs to know it: the HTTP status (0 for no network) and the server's words. */
export interface OutboxFailure { status: number; detail: string; retryAfterSeconds?: number }

export interface OutboxTransport {
  saveAnswers(answers: OutboxAnswer[]): Promise<SaveAck>;
  sendEvents(events: IntegrityEvent[]): Promise<void>;
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * - `saved`: nothing waiting; `saving`: changes waiting or on their way; `offline`: no network, kept on this device;
 * - `retrying`: the server failed (5xx, 429), trying again; `error`: refused for a reason a retry cannot mend;
 * - `closed`: the attempt takes no more answers (409), `message` says why.
 */
export type OutboxStatus = 'saved' | 'saving' | 'offline' | 'retrying' | 'error' | 'closed';
export interface OutboxState { status: OutboxStatus; pending: number; message: string | null }

interface Stored {
  /** The newest sequence number given out per slot. */
  seqs: Record<string, number>;
  /** Answers not yet acknowledged, by slot. */
  pending: Record<string, OutboxAnswer>;
  events: IntegrityEvent[];
  /** The question the learner is on (sequential exams cannot go back, not even by reloading). */
  position: number;
}

export interface OutboxOptions {
  attemptId: string;
  transport: OutboxTransport;
  storage: StorageLike | null;
  onState?: (s: OutboxState) => void;
  onAck?: (ack: SaveAck) => void;
  /** How long after the last change a batch goes out. */
  debounceMs?: number;
  /** At most this long after the first change of a batch, even while the learner keeps typing. */
  maxWaitMs?: number;
  /** The first retry's wait; it doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The jitter of the back-off (so a county's phones do not retry in step); tests pin it. */
  random?: () => number;
  /** Whether the device thinks it is online (navigator.onLine); only used to word the state. */
  isOnline?: () => boolean;
}

export const outboxKey = (attemptId: string) => `exam-outbox:${attemptId}`;

const MAX_ANSWERS_PER_REQUEST = 200;
const MAX_EVENTS_PER_REQUEST = 100;
/** Events beyond this are dropped oldest first: a phone left offline for a day must not fill its storage. */
const MAX_EVENTS_KEPT = 500;

function empty(): Stored {
  return { seqs: {}, pending: {}, events: [], position: 0 };
}

function read(storage: StorageLike | null, key: string): Stored {
  if (!storage) return empty();
  try {
    const raw = storage.getItem(key);
    if (!raw) return empty();
    const v = JSON.parse(raw) as Partial<Stored>;
    return {
      seqs: v.seqs && typeof v.seqs === 'object' ? v.seqs : {},
      pending: v.pending && typeof v.pending === 'object' ? v.pending : {},
      events: Array.isArray(v.events) ? v.events : [],
      position: typeof v.position === 'number' ? v.position : 0,
    };
  } catch {
    return empty();
  }
}

/** Whether a failure is worth retrying: no network, too many requests, or the server's own trouble. */
export const retryable = (f: OutboxFailure) => f.status === 0 || f.status === 429 || f.status >= 500;

export function asFailure(e: unknown): OutboxFailure {
  if (e && typeof e === 'object' && 'status' in e && typeof (e as { status: unknown }).status === 'number') {
    const x = e as { status: number; detail?: unknown; retryAfterSeconds?: unknown };
    return { status: x.status, detail: typeof x.detail === 'string' ? x.detail : '', retryAfterSeconds: typeof x.retryAfterSeconds === 'number' ? x.retryAfterSeconds : undefined };
  }
  return { status: 0, detail: e instanceof Error ? e.message : '' };
}

export class ExamOutbox {
  private data: Stored;
  private readonly key: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstChangeAt: number | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private lastFailure: OutboxFailure | null = null;
  private closedMessage: string | null = null;
  private stopped = false;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly opts: OutboxOptions) {
    this.key = outboxKey(opts.attemptId);
    this.data = read(opts.storage, this.key);
    this.debounceMs = opts.debounceMs ?? 800;
    this.maxWaitMs = opts.maxWaitMs ?? 3000;
    this.backoffMs = opts.backoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  }

  /**
   * Merges what the server holds with what this device kept: for each slot the newer sequence number wins. Local
   * answers the server already has (at the same or a newer number) leave the outbox. Returns the answers to show.
   */
  merge(server: readonly OutboxAnswer[]): Map<number, OutboxAnswer> {
    const shown = new Map<number, OutboxAnswer>();
    for (const a of server) {
      shown.set(a.slot, a);
      const k = String(a.slot);
      if ((this.data.seqs[k] ?? 0) < a.seq) this.data.seqs[k] = a.seq;
      const mine = this.data.pending[k];
      if (mine && mine.seq <= a.seq) delete this.data.pending[k];
    }
    for (const mine of Object.values(this.data.pending)) shown.set(mine.slot, mine);
    this.persist();
    this.emit();
    return shown;
  }

  /** Records a change of one slot: numbered, stored, then sent after the debounce. */
  set(slot: number, response: Record<string, unknown>, flagged: boolean): OutboxAnswer {
    const k = String(slot);
    const seq = (this.data.seqs[k] ?? 0) + 1;
    this.data.seqs[k] = seq;
    const answer = { slot, seq, response, flagged };
    this.data.pending[k] = answer;
    this.persist();
    this.schedule();
    this.emit();
    return answer;
  }

  /** An integrity event, kept with the answers and sent with the next batch. */
  event(kind: IntegrityKind, detail?: string, at = new Date()) {
    this.data.events.push({ kind, at: at.toISOString(), ...(detail ? { detail: detail.slice(0, 200) } : {}) });
    if (this.data.events.length > MAX_EVENTS_KEPT) this.data.events.splice(0, this.data.events.length - MAX_EVENTS_KEPT);
    this.persist();
    this.schedule();
  }

  get position() { return this.data.position; }
  set position(n: number) {
    if (this.data.position === n) return;
    this.data.position = n;
    this.persist();
  }

  /** The answers not yet acknowledged, oldest slot first (what a submit carries). */
  pendingAnswers(): OutboxAnswer[] {
    return Object.values(this.data.pending).sort((a, b) => a.slot - b.slot);
  }

  get state(): OutboxState {
    const pending = Object.keys(this.data.pending).length;
    if (this.closedMessage !== null) return { status: 'closed', pending, message: this.closedMessage };
    if (this.lastFailure && !retryable(this.lastFailure)) return { status: 'error', pending, message: this.lastFailure.detail || null };
    if (pending === 0) return { status: 'saved', pending, message: null };
    if (this.lastFailure?.status === 0 || this.opts.isOnline?.() === false) return { status: 'offline', pending, message: null };
    if (this.lastFailure) return { status: 'retrying', pending, message: this.lastFailure.detail || null };
    return { status: 'saving', pending, message: null };
  }

  /** Sends now: on load, when the connection comes back, when the page is shown again, before a submit. */
  flushNow(): Promise<void> {
    if (this.closedMessage !== null || this.stopped) return Promise.resolve();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.failures = 0;
    this.lastFailure = null;
    return this.flush();
  }

  /** The attempt is over (submitted, or time up): nothing more goes out, and the device forgets what it kept. */
  finish() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.data = empty();
    this.opts.storage?.removeItem(this.key);
    this.emit();
  }

  /** Stops the timers (leaving the page); what is stored stays for the next visit. */
  dispose() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Marks the attempt closed by the server (a 409 elsewhere, say on submit), with its reason. */
  close(message: string) {
    this.closedMessage = message;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.emit();
  }

  private persist() {
    if (!this.opts.storage) return;
    try {
      this.opts.storage.setItem(this.key, JSON.stringify(this.data));
    } catch {
      // Storage full or refused (private mode): the answers still go out from memory.
    }
  }

  private emit() {
    this.opts.onState?.(this.state);
  }

  private hasWork() {
    return Object.keys(this.data.pending).length > 0 || this.data.events.length > 0;
  }

  private schedule() {
    if (this.closedMessage !== null || this.stopped) return;
    const now = Date.now();
    this.firstChangeAt ??= now;
    // While a retry waits, a new change does not cut the back-off short (the server or the link needs the rest).
    if (this.lastFailure && retryable(this.lastFailure) && this.timer !== undefined) return;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstChangeAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, wait);
  }

  private retryLater(f: OutboxFailure) {
    this.failures += 1;
    const base = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (this.failures - 1));
    const wait = Math.max(base * (0.75 + (this.opts.random ?? Math.random)() * 0.5), (f.retryAfterSeconds ?? 0) * 1000);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, wait);
  }

  private flush(): Promise<void> {
    if (this.inFlight) {
      // One request at a time; whatever changes meanwhile goes right after.
      this.again = true;
      return this.inFlight;
    }
    if (!this.hasWork() || this.closedMessage !== null || this.stopped) {
      this.emit();
      return Promise.resolve();
    }
    this.firstChangeAt = null;
    this.inFlight = this.sendOnce().finally(() => {
      this.inFlight = null;
      if (this.again && !this.stopped && this.closedMessage === null && (!this.lastFailure || !retryable(this.lastFailure))) {
        this.again = false;
        if (this.hasWork()) this.schedule();
      }
      this.again = false;
      this.emit();
    });
    this.emit();
    return this.inFlight;
  }

  private async sendOnce(): Promise<void> {
    const answers = this.pendingAnswers().slice(0, MAX_ANSWERS_PER_REQUEST);
    try {
      if (answers.length) {
        const ack = await this.opts.transport.saveAnswers(answers);
        this.acknowledge(ack);
      }
      const events = this.data.events.slice(0, MAX_EVENTS_PER_REQUEST);
      if (events.length) {
        try {
          await this.opts.transport.sendEvents(events);
          this.data.events.splice(0, events.length);
        } catch (e) {
          const f = asFailure(e);
          // Events the server refuses outright (a bad one, an attempt gone) would block the queue for ever.
          if (retryable(f)) throw e;
          this.data.events.splice(0, events.length);
        }
        this.persist();
      }
      this.lastFailure = null;
      this.failures = 0;
      if (this.hasWork()) this.schedule();
    } catch (e) {
      const f = asFailure(e);
      this.lastFailure = f;
      if (f.status === 409) {
        this.closedMessage = f.detail;
        return;
      }
      if (retryable(f)) this.retryLater(f);
    }
  }

  private acknowledge(ack: SaveAck) {
    for (const { slot, seq } of ack.acknowledged) {
      const k = String(slot);
      if ((this.data.seqs[k] ?? 0) < seq) this.data.seqs[k] = seq;
      const mine = this.data.pending[k];
      if (mine && mine.seq <= seq) delete this.data.pending[k];
    }
    this.persist();
    this.opts.onAck?.(ack);
  }
}
