import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DurableBatchContext, OnDurable } from '@dual-stream/nestjs';
import { groupIdFor, type ConsumerConfig } from '../config/consumer.config.js';
import { Projector } from './projector.service.js';

/**
 * One `@OnDurable({ batch: true })` handler per followed topic: each call is one fetched partition batch of at
 * most `CONSUMER_BATCH_SIZE` records, written in one transaction. The topics come from the environment
 * (`SOURCE_TYPES`, `TOPIC_PREFIX`), so the handler methods are declared when the module is built: exactly what
 * writing one decorated method per topic by hand would produce.
 */
export function projectionHandlersFor(config: ConsumerConfig): Type<unknown> {
  @Controller()
  class ProjectionHandlers {
    constructor(@Inject(Projector) readonly projector: Projector) {}
  }
  const proto = ProjectionHandlers.prototype as unknown as Record<string, unknown>;
  config.topics.forEach((topic, i) => {
    const method = `project${i}`;
    // Resolving is what lets the transport commit the batch's offsets; a throw retries it, then dead-letters.
    proto[method] = function (this: ProjectionHandlers, events: unknown[], ctx: DurableBatchContext): Promise<void> {
      return this.projector.projectBatch(events, ctx);
    };
    const descriptor = Object.getOwnPropertyDescriptor(proto, method)!;
    Payload()(proto, method, 0);
    Ctx()(proto, method, 1);
    OnDurable({
      topic,
      groupId: groupIdFor(config, topic),
      fromBeginning: true,
      batch: true,
      maxBatchSize: config.batchSize,
      // Every partition of the topic at once (each still in order): their batches meet in the writer's queue
      // and share one transaction and fsync, instead of each partition waiting for the previous one's.
      concurrency: Math.max(1, config.service.topicPartitions),
    })(proto, method, descriptor);
  });
  return ProjectionHandlers;
}
