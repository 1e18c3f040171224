import { BadRequestException, Body, Controller, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';
import type { DualStreamEvent, PublishReceipt } from '@dual-stream/nestjs';
import { INGESTER_CONFIG, type IngesterConfig } from '../config/ingester.config.js';
import { problem } from '../http/problem.js';
import { PublishErrorFilter } from '../http/publish-error.filter.js';
import { IngesterMetrics } from '../metrics/ingester.metrics.js';
import { EVENT_PUBLISHER, type EventPublisher } from './event-publisher.js';

/**
 * The body arrives parsed and size-checked (see `configureIngestHttp`); the publisher validates the envelope
 * (every problem at once, unknown fields refused) and answers only after Kafka acknowledged, so a 202 means
 * durable. Typed errors become HTTP answers in `PublishErrorFilter`.
 */
@Controller('events')
@UseFilters(PublishErrorFilter)
export class EventsController {
  constructor(
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(INGESTER_CONFIG) private readonly config: IngesterConfig,
    private readonly metrics: IngesterMetrics,
  ) {}

  @Post()
  @HttpCode(202)
  async publish(@Body() body: unknown): Promise<PublishReceipt> {
    if (Array.isArray(body)) {
      throw new BadRequestException(
        problem(400, 'invalid_event', 'POST /events takes one event object; send arrays to /events/batch'),
      );
    }
    const receipt = await this.publisher.publish(body as DualStreamEvent);
    this.metrics.accepted('/events', 1);
    return receipt;
  }

  /** All or nothing: one invalid event rejects the batch, with problems listed by `index`. */
  @Post('batch')
  @HttpCode(202)
  async publishBatch(@Body() body: unknown): Promise<{ receipts: PublishReceipt[] }> {
    if (!Array.isArray(body)) {
      throw new BadRequestException(problem(400, 'invalid_batch', 'POST /events/batch takes a JSON array of events'));
    }
    if (body.length === 0) {
      throw new BadRequestException(
        problem(400, 'invalid_batch', 'the batch is empty: send 1 to ' + this.config.maxBatchEvents + ' events'),
      );
    }
    if (body.length > this.config.maxBatchEvents) {
      throw new BadRequestException(
        problem(
          400,
          'invalid_batch',
          `a batch holds at most ${this.config.maxBatchEvents} events (got ${body.length}); split it`,
        ),
      );
    }
    const receipts = await this.publisher.publishBatch(body as DualStreamEvent[]);
    this.metrics.accepted('/events/batch', receipts.length);
    return { receipts };
  }
}
