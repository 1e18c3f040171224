import { fakeHubSocket, testChannelSubscription, testNotification } from '../../../../test/support/fake-realtime.js';

const note = (offset: number, partition = 0) => testNotification(offset, { partition });
import type { KafkaPosition, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { KafkaReplayService, ReplayBounds, ReplayResult } from '../replay/kafka-replay.service.js';
import { SocketConnection } from './socket-connection.js';
import { HubCounters } from './hub-counters.js';
import { RecoveryRunner } from './recovery-runner.js';

type OnPage = (events: RealtimeNotification[], signal: AbortSignal) => Promise<void> | void;

const FROM: KafkaPosition = { topic: 'events.o', partition: 0, offset: '9' };

/** KafkaReplayService at its boundary: each call runs `body` with what the runner handed over. */
function fakeReplay(body: (onPage: OnPage, bounds: ReplayBounds) => Promise<ReplayResult>) {
  const calls: ReplayBounds[] = [];
  const replay = {
    replay: (_source: unknown, _from: KafkaPosition, onPage: OnPage, bounds: ReplayBounds = {}) => {
      calls.push(bounds);
      return body(onPage, bounds);
    },
    positionAt: () => Promise.resolve(FROM),
  } as unknown as KafkaReplayService;
  return { replay, calls };
}

function setup(replay: KafkaReplayService, maxRoomWaitMs = 60_000) {
  const fake = fakeHubSocket();
  const counters = new HubCounters();
  const limits = { maxMessages: 10, maxBytes: 1e6, window: 1, maxRoomWaitMs };
  const connection = new SocketConnection(fake.socket, {}, limits, counters);
  const sub = testChannelSubscription(connection, counters);
  sub.holds(FROM);
  const runner = new RecoveryRunner(replay, counters, () => undefined);
  return { ...fake, counters, connection, sub, runner };
}

/** Resolves when `signal` aborts. */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('RecoveryRunner', () => {
  it('replays, flushes and goes live, reporting what was replayed', async () => {
    const { replay } = fakeReplay(async (onPage) => {
      await onPage([note(10), note(11)], new AbortController().signal);
      return { recovered: true, replayed: 2, scanned: 2 };
    });
    const { sub, runner, emitted, drain } = setup(replay);
    const result = runner.run(sub, undefined);
    drain();
    expect(await result).toEqual({ recovered: true, replayed: 2 });
    expect(sub.state).toBe('live');
    expect(emitted).toHaveLength(2);
  });

  it('cancel() aborts the replay at once and ends the recovery as cancelled', async () => {
    const { replay, calls } = fakeReplay(async (_onPage, bounds) => {
      await aborted(bounds.signal!);
      return { recovered: false, replayed: 0, scanned: 0, reason: 'cancelled' };
    });
    const { sub, runner, counters } = setup(replay);
    const result = runner.run(sub, undefined);
    await Promise.resolve();
    sub.closed = true;
    runner.cancel(sub);
    expect(await result).toEqual({ recovered: false, replayed: 0, reason: 'cancelled' });
    expect(calls[0]!.signal!.aborted).toBe(true);
    expect(counters.replaysNotRecovered).toBe(1);
    runner.cancel(sub); // nothing running any more: a no-op
  });

  it('cuts a client that takes nothing for maxRoomWaitMs, and cancels its replay so it frees its slot', async () => {
    let stopped: boolean | undefined;
    const { replay, calls } = fakeReplay(async (onPage, bounds) => {
      const stop = new AbortController();
      await onPage(
        Array.from({ length: 50 }, (_, i) => note(10 + i)),
        stop.signal,
      );
      stopped = bounds.signal!.aborted;
      return { recovered: false, replayed: 50, scanned: 50, reason: 'cancelled' };
    });
    const { sub, runner, raw, counters, connection } = setup(replay, 30);
    expect(await runner.run(sub, undefined)).toEqual({ recovered: false, replayed: 50, reason: 'cancelled' });
    expect(raw.emit).toHaveBeenCalledWith('server_disconnect', { reason: 'slow' });
    expect(counters.slowDisconnects).toBe(1);
    expect(connection.closed).toBe(true);
    expect(stopped).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('stops delivering a page when the replay ends early', async () => {
    const { replay } = fakeReplay(async (onPage) => {
      const stop = new AbortController();
      const delivering = onPage(
        Array.from({ length: 50 }, (_, i) => note(10 + i)),
        stop.signal,
      );
      stop.abort();
      await delivering;
      return { recovered: false, replayed: 50, scanned: 50, reason: 'timeout' };
    });
    const { sub, runner, emitted, drain } = setup(replay);
    const result = runner.run(sub, undefined);
    drain();
    expect(await result).toEqual({ recovered: false, replayed: 50, reason: 'timeout' });
    // The client never drained while the page was delivered: only what fit before the queue was half full.
    expect(emitted.length).toBeLessThan(50);
  });

  it('reports a refused replay (busy) to the subscriber; only recoveries nobody waits on wait for a slot', async () => {
    const { replay, calls } = fakeReplay(async (_onPage, bounds) =>
      bounds.waitForSlot
        ? { recovered: true, replayed: 0, scanned: 0 }
        : { recovered: false, replayed: 0, scanned: 0, reason: 'busy' },
    );
    const { sub, runner } = setup(replay);
    expect(await runner.run(sub, undefined)).toEqual({ recovered: false, replayed: 0, reason: 'busy' });
    expect(sub.state).toBe('live');
    // Background recoveries are the ones that report their own hole (they pass a notice callback).
    const notice = () => undefined;
    expect(await runner.run(sub, FROM, notice)).toEqual({ recovered: true, replayed: 0 });
    expect(await runner.run(sub, 'since-subscribe', notice)).toEqual({ recovered: true, replayed: 0 });
    // A background recovery from the subscription's own position (dropped held messages) waits too.
    expect(await runner.run(sub, undefined, notice)).toEqual({ recovered: true, replayed: 0 });
    expect(calls.map((c) => c.waitForSlot)).toEqual([false, true, true, true]);
  });
});
