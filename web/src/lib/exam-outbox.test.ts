import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExamOutbox, outboxKey, type IntegrityEvent, type OutboxAnswer, type OutboxState, type SaveAck, type StorageLike } from './exam-outbox';

class MemoryStorage implements StorageLike {
  readonly map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

type Reply = { fail: { status: number; detail: string } } | { hang: true } | 'ok';

/** A server that records what it is sent and answers as told, keeping the newest seq per slot like the real one. */
class FakeServer {
  saves: OutboxAnswer[][] = [];
  events: IntegrityEvent[][] = [];
  held = new Map<number, OutboxAnswer>();
  replies: Reply[] = [];
  eventReplies: Reply[] = [];
  private release: (() => void)[] = [];

  private failure(r: Reply) {
    return typeof r === 'object' && 'fail' in r ? Object.assign(new Error(r.fail.detail), r.fail) : null;
  }

  transport = {
    saveAnswers: async (answers: OutboxAnswer[]): Promise<SaveAck> => {
      this.saves.push(structuredClone(answers));
      const r = this.replies.shift() ?? 'ok';
      const fail = this.failure(r);
      if (fail) throw fail;
      if (typeof r === 'object' && 'hang' in r) await new Promise<void>((res) => this.release.push(res));
      for (const a of answers) if ((this.held.get(a.slot)?.seq ?? 0) < a.seq) this.held.set(a.slot, a);
      return { acknowledged: answers.map((a) => ({ slot: a.slot, seq: this.held.get(a.slot)!.seq })), deadlineAt: '2026-12-03T10:30:00.000Z', serverNow: '2026-12-03T10:00:00.000Z' };
    },
    sendEvents: async (events: IntegrityEvent[]) => {
      this.events.push(structuredClone(events));
      const fail = this.failure(this.eventReplies.shift() ?? 'ok');
      if (fail) throw fail;
    },
  };

