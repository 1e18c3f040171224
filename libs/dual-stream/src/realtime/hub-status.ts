import type { PubSubSubscriber } from '../pubsub-subscriber.js';
import { ChannelSubscription } from './channel-subscription.js';
import type { ConnectionEntry } from './connection-entry.js';
import type { HubConnection } from './hub-connection.js';
import type { StatusMessage } from './realtime-hub.interfaces.js';

/** The `status` message of each connection (docs/protocol.md "Socket protocol"), sent only on change. */
export class HubStatus {
  private readonly sent = new WeakMap<HubConnection, StatusMessage['state']>();

  constructor(private readonly redis: PubSubSubscriber<unknown, unknown>) {}

  update(entry: ConnectionEntry): void {
    const { connection } = entry;
    if (connection.closed) return;
    let state: StatusMessage['state'] = this.redis.up ? 'live' : 'degraded';
    if (state === 'live') {
      for (const sub of entry.subs.values()) {
        if (sub instanceof ChannelSubscription && sub.state === 'recovering') state = 'recovering';
      }
    }
    // Before the first subscription there is no Redis connection yet: nothing to report.
    if (this.redis.channelCount + this.redis.patternCount === 0 && !this.sent.has(connection)) return;
    if (this.sent.get(connection) === state) return;
    this.sent.set(connection, state);
    const status: StatusMessage = { state };
    connection.send('status', JSON.stringify(status), 'status');
  }
}
