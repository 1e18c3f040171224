/**
 * An SSE stream cursor (`Last-Event-ID` / `?lastEventId=`) that the gateway refuses: not one it could have
 * written (docs/sse.md "Cursor"). The reason says what is wrong; the fix is always the same: reconnect without
 * a cursor (live from now, then fill from the read model) or with the `id` of an event the stream sent.
 */
export class InvalidSseCursorError extends Error {
  override readonly name = 'InvalidSseCursorError';

  constructor(readonly reason: string) {
    super(
      `Invalid stream cursor: ${reason}. Send the \`id\` of the last event the stream sent, unchanged, or no cursor to start live.`,
    );
  }
}
