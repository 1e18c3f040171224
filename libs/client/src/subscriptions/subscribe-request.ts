import { Backoff } from '../client/backoff.js';
import { MalformedMessageError } from '../errors/malformed-message.error.js';
import { parseSubscribeAck } from '../protocol/server-message.parser.js';
import type { SubscriptionHost } from './subscription-host.js';

export type SubscribeResult =
  /** `reason`: why the gateway could not replay everything (`recovered: false`). */
  | { kind: 'ok'; recovered: boolean; reason?: string }
  /** The connection dropped, is about to, or the subscription was superseded: a reconnect subscribes again. */
  | { kind: 'stale' }
  | { kind: 'refused'; error: string };

// Refusals a retry on the same connection can fix (docs/protocol.md "Socket protocol", ack on refusal).
const TRANSIENT = new Set(['internal error', 'not attached to the realtime hub']);
// Refusals that come with the end of the connection: the reconnect subscribes again.
const CLOSING = (error: string) => error === 'disconnected' || error.startsWith('token expired');

/**
 * Sends one `subscribe` and reads its ack, retrying transient refusals with backoff while `current()` holds.
 */
export async function requestSubscribe(
  host: SubscriptionHost,
  payload: object,
  current: () => boolean,
): Promise<SubscribeResult> {
  const backoff = new Backoff(host.settings.reconnectDelayMs, host.settings.fillRetryDelayMaxMs);
  for (;;) {
    let raw: unknown;
    try {
      raw = await host.request('subscribe', payload);
    } catch {
      return { kind: 'stale' };
    }
    if (!current()) return { kind: 'stale' };
    const ack = parseSubscribeAck(raw);
    if (ack?.ok) return { kind: 'ok', recovered: ack.recovered, ...(ack.reason && { reason: ack.reason }) };
    if (ack && CLOSING(ack.error)) return { kind: 'stale' };
    if (ack && !TRANSIENT.has(ack.error)) return { kind: 'refused', error: ack.error };
    if (!ack) host.report(new MalformedMessageError('subscribe ack'));
    await host.sleep(backoff.next());
    if (!current()) return { kind: 'stale' };
  }
}
