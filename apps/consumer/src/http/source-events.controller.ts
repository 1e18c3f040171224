import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { channelFor, parseChannel, type EventProblem, type EventSource, type KafkaPosition } from '@dual-stream/nestjs';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config.js';
import type { ProjectedEvent } from '../projection/projected-event.js';
import { ProjectionStore } from '../projection/projection.store.js';

export interface SourceEventsPage {
  source: EventSource;
  events: ProjectedEvent[];
  /** Position of the last event returned: subscribe on the gateway `from` it to continue without a gap. */
  last: KafkaPosition | null;
}

const DEFAULT_LIMIT = 100;
const OFFSET = /^(0|[1-9]\d{0,17})$/;

/** Catch-up API: what a client that joins mid-stream reads before it subscribes `from` the last position. */
@Controller()
export class SourceEventsController {
  constructor(
    @Inject(ProjectionStore) private readonly store: ProjectionStore,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
  ) {}

  @Get('sources/:type/:id/events')
  list(
    @Param('type') type: string,
    @Param('id') id: string,
    @Query('after') after?: string | string[],
    @Query('limit') limit?: string | string[],
  ): SourceEventsPage {
    const problems: EventProblem[] = [];
    let source: EventSource = { type, id };
    try {
      source = parseChannel(channelFor('', source));
    } catch (err) {
      problems.push({ path: 'source', message: (err as Error).message });
    }
    if (after !== undefined && (typeof after !== 'string' || !OFFSET.test(after))) {
      problems.push({
        path: 'after',
        message: 'must be a Kafka offset (a non-negative integer): the offset of the last event you have',
      });
    }
    const max = this.config.maxPage;
    if (
      limit !== undefined &&
      (typeof limit !== 'string' || !/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > max)
    ) {
      problems.push({ path: 'limit', message: `must be an integer from 1 to ${max}` });
    }
    if (problems.length) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'invalid_query',
        message: 'invalid catch-up query',
        problems,
      });
    }

    const events = this.store.listBySource(
      source.type,
      source.id,
      after === undefined ? -1 : Number(after),
      limit === undefined ? DEFAULT_LIMIT : Number(limit),
    );
    const tail = events.at(-1);
    return {
      source,
      events,
      last: tail ? { topic: tail.topic, partition: tail.partition, offset: tail.offset } : null,
    };
  }

  @Get('events/:id')
  byId(@Param('id') id: string): ProjectedEvent {
    const event = this.store.getById(id);
    if (!event) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'not_found',
        message: `no event ${JSON.stringify(id.slice(0, 128))} in the projection (not consumed yet, or pruned: Kafka still has it)`,
        problems: [],
      });
    }
    return event;
  }
}
