import { type DynamicModule, Module } from '@nestjs/common';
import {
  DualStreamMetricsRegistrar,
  LIBRARY_METRICS,
  type LibraryMetricsSource,
} from './dual-stream-metrics.registrar.js';
import { MetricsController } from './metrics.controller.js';
import { METRICS_TOKEN, MetricsTokenGuard } from './metrics-token.guard.js';
import { ServiceMetrics } from './service-metrics.js';

/** Global: any provider of the app can inject `ServiceMetrics` and register its series. */
@Module({})
export class ServiceMetricsModule {
  static forRoot({
    service,
    libraryMetrics = ['publisher', 'hub'],
    metricsToken,
  }: {
    service: string;
    libraryMetrics?: LibraryMetricsSource[];
    /** `METRICS_TOKEN`: when set, scrapes must present it as a Bearer token. */
    metricsToken?: string;
  }): DynamicModule {
    return {
      module: ServiceMetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics(service) },
        { provide: LIBRARY_METRICS, useValue: libraryMetrics },
        { provide: METRICS_TOKEN, useValue: metricsToken },
        MetricsTokenGuard,
        DualStreamMetricsRegistrar,
      ],
      exports: [ServiceMetrics],
    };
  }
}
