import { Controller, Get, Inject, Param, Query, Req, UseGuards } from '@nestjs/common';
import { channelFor, type EventSource, type KafkaPosition } from '@dual-stream/nestjs';
import { BearerAuthGuard, canSubscribe, problem, ProblemException, type AuthenticatedRequest } from '@app/service-kit';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config.js';
import { SourcePartitionLocator } from '../kafka/source-partition.locator.js';
import type { ProjectedEvent } from '../projection/projected-event.js';
import { ProjectionStore } from '../projection/projection.store.js';
import { catchUpCursor, positionOf } from './catch-up-cursor.js';
import { parseCatchUpQuery } from './catch-up-query.parser.js';

export interface SourceEventsPage {
  source: EventSource;
  events: ProjectedEvent[];
  /** Position of the last event returned, or `null` when the page is empty. */
  last: KafkaPosition | null;
  /** Subscribe on the gateway `from` this position to continue without a gap (see `catchUpCursor`). */
  cursor: KafkaPosition | null;
}

/**
 * Catch-up API: what a client that joins mid-stream reads before it subscribes `from` the cursor. Every route
 * needs `Authorization: Bearer <token>`, the gateway's token: a source's events are readable exactly when the
 * token may subscribe to its channel `events:{type}:{id}` (403 otherwise).
 */
@Controller()
@UseGuards(BearerAuthGuard)
export class SourceEventsController {
  constructor(
    @Inject(ProjectionStore) private readonly store: ProjectionStore,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(SourcePartitionLocator) private readonly locator: SourcePartitionLocator,
  ) {}

  @Get('sources/:type/:id/events')
  async list(
    @Req() req: AuthenticatedRequest,
    @Param('type') type: string,
    @Param('id') id: string,
    @Query('after') after?: unknown,
    @Query('limit') limit?: unknown,
  ): Promise<SourceEventsPage> {
    const query = parseCatchUpQuery({ type, id, after, limit }, this.config.maxPage, this.config.sourceTypes);
    const channel = channelFor('', query.source);
    if (!canSubscribe(req.principal, channel)) {
      throw new ProblemException(
        problem('forbidden', `this token may not read ${channel} (no \`channels\` claim matches it)`),
      );
    }
    const at = await this.locator.locate(query.source);
    const page = this.store.listBySource(query.source, at, query.after ?? -1n, query.limit);
    const tail = page.events.at(-1);
    return {
      source: query.source,
      events: page.events,
      last: tail ? positionOf(tail) : null,
      cursor: catchUpCursor(at, page, query.limit, query.after),
    };
  }

  /**
   * One event by id, if the token may read its source. Ids are unique per source: when several sources have
   * the id, the first readable one (by topic, partition, offset) is returned. Not stored and not readable are
   * the same 404, so the API does not tell which ids exist in sources the token may not read.
   */
  @Get('events/:id')
  byId(@Req() req: AuthenticatedRequest, @Param('id') id: string): ProjectedEvent {
    const event = this.store
      .findById(id)
      .find((candidate) => canSubscribe(req.principal, channelFor('', candidate.source)));
    if (!event) {
      throw new ProblemException(
        problem(
          'not_found',
          `no event ${JSON.stringify(id.slice(0, 128))} that this token may read (not consumed yet, pruned, or in a source the token may not read)`,
        ),
      );
    }
    return event;
  }
}
