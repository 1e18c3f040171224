import { Module } from '@nestjs/common';
import { DualStreamModule } from '@dual-stream/nestjs';
import { ServiceKitModule, dualStreamOptionsFromEnv } from '@app/service-kit';
import { CONSUMER_CONFIG, readConsumerConfig, type ConsumerConfig } from './config/consumer.config.js';
import { SourceEventsController } from './http/source-events.controller.js';
import { ConsumerMetrics } from './metrics/consumer.metrics.js';
import { KafkaLagCollector } from './metrics/kafka-lag.collector.js';
import { ProjectionStoreModule } from './projection/projection-store.module.js';
import { projectionHandlersFor } from './projection/projection.handlers.js';
import { Projector } from './projection/projector.service.js';

const config = readConsumerConfig();

@Module({
  imports: [
    ServiceKitModule.forRoot({
      service: 'consumer',
      usesRedis: false,
      libraryMetrics: [],
      imports: [ProjectionStoreModule],
      readiness: ProjectionStoreModule.readiness,
    }),
    // The consumer only reads; it never announces on Redis.
    DualStreamModule.forRoot({ ...dualStreamOptionsFromEnv('consumer'), redis: false }),
    ProjectionStoreModule,
  ],
  controllers: [SourceEventsController, projectionHandlersFor(config)],
  providers: [
    { provide: CONSUMER_CONFIG, useValue: config satisfies ConsumerConfig },
    ConsumerMetrics,
    Projector,
    KafkaLagCollector,
  ],
})
export class ConsumerModule {}
