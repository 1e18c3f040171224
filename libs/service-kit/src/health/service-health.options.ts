import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { ServiceEnv } from '../config/service-env.js';

export const SERVICE_HEALTH_OPTIONS = Symbol.for('service-kit:health-options');
export const SERVICE_READINESS_CHECKS = Symbol.for('service-kit:readiness-checks');

export interface ServiceHealthOptions {
  service: string;
  kafkaBrokers: string[];
  /** The Kafka driver of the probe's admin client (the service's `KAFKA_DRIVER`). @default 'kafkajs' */
  kafkaDriver?: ServiceEnv['kafkaDriver'];
  /** `false` when the service runs without the realtime lane. */
  redisUrl: string | false;
  /** Seeds of a Redis Cluster; when set the probe PINGs the cluster instead of `redisUrl`. @default undefined */
  redisClusterNodes?: { host: string; port: number }[];
  /** @default 2000 */
  probeTimeoutMs?: number;
  /** How long a Kafka probe result is reused, so frequent probes do not hammer the broker. @default 1000 */
  cacheMs?: number;
}

/** An app-specific readiness check (e.g. the consumer's store); `down` makes the service unready. */
export type ReadinessCheck = () => PromiseLike<HealthIndicatorResult> | HealthIndicatorResult;
