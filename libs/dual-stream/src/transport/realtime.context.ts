import { BaseRpcContext } from '@nestjs/microservices';

export interface RealtimeMessageInfo {
  /** The channel the message arrived on, without the configured `redis.channelPrefix`. */
  channel: string;
  /** The `@OnRealtime` pattern that matched (without prefix), or `undefined` for an exact channel. */
  pattern: string | undefined;
}

/** `@Ctx()` of an `@OnRealtime` handler. */
export class RealtimeContext extends BaseRpcContext<[RealtimeMessageInfo]> {
  readonly channel: string;
  readonly pattern: string | undefined;

  constructor(info: RealtimeMessageInfo) {
    super([info]);
    this.channel = info.channel;
    this.pattern = info.pattern;
  }
}