  releaseAll() { for (const r of this.release.splice(0)) r(); }
}

const stored = (s: MemoryStorage, id = 'a1') => JSON.parse(s.getItem(outboxKey(id)) ?? 'null') as { seqs: Record<string, number>; pending: Record<string, OutboxAnswer>; events: IntegrityEvent[] } | null;

describe('exam answer outbox', () => {
  let storage: MemoryStorage;
  let server: FakeServer;
  let states: OutboxState[];
  const make = (extra: Partial<ConstructorParameters<typeof ExamOutbox>[0]> = {}) =>
    new ExamOutbox({ attemptId: 'a1', transport: server.transport, storage, random: () => 0.5, onState: (s) => states.push(s), ...extra });

  beforeEach(() => {
    vi.useFakeTimers();
    storage = new MemoryStorage();
    server = new FakeServer();
    states = [];
  });
  afterEach(() => vi.useRealTimers());

  it('stores every change before sending, numbers each slot on its own, and sends one debounced batch', async () => {
    const box = make();
    box.set(0, { choice: 1 }, false);
    expect(stored(storage)?.pending['0']).toEqual({ slot: 0, seq: 1, response: { choice: 1 }, flagged: false });
    box.set(0, { choice: 2 }, false);
    box.set(3, { text: 'abc' }, true);
    expect(stored(storage)?.seqs).toEqual({ 0: 2, 3: 1 });
    expect(box.state.status).toBe('saving');
    await vi.advanceTimersByTimeAsync(700);
    expect(server.saves).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(server.saves).toEqual([[
      { slot: 0, seq: 2, response: { choice: 2 }, flagged: false },
      { slot: 3, seq: 1, response: { text: 'abc' }, flagged: true },
    ]]);
    expect(box.state).toEqual({ status: 'saved', pending: 0, message: null });
    expect(stored(storage)?.pending).toEqual({});
    // The numbers keep climbing after an acknowledgement.
    expect(box.set(0, { choice: 0 }, false).seq).toBe(3);
  });

  it('sends within the longest wait even while the learner keeps typing', async () => {
    const box = make();
    for (let i = 0; i < 10; i++) {
      box.set(1, { text: 'x'.repeat(i + 1) }, false);
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(server.saves.length).toBeGreaterThanOrEqual(1);
    expect(server.saves[0][0].slot).toBe(1);
  });

  it('keeps a change made while its slot was on the way, and forgets only what the server acknowledged', async () => {
    const box = make();
    server.replies.push({ hang: true });
    box.set(2, { value: 1 }, false);
    await vi.advanceTimersByTimeAsync(800);
    expect(server.saves).toHaveLength(1);
    box.set(2, { value: 2 }, false);
    server.releaseAll();
    await vi.advanceTimersByTimeAsync(0);
    // seq 1 acknowledged; seq 2 still waits.
    expect(stored(storage)?.pending['2']?.seq).toBe(2);
    expect(box.state.status).toBe('saving');
    await vi.advanceTimersByTimeAsync(800);
    expect(server.saves[1]).toEqual([{ slot: 2, seq: 2, response: { value: 2 }, flagged: false }]);
    expect(server.held.get(2)?.response).toEqual({ value: 2 });
    expect(box.state.status).toBe('saved');
  });

  it('says offline and retries with a growing wait when the network is gone, then sends everything', async () => {
    let online = false;
    const box = make({ isOnline: () => online });
    server.replies.push({ fail: { status: 0, detail: 'network' } }, { fail: { status: 0, detail: 'network' } });
    box.set(0, { choice: 0 }, false);
    await vi.advanceTimersByTimeAsync(800);
    expect(server.saves).toHaveLength(1);
    expect(box.state.status).toBe('offline');
    box.set(1, { choice: 1 }, false);
    // The first retry comes after a second, the second two seconds after that (jitter pinned to none here).
    await vi.advanceTimersByTimeAsync(950);
    expect(server.saves).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.saves).toHaveLength(2);
    expect(server.saves[1].map((a) => a.slot)).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(1900);
    expect(server.saves).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(150);
    expect(server.saves).toHaveLength(3);
    expect(box.state.status).toBe('saved');
    expect(server.held.size).toBe(2);
    online = true;
  });

  it('sends at once when asked (back online, page shown), without waiting for the back-off', async () => {
    const box = make();
    server.replies.push({ fail: { status: 0, detail: 'network' } });
    box.set(0, { choice: 0 }, false);
    await vi.advanceTimersByTimeAsync(800);
    expect(box.state.status).toBe('offline');
    await box.flushNow();
    expect(server.saves).toHaveLength(2);
    expect(box.state.status).toBe('saved');
  });

  it('retries a 503 and says it is retrying, with the server\'s words', async () => {
    const box = make();
    server.replies.push({ fail: { status: 503, detail: 'database unavailable' } });
    box.set(0, { choice: 0 }, false);
    await vi.advanceTimersByTimeAsync(800);
    expect(box.state).toEqual({ status: 'retrying', pending: 1, message: 'database unavailable' });
    await vi.advanceTimersByTimeAsync(1300);
    expect(server.saves).toHaveLength(2);
    expect(box.state.status).toBe('saved');
  });

  it('stops at a 409 with the server\'s reason and keeps the answers on the device', async () => {
    const box = make();
    server.replies.push({ fail: { status: 409, detail: '考试时间已到' } });
    box.set(0, { choice: 0 }, false);
    await vi.advanceTimersByTimeAsync(800);
    expect(box.state).toEqual({ status: 'closed', pending: 1, message: '考试时间已到' });
    box.set(1, { choice: 1 }, false);
    await vi.advanceTimersByTimeAsync(60_000);
    await box.flushNow();
    expect(server.saves).toHaveLength(1);
    expect(Object.keys(stored(storage)!.pending)).toEqual(['0', '1']);
  });

  it('on reload merges the server\'s answers with the newer local ones, and numbers on from the higher', async () => {
    const first = make();
    server.replies.push({ fail: { status: 0, detail: 'network' } });
    first.set(0, { choice: 1 }, false);
    first.set(0, { choice: 2 }, false); // seq 2, never reached the server
    first.set(1, { choice: 3 }, false); // seq 1
    await vi.advanceTimersByTimeAsync(800);
    first.dispose();

    // Reloaded: the server has slot 0 at seq 1 (an older save) and slot 1 at seq 4 (from another device).
    const again = make();
    const shown = again.merge([
      { slot: 0, seq: 1, response: { choice: 0 }, flagged: false },
      { slot: 1, seq: 4, response: { choice: 0 }, flagged: true },
      { slot: 2, seq: 7, response: { choice: 2 }, flagged: false },
    ]);
    expect(shown.get(0)).toEqual({ slot: 0, seq: 2, response: { choice: 2 }, flagged: false });
    expect(shown.get(1)).toEqual({ slot: 1, seq: 4, response: { choice: 0 }, flagged: true });
    expect(shown.get(2)?.seq).toBe(7);
    expect(again.pendingAnswers().map((a) => [a.slot, a.seq])).toEqual([[0, 2]]);
    expect(again.set(1, { choice: 1 }, false).seq).toBe(5);
    expect(again.set(2, { choice: 1 }, false).seq).toBe(8);
    await again.flushNow();
    expect(server.saves.at(-1)!.map((a) => [a.slot, a.seq])).toEqual([[0, 2], [1, 5], [2, 8]]);
    expect(again.state.status).toBe('saved');
  });

  it('carries integrity events through being offline, and drops ones the server refuses outright', async () => {
    const box = make();
    server.eventReplies.push({ fail: { status: 0, detail: 'network' } });
    box.event('hidden', undefined, new Date('2026-12-03T10:00:00Z'));
    box.event('visible', undefined, new Date('2026-12-03T10:00:05Z'));
    await vi.advanceTimersByTimeAsync(800);
    expect(stored(storage)?.events).toHaveLength(2);
    const reloaded = make();
    server.eventReplies.push({ fail: { status: 400, detail: 'bad' } }, 'ok');
    await reloaded.flushNow();
    expect(server.events[1].map((e) => e.kind)).toEqual(['hidden', 'visible']);
    expect(stored(storage)?.events).toEqual([]);
    reloaded.event('offline');
    await reloaded.flushNow();
    expect(server.events[2].map((e) => e.kind)).toEqual(['offline']);
    expect(stored(storage)?.events).toEqual([]);
  });

  it('forgets everything once the attempt is finished', async () => {
    const box = make();
    box.set(0, { choice: 0 }, false);
    box.finish();
    expect(storage.getItem(outboxKey('a1'))).toBeNull();
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.saves).toHaveLength(0);
  });
});
