// A contest screen's live state: the server's stream (GET /api/contests/:id/events, `event: state`, the same
// ContestState getContestState answers for this viewer) with a refetch whenever the stream fails, and the time left
// counted from the server's clock (closesAt - serverNow, carried forward by the phone's clock between messages).
import { api, ApiError } from '$lib/api/client';
import { clockOffset } from '$lib/exam-time';
import type { ContestState } from './contest';

export class LiveContest {
  state = $state<ContestState | null>(null);
  /** The server's clock minus this device's, from the last state received. */
  offset = $state(0);
  /** This device's clock, ticking four times a second while the screen is open. */
  now = $state(Date.now());
  /** The stream is open (false while it reconnects). */
  connected = $state(false);
  /** The last failure of a refetch, in the user's language. */
  problem = $state('');
  readonly #id: string;
  #es: EventSource | null = null;
  #tick: ReturnType<typeof setInterval> | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(contestId: string, initial: ContestState | null) {
    this.#id = contestId;
    if (initial) this.apply(initial);
  }

  /** Takes a state unless it is older than the one shown (a refetch and the stream can cross). */
  apply(s: ContestState) {
    const cur = this.state;
    if (cur && Date.parse(s.serverNow) < Date.parse(cur.serverNow)) return;
    this.offset = clockOffset(s.serverNow);
    // The title keeps the language of the page's own requests (the stream cannot say which the person chose).
    this.state = cur ? { ...s, title: cur.title } : s;
  }

  /** Milliseconds left on the open question by the server's clock; null when no question is open. */
  get remainingMs(): number | null {
    const s = this.state;
    if (!s || s.phase !== 'question') return null;
    if (s.pausedRemainingMs != null) return s.pausedRemainingMs;
    if (!s.closesAt) return null;
    return Math.max(0, Date.parse(s.closesAt) - (this.now + this.offset));
  }

  get paused(): boolean {
    return this.state?.phase === 'question' && this.state.pausedRemainingMs != null;
  }

  async refetch() {
    try {
      this.apply(await api.get('/api/contests/{contestId}/state', { path: { contestId: this.#id } }));
      this.problem = '';
    } catch (e) {
      this.problem = e instanceof ApiError ? e.detail : String(e);
    }
  }

  start() {
    this.#stopped = false;
    this.#tick = setInterval(() => (this.now = Date.now()), 250);
    this.#open();
    document.addEventListener('visibilitychange', this.#onVisible);
  }

  #onVisible = () => {
    if (document.visibilityState === 'visible') void this.refetch();
  };

  #open() {
    if (this.#stopped) return;
    const es = new EventSource(`/api/contests/${this.#id}/events`, { withCredentials: true });
    this.#es = es;
    es.addEventListener('open', () => (this.connected = true));
    es.addEventListener('state', (e) => {
      this.connected = true;
      try { this.apply(JSON.parse((e as MessageEvent<string>).data) as ContestState); } catch { /* a broken message: the next one follows */ }
    });
    es.addEventListener('error', () => {
      this.connected = false;
      void this.refetch();
      // EventSource reconnects by itself unless the server refused the stream; then open a new one a little later.
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        if (this.#retry) clearTimeout(this.#retry);
        this.#retry = setTimeout(() => this.#open(), 3000);
      }
    });
  }

  stop() {
    this.#stopped = true;
    this.#es?.close();
    this.#es = null;
    if (this.#tick) clearInterval(this.#tick);
    if (this.#retry) clearTimeout(this.#retry);
    document.removeEventListener('visibilitychange', this.#onVisible);
  }
}
