import { type DynamicModule, Module } from '@nestjs/common';
import { readServiceEnv } from './config/service-env.js';
import { ServiceHealthModule, type ServiceHealthModuleOptions } from './health/service-health.module.js';
import type { LibraryMetricsSource } from './metrics/dual-stream-metrics.registrar.js';
import { ServiceMetricsModule } from './metrics/service-metrics.module.js';

export interface ServiceKitOptions {
  service: string;
  /** App-specific readiness checks (see `ServiceHealthModuleOptions`). */
  readiness?: ServiceHealthModuleOptions['readiness'];
  imports?: ServiceHealthModuleOptions['imports'];
  /** Whether this service uses Redis at all (the consumer does not): `false` leaves it out of readiness. @default true */
  usesRedis?: boolean;
  /** Which library snapshots `/metrics` exports. @default ['publisher', 'hub'] */
  libraryMetrics?: LibraryMetricsSource[];
}

/**
 * Everything operational a demo service needs, from the shared environment (`KAFKA_BROKERS`, `REDIS_URL`,
 * `REALTIME_ENABLED`): `/health/live`, `/health/ready` and `/metrics` (`ServiceMetrics` is global).
 */
@Module({})
export class ServiceKitModule {
  static forRoot({ service, readiness, imports, libraryMetrics, usesRedis = true }: ServiceKitOptions): DynamicModule {
    const env = readServiceEnv(service);
    return {
      module: ServiceKitModule,
      imports: [
        ServiceMetricsModule.forRoot({ service, libraryMetrics }),
        ServiceHealthModule.forRoot({
          service,
          kafkaBrokers: env.kafkaBrokers,
          redisUrl: usesRedis ? env.redisUrl : false,
          readiness,
          imports,
        }),
      ],
    };
  }
}
