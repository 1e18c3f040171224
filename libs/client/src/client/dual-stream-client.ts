import type { FetchRecent } from '../catch-up/fetch-recent.js';
import type {
  ChannelHandlers,
  PatternSubscribeOptions,
  SubscribeOptions,
  Unsubscribe,
} from '../subscriptions/subscription-options.js';
import type { ClientMetrics } from './client-metrics.js';
import type { ConnectionStatus } from './connection-status.js';

/**
 * A connection to the gateway and the subscriptions on it, made by `connect()`. It reconnects by itself after
 * any drop (network, a `slow` or `token-expired` disconnect, a refused handshake when `getToken` is given),
 * asks `getToken` again each time, and subscribes every channel again from the last position it handed over.
 */
export interface DualStreamClient {
  /** The connection's state now (see `ConnectionStatus`). */
  readonly status: ConnectionStatus;

  /** Counters since the client was created. */
  metrics(): ClientMetrics;

  /**
   * `status`: the connection's state changed. `error`: something the app may want to log (a refused
   * subscribe without `onError`, a refused handshake, a malformed frame). `disconnect`: the connection
   * dropped, with the gateway's reason (`slow`, `token-expired`) or socket.io's. Returns a function that
   * removes the listener.
   */
  on(event: 'status', listener: (status: ConnectionStatus) => void): () => void;
  on(event: 'error', listener: (error: Error) => void): () => void;
  on(event: 'disconnect', listener: (reason: string) => void): () => void;

  /**
   * Subscribes to one channel: every event once, in offset order, resumed after any reconnect from the last
   * delivered position. With `fetchRecent`, a resume the gateway refuses is filled from the read model.
   *
   * @example
   * const stop = client.subscribe('events:order:o-1001', { from: saved, onEvent: (e) => apply(e), onReset: reload });
   */
  subscribe<TData = unknown>(channel: string, options: SubscribeOptions<TData>): Unsubscribe;

  /**
   * Joins a channel mid-stream: hands over the read model's events (`fetchRecent`), then subscribes from
   * where the read model is complete, so the gateway replays the rest: one ordered stream, no gap, no
   * duplicate. The same `fetchRecent` fills later holes (long absences).
   *
   * @example
   * client.joinMidStream('events:order:o-1001', catchUpFrom(consumerUrl, { getToken }), { onEvent: render });
   */
  joinMidStream<TData = unknown>(
    channel: string,
    fetchRecent: FetchRecent,
    handlers: ChannelHandlers<TData>,
  ): Unsubscribe;

  /** Subscribes to a pattern (`events:order:*`): live only, `gap` markers surfaced through `onGap`. */
  subscribePattern<TData = unknown>(pattern: string, options: PatternSubscribeOptions<TData>): Unsubscribe;

  /** Closes the connection and every subscription; the client cannot be used afterwards. */
  close(): void;
}
