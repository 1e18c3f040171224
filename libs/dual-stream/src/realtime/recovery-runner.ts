import type { KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import type { KafkaReplayService } from '../replay/kafka-replay.service.js';
import type { ChannelSubscription } from './channel-subscription.js';
import type { HubConnection } from './hub-connection.js';
import type { HubCounters } from './hub-counters.js';

/** Where a recovery starts when the subscription has no delivered position: a marker's range, or its subscribe time. */
export type RecoveryStart = KafkaPosition | 'since-subscribe' | undefined;

export interface RecoveryResult {
  recovered: boolean;
  replayed: number;
}

/** Passes before a recovery whose live buffer keeps overflowing gives up (and says `recovered: false`). */
const MAX_PASSES = 5;

/**
 * Runs the resume protocol for one subscription (docs/protocol.md "Positions and cursors"): live notifications are already buffered (the
 * subscription is `recovering` and Redis is subscribed), Kafka is replayed from the last delivered position,
 * then the buffer is flushed with deduplication and the subscription goes live. One recovery per subscription
 * at a time; asking again while one runs schedules one more pass (a reconnect or gap marker during a replay).
 */
export class RecoveryRunner {
  constructor(
    private readonly replay: KafkaReplayService,
    private readonly counters: HubCounters,
    private readonly statusChanged: (connection: HubConnection) => void,
  ) {}

  run(sub: ChannelSubscription, start: RecoveryStart): Promise<RecoveryResult> {
    if (sub.running) {
      sub.rerun = true;
      return sub.running;
    }
    sub.running = this.passes(sub, start).finally(() => {
      sub.running = undefined;
      this.statusChanged(sub.connection);
    });
    return sub.running;
  }

  private async passes(sub: ChannelSubscription, start: RecoveryStart): Promise<RecoveryResult> {
    let recovered = true;
    let replayed = 0;
    for (let pass = 1; ; pass++) {
      sub.rerun = false;
      sub.beginRecovery();
      this.statusChanged(sub.connection);
      const from = sub.position ?? (await this.startOf(sub, start));
      if (from && !sub.closed) {
        this.counters.replays++;
        const result = await this.replay.replay(sub.source, from, async (events) => {
          for (const event of events) {
            sub.deliver(event);
            if (!sub.connection.hasRoom()) await sub.connection.waitForRoom();
          }
        });
        replayed += result.replayed;
        this.counters.replayedEvents += result.replayed;
        if (result.recovered) this.counters.replaysRecovered++;
        else {
          this.counters.replaysNotRecovered++;
          recovered = false;
        }
      }
      const flushed = !sub.overflowed && !sub.rerun && (await sub.finishRecovery());
      if (flushed || sub.closed) return { recovered, replayed };
      if (pass >= MAX_PASSES) {
        // Live traffic keeps outrunning the replay: go live with what is buffered; a dropped buffer is a hole.
        const hole = sub.overflowed;
        sub.overflowed = false;
        await sub.finishRecovery();
        return { recovered: recovered && !hole, replayed };
      }
    }
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
