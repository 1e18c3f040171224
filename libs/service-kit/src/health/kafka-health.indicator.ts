import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Kafka, logLevel } from 'kafkajs';
import { SERVICE_HEALTH_OPTIONS, type ServiceHealthOptions } from './service-health.options.js';

/**
 * Kafka is required: the broker must answer a metadata request. Each probe uses a fresh admin client with no
 * retries, so a broker that comes back is seen at the next probe without restarting the service.
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SERVICE_HEALTH_OPTIONS) private readonly options: ServiceHealthOptions,
  ) {}

  check(): PromiseLike<HealthIndicatorResult<'kafka'>> {
    const timeoutMs = this.options.probeTimeoutMs ?? 2000;
    return this.health
      .check('kafka')
      .attempt(async () => {
        const kafka = new Kafka({
          clientId: `${this.options.service}-health`,
          brokers: this.options.kafkaBrokers,
          logLevel: logLevel.NOTHING,
          connectionTimeout: timeoutMs,
          requestTimeout: timeoutMs,
          retry: { retries: 0 },
        });
        const admin = kafka.admin({ retry: { retries: 0 } });
        try {
          await admin.connect();
          const cluster = await admin.describeCluster();
          return { brokers: cluster.brokers.length, controller: cluster.controller };
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      })
      .withTimeout(timeoutMs)
      .cacheFor(this.options.cacheMs ?? 1000);
  }
}
