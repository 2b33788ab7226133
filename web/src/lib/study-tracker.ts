import { api, type ApiData } from './api/client';

export type Progress = ApiData<'/api/modules/{moduleId}/progress', 'post'>;

const BEAT_MS = 15_000;

/**
 * Counts the seconds a module page is visible and reports them to the server every 15 s, with the sections read,
 * the reading position and whether the end was reached. Seconds not yet acknowledged are kept in localStorage, so
 * a lost request, a dropped connection or a reload loses nothing: they go with the next heartbeat.
 * The server decides what to credit (it caps each beat by the time elapsed), so this can stay simple.
 */
export class StudyTracker {
  private readonly clientId = crypto.randomUUID();
  private seq = 0;
  private pending: number;
  private sections = new Set<string>();
  private position: string | null = null;
  private reachedEnd = false;
  private dirty = false;
  private inFlight = false;
  private tick: ReturnType<typeof setInterval> | undefined;
  private beat: ReturnType<typeof setInterval> | undefined;
  private readonly storageKey: string;

  constructor(private readonly moduleId: string, private readonly onProgress: (p: Progress) => void, private readonly onOffline: (offline: boolean) => void) {
    this.storageKey = `study-pending:${moduleId}`;
    this.pending = Number(localStorage.getItem(this.storageKey) ?? 0) || 0;
  }

  start() {
    this.tick = setInterval(() => {
      if (document.visibilityState === 'visible') {
        this.pending += 1;
        localStorage.setItem(this.storageKey, String(this.pending));
      }
    }, 1000);
    this.beat = setInterval(() => void this.flush(), BEAT_MS);
    document.addEventListener('visibilitychange', this.onVisibility);
    window.addEventListener('pagehide', this.onPageHide);
  }

  stop() {
    clearInterval(this.tick);
    clearInterval(this.beat);
    document.removeEventListener('visibilitychange', this.onVisibility);
    window.removeEventListener('pagehide', this.onPageHide);
    void this.flush();
  }

  sectionRead(id: string) {
    if (!this.sections.has(id)) {
      this.sections.add(id);
      this.dirty = true;
    }
  }

  setPosition(id: string) {
    if (this.position !== id) {
      this.position = id;
      this.dirty = true;
    }
  }

  endReached() {
    if (!this.reachedEnd) {
      this.reachedEnd = true;
      this.dirty = true;
      void this.flush();
    }
  }

  private body() {
    return {
      clientId: this.clientId, seq: ++this.seq, seconds: Math.min(this.pending, 3600),
      ...(this.position ? { position: this.position } : {}), sectionsRead: [...this.sections], reachedEnd: this.reachedEnd,
    };
  }

  async flush() {
    if (this.inFlight || (this.pending === 0 && !this.dirty)) return;
    this.inFlight = true;
    const body = this.body();
    try {
      const progress = await api.post('/api/modules/{moduleId}/progress', { path: { moduleId: this.moduleId }, body });
      this.pending = Math.max(0, this.pending - body.seconds);
      localStorage.setItem(this.storageKey, String(this.pending));
      this.dirty = false;
      this.onOffline(false);
      this.onProgress(progress);
    } catch {
      this.onOffline(true);
    } finally {
      this.inFlight = false;
    }
  }

  private onVisibility = () => {
    if (document.visibilityState === 'hidden') void this.flush();
  };

  // The page may be going away (phone locked, tab closed): a keepalive request outlives it.
  private onPageHide = () => {
    if (this.pending === 0 && !this.dirty) return;
    fetch(`/api/modules/${this.moduleId}/progress`, {
      method: 'POST', keepalive: true, credentials: 'same-origin',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.body()),
    }).catch(() => undefined);
  };
}
