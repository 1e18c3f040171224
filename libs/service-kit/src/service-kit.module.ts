import { type DynamicModule, Module } from '@nestjs/common';
import type { AuthConfig } from './auth/auth-config.js';
import { ServiceAuthModule } from './auth/service-auth.module.js';
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
  /** Client token verification (`readAuthEnv`): provides `TokenVerifier` and `BearerAuthGuard`. @default none */
  auth?: AuthConfig;
  /** The environment to read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Everything operational a demo service needs, from the shared environment (`KAFKA_BROKERS`, `REDIS_URL`,
 * `REALTIME_ENABLED`, `METRICS_TOKEN`): `/health/live`, `/health/ready` and `/metrics` (`ServiceMetrics` is
 * global), and with `auth` the client token check.
 */
@Module({})
export class ServiceKitModule {
  static forRoot({
    service,
    readiness,
    imports,
    libraryMetrics,
    usesRedis = true,
    auth,
    env = process.env,
  }: ServiceKitOptions): DynamicModule {
    const serviceEnv = readServiceEnv(service, env);
    return {
      module: ServiceKitModule,
      imports: [
        ServiceMetricsModule.forRoot({ service, libraryMetrics, metricsToken: env.METRICS_TOKEN || undefined }),
        ServiceHealthModule.forRoot({
          service,
          kafkaBrokers: serviceEnv.kafkaBrokers,
          kafkaDriver: serviceEnv.kafkaDriver,
          redisUrl: usesRedis ? serviceEnv.redisUrl : false,
          redisClusterNodes: usesRedis ? serviceEnv.redisClusterNodes : undefined,
          readiness,
          imports,
        }),
        ...(auth ? [ServiceAuthModule.forRoot(auth)] : []),
      ],
    };
  }
}
