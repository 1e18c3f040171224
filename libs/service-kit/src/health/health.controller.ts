import {
  Controller,
  Get,
  Inject,
  Res,
  ServiceUnavailableException,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { KafkaHealthIndicator } from './kafka-health.indicator.js';
import { RedisHealthIndicator } from './redis-health.indicator.js';
import { SERVICE_READINESS_CHECKS, type ReadinessCheck } from './service-health.options.js';

type ReadyBody = (HealthCheckResult | { status: 'error'; error: 'shutting_down' }) & { degraded: boolean };

/**
 * `GET /health/live`: the process is up and its event loop answers (restart me if not).
 * `GET /health/ready`: Kafka answers and the app's own checks pass (send me traffic); 503 otherwise.
 * Redis down keeps the service ready with `status: 'degraded'` in the body. The body is terminus' shape (not a
 * problem), and each check reports a stable `reason`, never a dependency's error text (that goes to the log).
 */
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private closing = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Inject(SERVICE_READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: { status(code: number): unknown }): Promise<ReadyBody> {
    // A load balancer must stop sending traffic before the publisher stops accepting it.
    if (this.closing) {
      res.status(503);
      return { status: 'error', error: 'shutting_down', degraded: false };
    }
    try {
      const result = await this.health.check([() => this.kafka.check(), () => this.redis.check(), ...this.checks]);
      return { ...result, degraded: result.status === 'degraded' };
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return { ...(err.getResponse() as HealthCheckResult), degraded: false };
    }
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
  }
}
