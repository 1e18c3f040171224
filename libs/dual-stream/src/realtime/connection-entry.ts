import type { ChannelSubscription } from './channel-subscription.js';
import type { ConnectionExpiry } from './connection-expiry.js';
import type { HubConnection } from './hub-connection.js';
import { KeyedSerializer } from './keyed-serializer.js';
import type { PatternSubscription } from './pattern-subscription.js';

export type Subscription = ChannelSubscription | PatternSubscription;

/** What the hub holds per attached socket: its outbound side, subscriptions and credentials' expiry. */
export class ConnectionEntry {
  /** By key: `c:{channel}` / `p:{pattern}`. */
  readonly subs = new Map<string, Subscription>();
  /** Subscribe and unsubscribe of one key run one at a time (see `KeyedSerializer`). */
  readonly serializer = new KeyedSerializer();
  expiry?: ConnectionExpiry;

  constructor(readonly connection: HubConnection) {}

  get principal(): unknown {
    return this.connection.principal;
  }

  /** Closed, or past its credentials' expiry. */
  get gone(): boolean {
    return this.connection.closed || this.expiry?.expired === true;
  }

  patternCount(): number {
    let count = 0;
    for (const key of this.subs.keys()) if (key.startsWith('p:')) count++;
    return count;
  }
}
