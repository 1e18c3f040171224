import { Module } from '@nestjs/common';
import { DualStreamModule, DualStreamPublisher } from '@dual-stream/nestjs';
import { ServiceKitModule, dualStreamOptionsFromEnv } from '@app/service-kit';
import { INGESTER_CONFIG, readIngesterConfig } from './config/ingester.config.js';
import { EVENT_PUBLISHER } from './events/event-publisher.js';
import { EventsController } from './events/events.controller.js';
import { PublishErrorFilter } from './http/publish-error.filter.js';
import { IngesterMetrics } from './metrics/ingester.metrics.js';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'ingester', libraryMetrics: ['publisher'] }),
    DualStreamModule.forRoot(dualStreamOptionsFromEnv('ingester')),
  ],
  controllers: [EventsController],
  providers: [
    { provide: INGESTER_CONFIG, useFactory: () => readIngesterConfig() },
    { provide: EVENT_PUBLISHER, useExisting: DualStreamPublisher },
    IngesterMetrics,
    PublishErrorFilter,
  ],
})
export class IngesterModule {}
