import type { ChannelSubscription } from './channel-subscription.js';
import type { HubCounters } from './hub-counters.js';
import type { RecoveryCause, RecoveryMessage } from './realtime-hub.interfaces.js';
import type { RecoveryResult, RecoveryRunner, RecoveryStart } from './recovery-runner.js';

/**
 * Recoveries nobody awaits (a gap marker, a Redis reconnect, dropped held messages): started here, and when
 * one could not close the gap the client is told with a `recovery` message (docs/protocol.md "Socket
 * protocol"), once per recovery however many triggers joined it.
 */
export class BackgroundRecovery {
  constructor(
    private readonly runner: RecoveryRunner,
    private readonly counters: HubCounters,
  ) {}

  start(sub: ChannelSubscription, from: RecoveryStart, cause: RecoveryCause): void {
    this.counters.recoveries++;
    // A trigger that joins a running recovery adds a pass to it; the notice is the first trigger's (once).
    void this.runner.run(sub, from, (result) => this.notify(sub, result, cause)).catch(() => undefined);
  }

  /** Queued before the flush of the live events after the hole (see `RecoveryRunner`), so they follow it. */
  private notify(sub: ChannelSubscription, result: RecoveryResult, cause: RecoveryCause): void {
    if (result.recovered || sub.closed || sub.connection.closed) return;
    this.counters.recoveryNotices++;
    const notice: RecoveryMessage = {
      channel: sub.channel,
      recovered: false,
      reason: result.reason ?? 'error',
      cause,
    };
    sub.connection.send('recovery', JSON.stringify(notice));
  }
}
