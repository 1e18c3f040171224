// The dashboard's transport seam: the page only sees dashboard events, never a socket or an EventSource, so
// another way to reach the gateway (SSE on GET /sse, sse-transport.js) is one more entry in TRANSPORTS.
import { createSocketTransport } from './socket-transport.js';
import { createSseTransport } from './sse-transport.js';

/**
 * What a transport emits (`emit(event)`), in delivery order:
 * - `{ kind: 'status', status }`: `live` | `recovering` | `degraded` | `offline`;
 * - `{ kind: 'subscribed' | 'unsubscribed', target }`: a channel (`events:{type}:{id}`) or pattern (`events:…*`);
 * - `{ kind: 'event', target, channel, event, origin }`: each event of a channel once, in offset order;
 *   `event` is the notification (`id`, `type`, `source`, `time`, `topic`, `partition`, `offset`, `data`?);
 * - `{ kind: 'gap', target, channel, reason, cause? }`: a hole the transport could not fill;
 * - `{ kind: 'reset', target, channel, reason, gatewayReason? }`: the stream restarted past a hole;
 * - `{ kind: 'disconnect', reason }`, `{ kind: 'error', target?, message }`.
 *
 * @typedef {object} Transport
 * @property {string} name
 * @property {(target: string) => void} subscribe
 * @property {(target: string) => void} unsubscribe
 * @property {() => void} reconnect drop the connection and resume every subscription from its last event
 * @property {() => void} close
 */

/**
 * Transport factories by name (`?transport=` in the page's URL picks one).
 * @type {Record<string, (options: { url: string, token?: string, getToken?: () => Promise<string>, emit: (e: object) => void }) => Transport>}
 */
export const TRANSPORTS = { socket: createSocketTransport, sse: createSseTransport };

/** @default 'socket' */
export const DEFAULT_TRANSPORT = 'socket';
