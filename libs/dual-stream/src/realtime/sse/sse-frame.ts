/**
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events"): fields `id`, `event`, `data`, `retry`, one
 * per line, a blank line ending the message; a line starting with `:` is a comment.
 */

/** A heartbeat: a comment line, which clients ignore and proxies see as traffic. */
export const SSE_PING = ': ping\n\n';

/** The reconnection delay hint a client's `EventSource` uses after the stream ends. */
export function sseRetry(ms: number): string {
  return `retry: ${ms}\n\n`;
}

const LINE_BREAK = /\r\n|\r|\n/;
const LINE_BREAKS = /\r\n|\r|\n/g;

/**
 * The `data:` lines of a JSON text. JSON written by the publishers is one line; raw JSON may still hold line
 * breaks as whitespace, and a line break inside a `data:` field would end it. Each line then gets its own
 * `data:` field, which the client joins back with `\n` (whitespace, so the JSON means the same).
 */
export function sseData(json: string): string {
  return LINE_BREAK.test(json) ? `data: ${json.replace(LINE_BREAKS, '\ndata: ')}\n` : `data: ${json}\n`;
}

/** One message without an `id` (see `SseConnection`, which puts the cursor in front). */
export function sseMessage(event: string, json: string): string {
  return `event: ${event}\n${sseData(json)}\n`;
}

/** `message` (see `sseMessage`) with `id` as its `id:` field, the cursor a client resumes from. */
export function sseWithId(id: string, message: string): string {
  return `id: ${id}\n${message}`;
}
