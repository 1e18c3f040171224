/**
 * The gateway refused the connection's handshake (`connect_error`, e.g. `unauthorized: invalid or expired
 * token`). With a fixed `token` the SDK stops reconnecting, since the same token would be refused again.
 */
export class ConnectionRefusedError extends Error {
  override readonly name = 'ConnectionRefusedError';

  constructor(
    /** The gateway's message. */
    readonly reason: string,
  ) {
    super(
      `The gateway refused the connection: ${reason}. Pass \`getToken\` to connect() so the SDK can fetch a fresh token on every reconnect, or connect again with a valid token.`,
    );
  }
}
