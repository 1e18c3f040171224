/** A channel name that is not `events:{source.type}:{source.id}`. */
export class InvalidChannelError extends Error {
  override readonly name = 'InvalidChannelError';

  constructor(readonly channel: string) {
    super(
      `Invalid channel "${channel.slice(0, 80)}": channels look like events:{source.type}:{source.id} (without the deployment prefix), e.g. events:order:o-1001.`,
    );
  }
}
