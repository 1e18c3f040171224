import { BaseRpcContext } from '@nestjs/microservices';

export interface RealtimeMessageInfo {
  /** The channel the message arrived on, without the configured `redis.channelPrefix`. */
  channel: string;
  /** The `@OnRealtime` pattern that matched (without prefix), or `undefined` for an exact channel. */
  pattern: string | undefined;
}

/** `@Ctx()` of an `@OnRealtime` handler: `getX()` accessors as Nest's own `RedisContext` has them. */
export class RealtimeContext extends BaseRpcContext<[RealtimeMessageInfo]> {
  constructor(private readonly info: RealtimeMessageInfo) {
    super([info]);
  }

  /** The channel the message arrived on, without the configured `redis.channelPrefix`. */
  getChannel(): string {
    return this.info.channel;
  }

  /** The `@OnRealtime` pattern that matched (without prefix), or `undefined` for an exact channel. */
  getPattern(): string | undefined {
    return this.info.pattern;
  }
}
