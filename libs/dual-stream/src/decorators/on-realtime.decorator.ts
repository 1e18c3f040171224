import { EventPattern } from '@nestjs/microservices';
import { DUAL_STREAM_TRANSPORT } from '../constants.js';
import type { RealtimeHandlerMetadata } from './durable-handler-options.interface.js';
import { HandlerMetadataAccessor, realtimePattern } from './handler-metadata.accessor.js';

const GLOB = /[*?[]/;

/**
 * Best-effort Redis Pub/Sub handler: `@Payload()` is the notification (or a gap marker), `@Ctx()` a
 * `RealtimeContext`. An exact channel (`events:order:o-1`) uses SUBSCRIBE; a glob (`events:order:*`) uses
 * PSUBSCRIBE, which costs Redis work on every publish: keep patterns for dashboards and tools.
 * Names are given without `redis.channelPrefix`; the server adds it.
 *
 * @example
 * ```ts
 * @OnRealtime('events:order:*')
 * onOrderNotification(@Payload() n: ChannelMessage, @Ctx() ctx: RealtimeContext) {}
 * ```
 */
export function OnRealtime(channelOrPattern: string | { channel: string } | { pattern: string }): MethodDecorator {
  const channel =
    typeof channelOrPattern === 'string'
      ? channelOrPattern
      : 'pattern' in channelOrPattern
        ? channelOrPattern.pattern
        : channelOrPattern.channel;
  const isPattern =
    typeof channelOrPattern === 'object' && 'pattern' in channelOrPattern ? true : GLOB.test(String(channel));
  const options: RealtimeHandlerMetadata = { channel, isPattern };
  return EventPattern<string>(
    realtimePattern(options),
    DUAL_STREAM_TRANSPORT,
    HandlerMetadataAccessor.extrasFor({ kind: 'realtime', options }),
  );
}
