// The Server-Sent Events transport of the dashboard (docs/sse.md): the browser's own EventSource on GET /sse,
// turned into dashboard events (see transports.js for the contract). EventSource cannot send headers, so the
// token goes into the HttpOnly stream cookie first (POST /sse/session). A stream's channel set is fixed, so a
// new channel means a new stream that carries the old stream's cursor (`lastEventId`): nothing is lost.

/** Renew the cookie and reopen this long before the token's `exp`. @default 30_000 */
const RENEW_BEFORE_MS = 30_000;
/** Wait before opening again after the gateway refused or closed a stream for good. @default 3000 */
const REOPEN_DELAY_MS = 3000;

/** The token's `exp` in ms, or undefined (not a JWT, or no `exp`): only to time the renewal, never trusted. */
function expiryOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(payload));
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** One SSE message's JSON, or undefined (counted by the caller as malformed, never thrown). */
function parse(data) {
  try {
    const value = JSON.parse(data);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {{ url: string, token?: string, getToken?: () => Promise<string>, emit: (e: object) => void }} options
 * @returns {import('./transports.js').Transport}
 */
export function createSseTransport({ url, token, getToken, emit }) {
  /** Channels shown. */
  const shown = new Set();
  /** Channels of the current stream: a superset of `shown`, since the stream's cursor names all of them. */
  const streamed = new Set();
  /** Channels whose subscribe outcome (`status` with `ok`) has not come yet. */
  const pending = new Set();
  let source;
  let cursor;
  let status;
  let timer;
  let closed = false;
  /** The channel the newest stream added: dropped if the gateway refuses that stream before it opens. */
  let added;
  /** Bumped on each open: callbacks of an older stream or session exchange do nothing. */
  let generation = 0;

  const setStatus = (next) => {
    if (next === status) return;
    status = next;
    emit({ kind: 'status', status });
  };
  const later = (fn, ms) => {
    clearTimeout(timer);
    timer = setTimeout(fn, Math.max(0, ms));
  };

  /** POST /sse/session: the cookie EventSource sends; answers the token's expiry. */
  const session = async () => {
    const current = token ?? (await getToken());
    const res = await fetch(`${url}/sse/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${current}` },
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new Error(`POST /sse/session answered ${res.status}${body.detail ? `: ${body.detail}` : ''}`);
    }
    return expiryOf(current);
  };

  const onMessage = (kind, handler) =>
    source.addEventListener(kind, (message) => {
      if (message.lastEventId) cursor = message.lastEventId;
      const data = parse(message.data);
      if (data) handler(data);
      else emit({ kind: 'error', message: `malformed SSE ${kind} message dropped` });
    });

  /** A new cookie, then a new stream of every channel, from the last cursor. */
  const open = async () => {
    const mine = ++generation;
    source?.close();
    source = undefined;
    let expiresAt;
    try {
      expiresAt = await session();
    } catch (error) {
      if (mine !== generation || closed) return;
      emit({ kind: 'error', message: error.message });
      setStatus('offline');
      later(open, REOPEN_DELAY_MS);
      return;
    }
    if (mine !== generation || closed) return;
    // Only a renewable token is worth renewing; a typed one ends the stream at its expiry.
    if (expiresAt !== undefined && getToken && !token) {
      // A token shorter-lived than RENEW_BEFORE_MS is renewed halfway, never in a tight loop.
      const left = expiresAt - Date.now();
      later(open, Math.max(1000, left - Math.min(RENEW_BEFORE_MS, left / 2)));
    }
    if (streamed.size === 0) {
      setStatus('live'); // authenticated, nothing to stream yet
      return;
    }
    const query = new URLSearchParams();
    for (const channel of streamed) query.append('channel', channel);
    if (cursor) query.set('lastEventId', cursor);
    for (const channel of streamed) pending.add(channel);
    setStatus('recovering');
    source = new EventSource(`${url}/sse?${query}`);
    let opened = false;
    source.onopen = () => {
      opened = true;
      added = undefined;
      setStatus(pending.size > 0 ? 'recovering' : 'live');
    };
    source.onerror = () => {
      if (mine !== generation) return;
      for (const channel of streamed) pending.add(channel);
      setStatus('offline');
      // CONNECTING: EventSource retries by itself with Last-Event-ID. CLOSED: refused (an expired cookie's
      // 401 after `token-expired`, a 4xx): renew the cookie and open again.
      if (source?.readyState !== EventSource.CLOSED) return;
      if (!opened && added) {
        // Most likely the new channel is refused (403 forbidden, 400 invalid_channel): drop it, keep the rest.
        const refused = added;
        added = undefined;
        streamed.delete(refused);
        shown.delete(refused);
        emit({ kind: 'error', target: refused, message: 'the gateway refused a stream with this channel' });
        emit({ kind: 'unsubscribed', target: refused });
        later(open, 0);
      } else later(open, REOPEN_DELAY_MS);
    };
    onMessage('event', ({ channel, event }) => {
      if (shown.has(channel) && event && typeof event === 'object') {
        emit({ kind: 'event', target: channel, channel, event, origin: 'sse' });
      }
    });
    onMessage('status', (data) => {
      if (typeof data.ok !== 'boolean') {
        if (['live', 'recovering', 'degraded'].includes(data.state)) setStatus(data.state);
        return;
      }
      const { channel } = data;
      pending.delete(channel);
      if (!data.ok) {
        emit({ kind: 'error', target: channel, message: String(data.error?.message ?? data.error ?? 'refused') });
      } else if (data.recovered === false && shown.has(channel)) {
        emit({ kind: 'gap', target: channel, channel, reason: data.reason ?? 'unknown' });
      }
      if (pending.size === 0) setStatus('live');
    });
    onMessage('recovery', ({ channel, reason, cause }) => {
      if (shown.has(channel)) emit({ kind: 'gap', target: channel, channel, reason, cause });
    });
    onMessage('gap', ({ channel, reason }) => {
      if (shown.has(channel)) emit({ kind: 'gap', target: channel, channel, reason });
    });
    onMessage('server_disconnect', ({ reason }) => emit({ kind: 'disconnect', reason }));
  };

  void open();
  return {
    name: 'sse',
    subscribe(target) {
      if (shown.has(target)) return;
      if (target.includes('*')) {
        emit({ kind: 'error', target, message: 'SSE takes exact channels only: use socket.io for patterns' });
        return;
      }
      shown.add(target);
      emit({ kind: 'subscribed', target });
      if (streamed.has(target)) return;
      streamed.add(target);
      added = target;
      setStatus('recovering'); // not live on the new channel until the new stream answers its subscribe
      void open();
    },
    /** Hidden only: the stream keeps the channel, so its cursor still fits the next stream's channel set. */
    unsubscribe(target) {
      if (!shown.delete(target)) return;
      emit({ kind: 'unsubscribed', target });
    },
    /** A new stream from the last cursor (the gateway replays what came after it). */
    reconnect() {
      void open();
    },
    close() {
      closed = true;
      generation++;
      clearTimeout(timer);
      source?.close();
    },
  };
}
