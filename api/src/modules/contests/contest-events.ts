/**
 * Live contest updates, across processes.
 *
 * A change others must see is announced with PostgreSQL's NOTIFY on one channel (`contest_events`, payload
 * `<contestId>:<kind>`), sent through the request's own connection so it is delivered when its transaction commits.
 * Every process listens on one connection of its own (a pg client on PostgreSQL; the embedded database's in-process
 * listener on PGlite) and, for the contests its connected screens follow, builds the state once and sends each screen
 * its own view over Server-Sent Events. Each process also sets a timer for the moment the open question closes,
 * settles it if nobody has, and sends the result: the server's clock decides, whichever process gets there first.
 *
 * Answers are announced too, but screens hear of them at most every ANSWER_COALESCE_MS (the host's "answered" count),
 * so two thousand answers in a second are a handful of broadcasts, not two thousand.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Orm } from '../../db/orm.js';
import type { Clock } from '../../lib/clock.js';
import type { Lang } from '../../lib/i18n.js';
import { CHANNEL } from './contest-notify.js';
import { personal, settleIfDue, sharedState, type Shared } from './contests.service.js';

const ANSWER_COALESCE_MS = 400;
const RECONNECT_MS = 2000;


export interface Viewer { id: string; host: boolean; lang: Lang }
interface Subscriber { viewer: Viewer; send: (data: string) => void }

interface Followed {
  subs: Set<Subscriber>;
  /** A broadcast is running; `again` asks for one more when it ends. */
  busy: boolean;
  /** What the next broadcast must reach: null none, 'hosts' only hosts' screens, 'all' every screen. */
  again: 'hosts' | 'all' | null;
  answerTimer: NodeJS.Timeout | null;
  closeTimer: NodeJS.Timeout | null;
  closeAt: number | null;
  /** The last state built, for screens that connect before anything changes (cleared by every change). */
  cached: Shared | null;
  /** A build in progress that screens connecting meanwhile wait for, instead of each building their own. */
  building: Promise<Shared> | null;
}

interface PgClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', cb: (msg: { channel: string; payload?: string }) => void): void;
  on(event: 'error' | 'end', cb: (err?: Error) => void): void;
  end(): Promise<void>;
}
interface PgliteLike { listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>> }

