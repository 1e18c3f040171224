/**
 * The client's connection, as the app shows it:
 * - `offline`: not connected (before the first connect, while reconnecting, after `close()`);
 * - `degraded`: connected, but the gateway's Redis is down: no live events until it is back (nothing is lost:
 *   the gateway replays from Kafka afterwards);
 * - `recovering`: the gateway replays from Kafka, or a subscription (re)subscribes or fills from the read model;
 * - `live`: every subscription is live.
 */
export type ConnectionStatus = 'live' | 'recovering' | 'degraded' | 'offline';
