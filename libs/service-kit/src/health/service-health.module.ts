import { type DynamicModule, type ModuleMetadata, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka-health.indicator.js';
import { RedisHealthIndicator } from './redis-health.indicator.js';
import {
  SERVICE_HEALTH_OPTIONS,
  SERVICE_READINESS_CHECKS,
  type ReadinessCheck,
  type ServiceHealthOptions,
} from './service-health.options.js';

export interface ServiceHealthModuleOptions extends ServiceHealthOptions {
  /** Modules that export what `readiness.inject` needs. */
  imports?: ModuleMetadata['imports'];
  /** App-specific readiness checks beyond Kafka and Redis. */
  readiness?: { inject?: unknown[]; useFactory: (...deps: never[]) => ReadinessCheck[] };
}

/** `/health/live` and `/health/ready` (terminus): Kafka required, Redis optional (degraded), plus app checks. */
@Module({})
export class ServiceHealthModule {
  static forRoot({ imports = [], readiness, ...options }: ServiceHealthModuleOptions): DynamicModule {
    return {
      module: ServiceHealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }), ...imports],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_HEALTH_OPTIONS, useValue: options },
        {
          provide: SERVICE_READINESS_CHECKS,
          inject: (readiness?.inject ?? []) as never[],
          useFactory: readiness?.useFactory ?? (() => []),
        },
        KafkaHealthIndicator,
        RedisHealthIndicator,
      ],
    };
  }
}