export class ContestHub {
  private readonly followed = new Map<string, Followed>();
  private stopListening: (() => Promise<void>) | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly orm: Orm, private readonly clock: Clock, private readonly log: FastifyBaseLogger) {}

  /** Starts listening; on PostgreSQL a lost listening connection is made again, and every followed contest refreshed. */
  async start(): Promise<void> {
    if (this.closed) return;
    try {
      const conn = this.orm.em.getConnection() as unknown as { getKnex(): { client: unknown } };
      const client = conn.getKnex().client as { acquireRawConnection(): Promise<unknown> };
      const raw = await client.acquireRawConnection();
      if (raw && typeof (raw as PgliteLike).listen === 'function') {
        this.stopListening = await (raw as PgliteLike).listen(CHANNEL, (payload) => this.onNotice(payload));
        return;
      }
      const pg = raw as PgClient;
      let lost = false;
      const onLost = (err?: Error) => {
        if (lost || this.closed) return;
        lost = true;
        this.log.warn({ err }, 'contest events: listening connection lost; reconnecting');
        this.stopListening = null;
        pg.end().catch(() => {});
        this.scheduleReconnect();
      };
      pg.on('error', onLost);
      pg.on('end', onLost);
      pg.on('notification', (msg) => { if (msg.channel === CHANNEL && msg.payload) this.onNotice(msg.payload); });
      await pg.query(`listen ${CHANNEL}`);
      this.stopListening = async () => { lost = true; await pg.end(); };
      // Anything missed while not listening: every followed contest is sent again.
      for (const id of this.followed.keys()) this.broadcast(id);
    } catch (err) {
      if (this.closed) return;
      this.log.warn({ err }, 'contest events: cannot listen yet; retrying');
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect() {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => { this.reconnectTimer = null; void this.start(); }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const f of this.followed.values()) {
      if (f.answerTimer) clearTimeout(f.answerTimer);
      if (f.closeTimer) clearTimeout(f.closeTimer);
    }
    this.followed.clear();
    const stop = this.stopListening;
    this.stopListening = null;
    if (stop) await stop().catch(() => {});
  }

  /** Screens connected to this process. */
  get connections(): number {
    let n = 0;
    for (const f of this.followed.values()) n += f.subs.size;
    return n;
  }

  /** Follows a contest for one screen: it gets the state now and after every change; the result stops it. */
  subscribe(contestId: string, viewer: Viewer, send: (data: string) => void): () => void {
    let f = this.followed.get(contestId);
    if (!f) {
      f = { subs: new Set(), busy: false, again: null, answerTimer: null, closeTimer: null, closeAt: null, cached: null, building: null };
      this.followed.set(contestId, f);
    }
    const sub: Subscriber = { viewer, send };
    f.subs.add(sub);
    void this.sendOne(contestId, f, sub);
    return () => {
      const g = this.followed.get(contestId);
      if (!g) return;
      g.subs.delete(sub);
      if (!g.subs.size) {
        if (g.answerTimer) clearTimeout(g.answerTimer);
        if (g.closeTimer) clearTimeout(g.closeTimer);
        this.followed.delete(contestId);
      }
    };
  }

  private onNotice(payload: string) {
    const [id, kind] = payload.split(':');
    const f = id ? this.followed.get(id) : undefined;
    if (!f || !id) return;
    f.cached = null;
    if (kind === 'answer') {
      if (!f.answerTimer) {
        // Only hosts' screens show how many have answered: players' screens change when the question does.
        f.answerTimer = setTimeout(() => { f.answerTimer = null; this.broadcast(id, 'hosts'); }, ANSWER_COALESCE_MS);
        f.answerTimer.unref();
      }
      return;
    }
    this.broadcast(id);
  }

  /** The contest's state: the last one built if nothing changed since, else one build shared by everyone waiting. */
  private shared(contestId: string, f: Followed, fresh: boolean): Promise<Shared> {
    // Kept at most a second: its serverNow is what screens count down from.
    if (!fresh && f.cached && this.clock.now().getTime() - f.cached.now.getTime() < 1000) return Promise.resolve(f.cached);
    if (!fresh && f.building) return f.building;
    const building = sharedState(this.orm.em.fork(), contestId, this.clock.now());
    f.building = building;
    f.cached = null;
    building.then((s) => { if (f.building === building) { f.cached = s; f.building = null; } }, () => { if (f.building === building) f.building = null; });
    return building;
  }

  private async sendOne(contestId: string, f: Followed, sub: Subscriber) {
    try {
      const shared = await this.shared(contestId, f, false);
      sub.send(JSON.stringify(personal(shared, sub.viewer, sub.viewer.lang)));
      this.armCloseTimer(contestId, shared.effectivePhase, shared.c.questionClosesAt ?? null);
    } catch (err) {
      this.log.warn({ err, contestId }, 'contest events: state not sent');
    }
  }

  /** Builds the state once and sends every screen following the contest (or only its hosts') its own view. */
  broadcast(contestId: string, reach: 'hosts' | 'all' = 'all'): void {
    const f = this.followed.get(contestId);
    if (!f) return;
    f.again = f.again === 'all' || reach === 'all' ? 'all' : 'hosts';
    if (f.busy) return;
    f.busy = true;
    void (async () => {
      try {
        while (f.again && this.followed.get(contestId) === f) {
          const to = f.again;
          f.again = null;
          const shared = await this.shared(contestId, f, true);
          for (const sub of f.subs) {
            if (to === 'hosts' && !sub.viewer.host) continue;
            try { sub.send(JSON.stringify(personal(shared, sub.viewer, sub.viewer.lang))); } catch { /* a closed screen: its unsubscribe follows */ }
          }
          this.armCloseTimer(contestId, shared.effectivePhase, shared.c.questionClosesAt ?? null);
        }
      } catch (err) {
        this.log.warn({ err, contestId }, 'contest events: broadcast failed');
      } finally {
        f.busy = false;
      }
    })();
  }

  /** At the open question's closing time: settle it (if no process has) and send everyone the result. */
  private armCloseTimer(contestId: string, phase: string, closesAt: Date | null) {
    const f = this.followed.get(contestId);
    if (!f) return;
    const at = phase === 'question' && closesAt ? closesAt.getTime() : null;
    if (at === f.closeAt) return;
    if (f.closeTimer) clearTimeout(f.closeTimer);
    f.closeTimer = null;
    f.closeAt = at;
    if (at === null) return;
    const delay = Math.max(0, at - this.clock.now().getTime()) + 5;
    f.closeTimer = setTimeout(() => {
      f.closeTimer = null;
      f.closeAt = null;
      void settleIfDue(this.orm.em.fork(), contestId, this.clock.now())
        .then((settled) => { if (!settled) this.broadcast(contestId); })
        .catch((err: unknown) => this.log.warn({ err, contestId }, 'contest events: settling failed'));
    }, delay);
    f.closeTimer.unref();
  }
}
