/** The gateway did not answer a request within `ackTimeoutMs`; the SDK reconnects and subscribes again. */
export class AckTimeoutError extends Error {
  override readonly name = 'AckTimeoutError';

  constructor(
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(
      `The gateway did not answer "${request}" within ${timeoutMs} ms; reconnecting. If subscribes with a long replay are expected, raise ackTimeoutMs in connect().`,
    );
  }
}
