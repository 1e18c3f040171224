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
  private readonly watched = new WeakSet<Promise<RecoveryResult>>();

  constructor(
    private readonly runner: RecoveryRunner,
    private readonly counters: HubCounters,
  ) {}

  start(sub: ChannelSubscription, from: RecoveryStart, cause: RecoveryCause): void {
    this.counters.recoveries++;
    const running = this.runner.run(sub, from, true);
    if (this.watched.has(running)) return;
    this.watched.add(running);
    running.then(
      (result) => {
        if (result.recovered || sub.closed || sub.connection.closed) return;
        this.counters.recoveryNotices++;
        const notice: RecoveryMessage = {
          channel: sub.channel,
          recovered: false,
          reason: result.reason ?? 'error',
          cause,
        };
        sub.connection.send('recovery', JSON.stringify(notice));
      },
      () => undefined,
    );
  }
}
