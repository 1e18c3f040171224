import { type DynamicModule, Module } from '@nestjs/common';
import { DualStreamModule } from '@dual-stream/nestjs';
import { ServiceKitModule, dualStreamOptionsFromEnv } from '@app/service-kit';
import type { ConsumerConfig } from './config/consumer.config.js';
import { SourceEventsController } from './http/source-events.controller.js';
import { SourcePartitionLocator } from './kafka/source-partition.locator.js';
import { ConsumerMetrics } from './metrics/consumer.metrics.js';
import { KafkaLagCollector } from './metrics/kafka-lag.collector.js';
import { ProjectionStoreModule } from './projection/projection-store.module.js';
import { projectionHandlersFor } from './projection/projection.handlers.js';
import { Projector } from './projection/projector.service.js';

/**
 * The projection service: one `@OnDurable({ batch: true })` handler per `SOURCE_TYPES` topic into SQLite (one
 * transaction per fetched batch, on the writer thread), and the catch-up API behind the gateway's tokens. The
 * partition's projected-up-to position is exact only because each partition's batches are applied in order.
 */
@Module({})
export class ConsumerModule {
  static forRoot(config: ConsumerConfig): DynamicModule {
    const store = ProjectionStoreModule.forRoot(config);
    return {
      module: ConsumerModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'consumer',
          usesRedis: false,
          libraryMetrics: [],
          imports: [store],
          readiness: ProjectionStoreModule.readiness,
          auth: config.auth,
        }),
        // The consumer only reads; it never announces on Redis. Fetches: see ConsumerConfig.
        DualStreamModule.forRoot({
          ...dualStreamOptionsFromEnv('consumer'),
          redis: false,
          consumer: {
            fetchMaxBytes: config.fetchMaxBytes,
            fetchMaxBytesPerPartition: config.fetchMaxBytes,
            fetchMinBytes: Math.min(config.fetchMinBytes, config.fetchMaxBytes),
            fetchMaxWaitMs: config.fetchMaxWaitMs,
          },
        }),
        store,
      ],
      controllers: [SourceEventsController, projectionHandlersFor(config)],
      providers: [ConsumerMetrics, Projector, KafkaLagCollector, SourcePartitionLocator],
    };
  }
}
