/**
 * A socket.io EVENT packet as it goes on the wire (socket.io protocol v5: `2[/nsp,]["event",payload]`), built
 * once per message and written to each subscriber's engine.io socket. This is what socket.io's own room
 * broadcast does (encode once, write to every socket); `socket.emit()` would re-encode per socket.
 * `payloadJson` must be JSON without binary data, which holds for notifications.
 */
export function eventPacket(namespace: string, event: string, payloadJson: string): string {
  return `2${namespace === '/' ? '' : `${namespace},`}[${JSON.stringify(event)},${payloadJson}]`;
}

/** `{"channel":...,"event":<notification>}` from the notification's JSON, without re-serializing it. */
export function eventMessageJson(channel: string, notificationJson: string, pattern?: string): string {
  const head = pattern === undefined ? '' : `"pattern":${JSON.stringify(pattern)},`;
  return `{"channel":${JSON.stringify(channel)},${head}"event":${notificationJson}}`;
}
