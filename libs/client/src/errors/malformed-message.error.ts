/** A frame from the gateway or a read-model answer lacked a field the SDK needs; it was dropped. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';

  constructor(
    /** What was being read: `event`, `gap`, `subscribe ack`, `catch-up response`, ... */
    readonly kind: string,
  ) {
    super(
      `Dropped a malformed ${kind} (a required field is missing or invalid; docs/protocol.md describes the shape). Check that the gateway or read model speaks protocol version 1.`,
    );
  }
}
