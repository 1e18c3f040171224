import type { KafkaPosition, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { KafkaReplayService } from '../replay/kafka-replay.service.js';
import type { ChannelSubscription } from './channel-subscription.js';
import type { HubConnection } from './hub-connection.js';
import type { HubCounters } from './hub-counters.js';
import type { RecoveryReason } from './realtime-hub.interfaces.js';

/** Where a recovery starts when the subscription has no delivered position: a marker's range, or its subscribe time. */
export type RecoveryStart = KafkaPosition | 'since-subscribe' | undefined;

export interface RecoveryResult {
  recovered: boolean;
  replayed: number;
  /** Why `recovered` is false (the first reason met). */
  reason?: RecoveryReason;
}

/**
 * Called once, right before the live events buffered during a recovery with a hole are flushed: a notice
 * queued here reaches the client before any event after the hole.
 */
type BeforeHoleFlush = (result: RecoveryResult) => void;

/** Passes before a recovery whose live buffer keeps overflowing gives up (and says `recovered: false`). */
const MAX_PASSES = 5;

/**
 * Runs the resume protocol for one subscription (docs/protocol.md "Positions and cursors"): live notifications are already buffered (the
 * subscription is `recovering` and Redis is subscribed), Kafka is replayed from the last delivered position,
 * then the buffer is flushed with deduplication and the subscription goes live. One recovery per subscription
 * at a time; asking again while one runs schedules one more pass (a reconnect or gap marker during a replay).
 *
 * A recovery never waits on its client without bound (`HubConnection.waitForRoom` cuts a client that leaves
 * no room for `replay.clientWaitMs`), and ends at once when `cancel` is called (the hub drops the
 * subscription: unsubscribe, socket gone) or its connection closes, which frees its replay's buffer and slot.
 */
export class RecoveryRunner {
  private readonly controllers = new WeakMap<ChannelSubscription, AbortController>();

  constructor(
    private readonly replay: KafkaReplayService,
    private readonly counters: HubCounters,
    private readonly statusChanged: (connection: HubConnection) => void,
  ) {}

  /**
   * Recovers `sub` from `start` (`undefined`: from its own position). A recovery that reports its own hole
   * (`beforeHoleFlush`) is one nobody waits on (gap marker, Redis reconnect, dropped held messages): it waits for
   * a replay slot, since answering `busy` would report a hole nobody looked for; the one behind a `subscribe`
   * ack does not (its client subscribes again).
   */
  run(sub: ChannelSubscription, start: RecoveryStart, beforeHoleFlush?: BeforeHoleFlush): Promise<RecoveryResult> {
    if (sub.running) {
      sub.rerun = true;
      return sub.running;
    }
    const controller = new AbortController();
    this.controllers.set(sub, controller);
    sub.running = this.passes(sub, start, controller, beforeHoleFlush).finally(() => {
      sub.running = undefined;
      if (this.controllers.get(sub) === controller) this.controllers.delete(sub);
      this.statusChanged(sub.connection);
    });
    return sub.running;
  }

  /** Ends the subscription's recovery now (call it when the subscription is dropped); a no-op without one. */
  cancel(sub: ChannelSubscription): void {
    this.controllers.get(sub)?.abort();
  }

  private async passes(
    sub: ChannelSubscription,
    start: RecoveryStart,
    controller: AbortController,
    beforeHoleFlush?: BeforeHoleFlush,
  ): Promise<RecoveryResult> {
    const { signal } = controller;
    let reason: RecoveryReason | undefined;
    let replayed = 0;
    const result = (): RecoveryResult =>
      reason ? { recovered: false, replayed, reason } : { recovered: true, replayed };
    // The buffered live events are after the hole: the client must hear of the hole first (it fills it from
    // its read model before handing them over), so the notice goes into the queue ahead of the flush.
    let told = false;
    const flush = (): Promise<boolean> => {
      if (reason && !told && beforeHoleFlush) {
        told = true;
        beforeHoleFlush(result());
      }
      return sub.finishRecovery();
    };
    for (let pass = 1; ; pass++) {
      sub.rerun = false;
      sub.beginRecovery();
      this.statusChanged(sub.connection);
      const from = sub.position ?? (await this.startOf(sub, start));
      if (from && !this.ended(sub, signal)) {
        this.counters.replays++;
        const replay = await this.replay.replay(
          sub.source,
          from,
          (events, stop) => this.deliver(sub, events, stop, controller),
          { signal, waitForSlot: beforeHoleFlush !== undefined },
        );
        replayed += replay.replayed;
        this.counters.replayedEvents += replay.replayed;
        if (replay.recovered) this.counters.replaysRecovered++;
        else {
          this.counters.replaysNotRecovered++;
          reason ??= replay.reason ?? 'error';
        }
      }
      if (this.ended(sub, signal)) {
        reason ??= 'cancelled';
        return result();
      }
      const flushed = !sub.overflowed && !sub.rerun && (await flush());
      if (flushed || this.ended(sub, signal)) return result();
      if (pass >= MAX_PASSES) {
        // Live traffic keeps outrunning the replay: go live with what is buffered; a dropped buffer is a hole.
        if (sub.overflowed) reason ??= 'overflow';
        sub.overflowed = false;
        await flush();
        return result();
      }
    }
  }

  /**
   * Hands a page of replayed events to the subscription, waiting for room in its client's queue whenever it
   * is half full. Stops when the replay ended early (`stop`) or the connection closed (which cancels the
   * recovery, so the replay frees its slot at once).
   */
  private async deliver(
    sub: ChannelSubscription,
    events: RealtimeNotification[],
    stop: AbortSignal,
    controller: AbortController,
  ): Promise<void> {
    for (const event of events) {
      if (stop.aborted) return;
      sub.deliver(event);
      if (!sub.connection.hasRoom() && !(await sub.connection.waitForRoom(stop))) break;
    }
    if (sub.connection.closed) controller.abort();
  }

  /** The subscription was dropped, its connection closed, or its recovery cancelled. */
  private ended(sub: ChannelSubscription, signal: AbortSignal): boolean {
    return sub.closed || sub.connection.closed || signal.aborted;
  }

  private async startOf(sub: ChannelSubscription, start: RecoveryStart): Promise<KafkaPosition | undefined> {
    if (start !== 'since-subscribe') return start;
    try {
      return await this.replay.positionAt(sub.source, sub.subscribedAt);
    } catch {
      return undefined;
    }
  }
}
