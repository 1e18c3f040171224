import { Inject, Injectable } from '@nestjs/common';
import type { DualStreamEvent, PublishReceipt } from '@dual-stream/nestjs';
import { problem, ProblemException } from '@app/service-kit';
import { INGESTER_CONFIG, type IngesterConfig } from '../config/ingester.config.js';
import type { IngestRequest } from '../http/ingest-http.js';
import { derivedEventId } from '../idempotency/derived-event-id.js';
import { parseIdempotencyKey } from '../idempotency/idempotency-key.parser.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { IngesterMetrics } from '../metrics/ingester.metrics.js';
import { EVENT_PUBLISHER, type EventPublisher } from './event-publisher.js';
import { assertAcceptedSourceTypes } from './source-type.check.js';

export interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/**
 * `POST /events` and `POST /events/batch` behind the HTTP layer (`configureIngestHttp`): the body arrives parsed
 * and size-checked; the source type is checked against `SOURCE_TYPES`, the publisher validates the envelope
 * (every problem at once, unknown fields refused) and answers only after Kafka acknowledged, so a 202 means
 * durable. With an `Idempotency-Key` (or a client-chosen event `id` on `POST /events`) a retry answers the
 * original receipt (`IdempotencyService`). What throws becomes an HTTP answer in `PublishErrorResponder`.
 */
@Injectable()
export class IngestService {
  constructor(
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(INGESTER_CONFIG) private readonly config: IngesterConfig,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    private readonly metrics: IngesterMetrics,
  ) {}

  async publish(body: unknown, req: IngestRequest, res: HeaderSink): Promise<PublishReceipt> {
    if (Array.isArray(body)) {
      throw new ProblemException(
        problem('invalid_event', 'POST /events takes one event object; send arrays to /events/batch'),
      );
    }
    assertAcceptedSourceTypes([body], this.config.sourceTypes, false);
    const event = body as DualStreamEvent;
    const header = parseIdempotencyKey(req.headers);
    const ownId = typeof event?.id === 'string' ? event.id : undefined;
    // Event ids are unique per source, so a client-chosen id keys the request together with its source.
    const implicit =
      ownId === undefined ? undefined : `id:${JSON.stringify([event.source?.type, event.source?.id, ownId])}`;
    const request = this.idempotency.identify(req.caller, '/events', header ?? implicit, body);
    const receipt = request
      ? await this.idempotency.run(request, res, () =>
          this.publisher.publish(ownId === undefined ? { ...event, id: derivedEventId(request.seed, 0) } : event),
        )
      : await this.publisher.publish(event);
    this.metrics.accepted('/events', 1);
    return receipt;
  }

  /** All or nothing: one invalid event rejects the batch, with problems listed by `index`. */
  async publishBatch(body: unknown, req: IngestRequest, res: HeaderSink): Promise<{ receipts: PublishReceipt[] }> {
    if (!Array.isArray(body)) {
      throw new ProblemException(problem('invalid_batch', 'POST /events/batch takes a JSON array of events'));
    }
    const max = this.config.maxBatchEvents;
    if (body.length === 0 || body.length > max) {
      throw new ProblemException(
        problem(
          'invalid_batch',
          body.length === 0
            ? `the batch is empty: send 1 to ${max} events`
            : `a batch holds at most ${max} events (got ${body.length}); split it`,
        ),
      );
    }
    assertAcceptedSourceTypes(body, this.config.sourceTypes, true);
    const events = body as DualStreamEvent[];
    const request = this.idempotency.identify(req.caller, '/events/batch', parseIdempotencyKey(req.headers), body);
    const publish = async () => ({
      receipts: await this.publisher.publishBatch(
        request
          ? events.map((e, i) => (typeof e?.id === 'string' ? e : { ...e, id: derivedEventId(request.seed, i) }))
          : events,
      ),
    });
    const answer = request ? await this.idempotency.run(request, res, publish) : await publish();
    this.metrics.accepted('/events/batch', answer.receipts.length);
    return answer;
  }
}
