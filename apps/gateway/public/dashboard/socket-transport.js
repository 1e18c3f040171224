// The socket.io transport of the dashboard: @dual-stream/client (the gateway's /client.js) turned into
// dashboard events (see transports.js for the contract). The SDK does the resume work: after any reconnect it
// subscribes every channel again from the last position it handed over, drops duplicates, and says when a
// hole could not be filled (onGap / onReset).
import { connect } from '/client.js';

/**
 * @param {{ url: string, token?: string, getToken?: () => Promise<string>, emit: (e: object) => void }} options
 * @returns {import('./transports.js').Transport}
 */
export function createSocketTransport({ url, token, getToken, emit }) {
  /** target -> { stop: () => void, last?: Position } (the last position is kept for `reconnect()`) */
  const targets = new Map();
  let client;

  const open = () => {
    client = connect({
      url,
      ...(token ? { token } : { getToken }),
      // The dashboard wants to be back quickly after a gateway restart: cap the backoff at 3 s.
      reconnectDelayMaxMs: 3000,
      socketOptions: { transports: ['websocket'] },
    });
    client.on('status', (status) => emit({ kind: 'status', status }));
    client.on('disconnect', (reason) => emit({ kind: 'disconnect', reason }));
    client.on('error', (error) => emit({ kind: 'error', message: error.message }));
    emit({ kind: 'status', status: client.status });
  };

  const start = (target, from) => {
    const entry = { stop: () => undefined, last: from };
    targets.set(target, entry);
    const onError = (error) => {
      emit({ kind: 'error', target, message: error.message });
      if (error.name === 'SubscribeRefusedError') forget(target);
    };
    if (target.includes('*')) {
      entry.stop = client.subscribePattern(target, {
        onEvent: (event, info) => emit({ kind: 'event', target, channel: info.channel, event, origin: info.origin }),
        onGap: (info) => emit({ kind: 'gap', target, channel: info.channel, reason: info.reason }),
        onError,
      });
    } else {
      entry.stop = client.subscribe(target, {
        ...(from && { from }),
        onEvent: (event, info) => {
          entry.last = { topic: event.topic, partition: event.partition, offset: event.offset };
          emit({ kind: 'event', target, channel: target, event, origin: info.origin });
        },
        onGap: (info) => emit({ kind: 'gap', target, channel: target, reason: info.reason, cause: info.cause }),
        onReset: (info) =>
          emit({ kind: 'reset', target, channel: target, reason: info.reason, gatewayReason: info.gatewayReason }),
        onError,
      });
    }
    emit({ kind: 'subscribed', target });
  };

  const forget = (target) => {
    const entry = targets.get(target);
    if (!entry) return;
    targets.delete(target);
    entry.stop();
    emit({ kind: 'unsubscribed', target });
  };

  open();
  return {
    name: 'socket',
    subscribe(target) {
      if (!targets.has(target)) start(target);
    },
    unsubscribe: forget,
    /** A new connection; every channel continues from the last event shown (the gateway replays the rest). */
    reconnect() {
      const resume = [...targets].map(([target, entry]) => [target, entry.last]);
      client.close();
      targets.clear();
      open();
      for (const [target, last] of resume) start(target, last);
    },
    close() {
      client.close();
      targets.clear();
    },
  };
}
