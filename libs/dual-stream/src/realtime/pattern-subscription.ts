import type { GapMarker, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { HubConnection } from './hub-connection.js';
import type { GapMessage } from './realtime-hub.interfaces.js';
import type { LiveMessage } from './socket-packet.js';

/** A live-only pattern subscription (dashboards): no replay; gap markers are passed on as `gap`. */
export class PatternSubscription {
  readonly key: string;
  closed = false;

  constructor(
    readonly connection: HubConnection,
    readonly pattern: string,
    readonly redisPattern: string,
    /** Keep only the newest queued event per matched channel (a re-subscribe may change it). */
    public conflate: boolean,
  ) {
    this.key = `p:${pattern}`;
  }

  /** A gap marker published on a matching channel. */
  onGap(channel: string, marker: GapMarker): void {
    if (this.closed) return;
    const gap: GapMessage = { channel, pattern: this.pattern, gap: marker };
    this.connection.send('gap', JSON.stringify(gap));
  }

  /** A live notification on a matching channel, shared with the pattern's other local subscribers. */
  onEvent(channel: string, message: LiveMessage<RealtimeNotification>): void {
    if (this.closed) return;
    this.connection.sendEvent(message, channel, this.pattern, this.conflate ? `${this.key}|${channel}` : undefined);
  }
}
