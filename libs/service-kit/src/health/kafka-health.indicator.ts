import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { createKafkaAdmin } from '@dual-stream/nestjs';
import { RateLimitedLog } from '../logging/rate-limited-log.js';
import { SERVICE_HEALTH_OPTIONS, type ServiceHealthOptions } from './service-health.options.js';

/** What `/health/ready` says when Kafka does not answer: stable text, no broker address. */
export const KAFKA_DOWN_MESSAGE = 'kafka_unreachable: no answer to a metadata request';

/**
 * Kafka is required: the broker must answer a metadata request. Each probe uses a fresh admin client with no
 * retries, so a broker that comes back is seen at the next probe without restarting the service.
 */
@Injectable()
export class KafkaHealthIndicator {
  private readonly log = new RateLimitedLog('Health', 10_000);

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SERVICE_HEALTH_OPTIONS) private readonly options: ServiceHealthOptions,
  ) {}

  check(): PromiseLike<HealthIndicatorResult<'kafka'>> {
    const timeoutMs = this.options.probeTimeoutMs ?? 2000;
    return this.health
      .check('kafka')
      .attempt(async () => {
        const admin = createKafkaAdmin(
          {
            kafka: {
              brokers: this.options.kafkaBrokers,
              clientId: this.options.service,
              driver: this.options.kafkaDriver,
            },
          },
          'health',
          { connectionTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, retries: 0, silent: true },
        );
        try {
          await admin.connect();
          return await admin.describeCluster();
        } catch (err) {
          // The client's text names brokers and addresses: the log gets it, the probe's body does not.
          this.log.warn(`Kafka readiness probe failed: ${(err as Error).message}`);
          throw new Error(KAFKA_DOWN_MESSAGE, { cause: err });
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      })
      .withTimeout(timeoutMs)
      .cacheFor(this.options.cacheMs ?? 1000);
  }
}
