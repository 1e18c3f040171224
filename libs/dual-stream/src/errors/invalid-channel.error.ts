/** A channel or pattern name that the realtime layer refuses (docs/protocol.md "Event envelope" and "Realtime notification"). */
export class InvalidChannelError extends Error {
  override readonly name = 'InvalidChannelError';

  constructor(
    readonly channel: string,
    readonly reason: string,
  ) {
    super(
      `Invalid channel "${channel.slice(0, 80)}": ${reason}. Channels look like ` +
        '`{prefix}events:{source.type}:{source.id}`; ids may not contain whitespace, control characters or `* ? [ ] \\`.',
    );
  }
}
