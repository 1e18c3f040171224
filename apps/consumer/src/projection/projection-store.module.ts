import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ReadinessCheck } from '@app/service-kit';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config.js';
import { ProjectionWriter } from './projection-writer.js';
import { ProjectionStore } from './projection.store.js';

/** What readiness knows about the transport: `DualStreamServer.status` as main.ts observes it. */
export class TransportState {
  status: string = 'connecting';
}

/**
 * Owns the SQLite file (and provides the consumer's config): `ProjectionStore` is the main thread's connection,
 * which reads (catch-up API, readiness) and opens the file first (schema migration); `ProjectionWriter` writes
 * on its own thread through a second connection (WAL: readers and the writer do not block each other). Both are
 * closed in `onApplicationShutdown`, which Nest runs after the transport stopped consuming, so no handler writes
 * to a closed database.
 */
@Global()
@Module({})
export class ProjectionStoreModule implements OnApplicationShutdown {
  constructor(
    private readonly store: ProjectionStore,
    private readonly writer: ProjectionWriter,
  ) {}

  static forRoot(config: ConsumerConfig): DynamicModule {
    return {
      module: ProjectionStoreModule,
      providers: [
        { provide: CONSUMER_CONFIG, useValue: config },
        TransportState,
        { provide: ProjectionStore, useFactory: () => new ProjectionStore(config.dbPath, config.retentionPerSource) },
        {
          provide: ProjectionWriter,
          // After the store: the main connection has migrated the file before the writer opens it.
          inject: [ProjectionStore],
          useFactory: () =>
            new ProjectionWriter({ dbPath: config.dbPath, retentionPerSource: config.retentionPerSource }),
        },
      ],
      exports: [CONSUMER_CONFIG, ProjectionStore, ProjectionWriter, TransportState],
    };
  }

  static readonly readiness = {
    inject: [ProjectionStore, TransportState, HealthIndicatorService],
    useFactory: (
      store: ProjectionStore,
      transport: TransportState,
      health: HealthIndicatorService,
    ): ReadinessCheck[] => [
      // Ready once the @OnDurable consumers are connected; until then the projection only serves stale data.
      () =>
        transport.status === 'connected'
          ? health.check('transport').up({ state: transport.status })
          : health.check('transport').down({ state: transport.status }),
      () => {
        try {
          return health.check('projection').up({ events: store.count() });
        } catch {
          // The SQLite error names file paths: the store's own log has it, the probe a stable reason.
          return health.check('projection').down({ reason: 'store_unreadable' });
        }
      },
    ],
  };

  async onApplicationShutdown(): Promise<void> {
    await this.writer.close();
    this.store.close();
  }
}
