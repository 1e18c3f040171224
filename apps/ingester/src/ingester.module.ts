import { type DynamicModule, Module } from '@nestjs/common';
import { DualStreamModule, DualStreamPublisher } from '@dual-stream/nestjs';
import { ServiceKitModule, dualStreamOptionsFromEnv } from '@app/service-kit';
import { INGESTER_CONFIG, type IngesterConfig } from './config/ingester.config.js';
import { EVENT_PUBLISHER } from './events/event-publisher.js';
import { IngestService } from './events/ingest.service.js';
import { PublishErrorResponder } from './http/publish-error.responder.js';
import { IdempotencyService } from './idempotency/idempotency.service.js';
import { IngesterMetrics } from './metrics/ingester.metrics.js';

/** `POST /events` and `POST /events/batch` in front of `DualStreamPublisher`, from a config read once. */
@Module({})
export class IngesterModule {
  static forRoot(config: IngesterConfig): DynamicModule {
    return {
      module: IngesterModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'ingester', libraryMetrics: ['publisher'] }),
        DualStreamModule.forRoot(dualStreamOptionsFromEnv('ingester')),
      ],
      // The ingest routes are served on the HTTP adapter (`configureIngestHttp`), not by a controller.
      controllers: [],
      providers: [
        { provide: INGESTER_CONFIG, useValue: config },
        { provide: EVENT_PUBLISHER, useExisting: DualStreamPublisher },
        IngesterMetrics,
        IdempotencyService,
        IngestService,
        PublishErrorResponder,
      ],
    };
  }
}
