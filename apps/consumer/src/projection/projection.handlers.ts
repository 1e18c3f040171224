import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DurableContext, OnDurable } from '@dual-stream/nestjs';
import { groupIdFor, type ConsumerConfig } from '../config/consumer.config.js';
import type { ApplyOutcome } from './projected-event.js';
import { Projector } from './projector.service.js';

/**
 * One `@OnDurable` handler per followed topic. The topics come from the environment
 * (`SOURCE_TYPES`, `TOPIC_PREFIX`), so the handler methods are declared when the module is built:
 * exactly what writing one decorated method per topic by hand would produce.
 */
export function projectionHandlersFor(config: ConsumerConfig): Type<unknown> {
  @Controller()
  class ProjectionHandlers {
    constructor(@Inject(Projector) readonly projector: Projector) {}
  }
  const proto = ProjectionHandlers.prototype as unknown as Record<string, unknown>;
  config.topics.forEach((topic, i) => {
    const method = `project${i}`;
    // Returning normally is what lets the transport commit the offset; a throw retries, then dead-letters.
    proto[method] = function (this: ProjectionHandlers, payload: unknown, ctx: DurableContext): ApplyOutcome {
      return this.projector.project(payload, {
        topic: ctx.getTopic(),
        partition: ctx.getPartition(),
        offset: ctx.getOffset(),
      });
    };
    const descriptor = Object.getOwnPropertyDescriptor(proto, method)!;
    Payload()(proto, method, 0);
    Ctx()(proto, method, 1);
    OnDurable({ topic, groupId: groupIdFor(config, topic), fromBeginning: true })(proto, method, descriptor);
  });
  return ProjectionHandlers;
}
