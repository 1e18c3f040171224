import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { DUAL_STREAM_TRANSPORT } from '../constants.js';
import { failureCaptureInterceptor } from '../transport/failure-capture.interceptor.js';
import type { OnDurableOptions } from './durable-handler-options.interface.js';
import { durablePattern, HandlerMetadataAccessor } from './handler-metadata.accessor.js';

/**
 * Handles every record of a Kafka topic at least once: `@Payload()` is the envelope, `@Ctx()` a
 * `DurableContext`. Served only by `DualStreamServer`; options are validated when it starts.
 *
 * @example
 * ```ts
 * @OnDurable({ topic: 'events.order', keyConcurrency: 8 })
 * async onOrder(@Payload() event: NormalizedEvent<Order>, @Ctx() ctx: DurableContext) {}
 * ```
 */
export function OnDurable(topicOrOptions: string | OnDurableOptions): MethodDecorator {
  const options: OnDurableOptions =
    typeof topicOrOptions === 'string' ? { topic: topicOrOptions } : { ...topicOrOptions };
  const extras = HandlerMetadataAccessor.extrasFor({ kind: 'durable', options });
  return applyDecorators(
    EventPattern<string>(durablePattern(options), DUAL_STREAM_TRANSPORT, extras),
    UseInterceptors(failureCaptureInterceptor),
  );
}
