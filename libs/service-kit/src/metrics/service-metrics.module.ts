import { type DynamicModule, Module } from '@nestjs/common';
import {
  DualStreamMetricsRegistrar,
  LIBRARY_METRICS,
  type LibraryMetricsSource,
} from './dual-stream-metrics.registrar.js';
import { MetricsController } from './metrics.controller.js';
import { ServiceMetrics } from './service-metrics.js';

/** Global: any provider of the app can inject `ServiceMetrics` and register its series. */
@Module({})
export class ServiceMetricsModule {
  static forRoot({
    service,
    libraryMetrics = ['publisher', 'hub'],
  }: {
    service: string;
    libraryMetrics?: LibraryMetricsSource[];
  }): DynamicModule {
    return {
      module: ServiceMetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics(service) },
        { provide: LIBRARY_METRICS, useValue: libraryMetrics },
        DualStreamMetricsRegistrar,
      ],
      exports: [ServiceMetrics],
    };
  }
}
