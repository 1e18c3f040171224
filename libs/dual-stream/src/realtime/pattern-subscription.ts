import type { ChannelMessage } from '../interfaces/dual-stream-event.interface.js';
import type { HubConnection } from './hub-connection.js';
import type { GapMessage } from './realtime-hub.interfaces.js';
import { eventMessageJson } from './socket-packet.js';

/** A live-only pattern subscription (dashboards): no replay; gap markers are passed on as `gap`. */
export class PatternSubscription {
  readonly key: string;
  closed = false;

  constructor(
    readonly connection: HubConnection,
    readonly pattern: string,
    readonly redisPattern: string,
    private readonly conflate: boolean,
  ) {
    this.key = `p:${pattern}`;
  }

  /** A message on a matching channel and its JSON as it came from Redis. */
  onMessage(channel: string, message: ChannelMessage, json: string): void {
    if (this.closed) return;
    if (message.kind === 'gap') {
      const gap: GapMessage = { channel, pattern: this.pattern, gap: message };
      this.connection.send('gap', JSON.stringify(gap));
      return;
    }
    this.connection.send('event', eventMessageJson(channel, json, this.pattern), this.conflate ? `${this.key}|${channel}` : undefined);
  }
}
