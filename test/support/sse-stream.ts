import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** One message of a Server-Sent Events stream, as a client assembles it. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * A raw HTTP client of an SSE endpoint (no reconnection, no library): the status, headers, every byte as
 * text, and the messages and comments parsed from it per the WHATWG rules the gateway relies on (fields, `:`
 * comments, blank-line dispatch, several `data:` lines joined with `\n`). `pause()` stops reading the socket
 * so the server sees real backpressure.
 */
export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** A problem body when the status is not 200. */
  body?: any;
  text(): string;
  messages: SseMessage[];
  comments: string[];
  ended: boolean;
  /** The last `id` seen (what `Last-Event-ID` would carry). */
  lastId(): string | undefined;
  /** `data` of each message of `event`, JSON-parsed. */
  data<T = any>(event: string): T[];
  pause(): void;
  resume(): void;
  close(): void;
  response: IncomingMessage;
}

export function openSseStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      let raw = '';
      let pending = '';
      let current: { id?: string; event?: string; data: string[] } = { data: [] };
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => raw,
        messages: [],
        comments: [],
        ended: false,
        lastId: () => [...stream.messages].reverse().find((m) => m.id !== undefined)?.id,
        data: (event) => stream.messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data)),
        pause: () => {
          res.pause();
          res.socket.pause();
        },
        resume: () => {
          res.socket.resume();
          res.resume();
        },
        close: () => req.destroy(),
        response: res,
      };
      const line = (l: string) => {
        if (l === '') {
          if (current.data.length > 0) {
            stream.messages.push({
              ...(current.id !== undefined && { id: current.id }),
              event: current.event ?? 'message',
              data: current.data.join('\n'),
            });
          }
          current = { data: [] };
          return;
        }
        if (l.startsWith(':')) {
          stream.comments.push(l.slice(1).trim());
          return;
        }
        const colon = l.indexOf(':');
        const field = colon < 0 ? l : l.slice(0, colon);
        const value = colon < 0 ? '' : l.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') current.id = value;
        else if (field === 'event') current.event = value;
        else if (field === 'data') current.data.push(value);
      };
      res.on('data', (chunk: string) => {
        raw += chunk;
        if (stream.status !== 200) return;
        pending += chunk;
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop()!;
        for (const l of lines) line(l);
      });
      const end = () => {
        stream.ended = true;
        if (stream.status !== 200) {
          try {
            stream.body = JSON.parse(raw);
          } catch {
            stream.body = undefined;
          }
        }
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', () => undefined);
      if (stream.status === 200) resolve(stream);
      else res.once('end', () => resolve(stream));
    });
    req.on('error', reject);
  });
}
