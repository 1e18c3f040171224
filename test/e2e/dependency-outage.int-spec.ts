import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKafka } from '../support/local-infra/kafka-launcher.mjs';
import { eventually, startOwnRedis, uniqueName } from '../support/infra.js';
import { ensureBuilt, http, startService, type ServiceProcess } from './support/service-process.js';

const event = (id: string) => ({ type: 'order.created', source: { type: 'order', id }, data: { id } });

/**
 * The ingester runs against a broker and a redis-server owned by this test, so they can be stopped and
 * started again on the same ports (and, for Kafka, the same data directory) without touching shared infra.
 */
describe('ingester: Kafka and Redis outages', () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-own-kafka-'));
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  let ingester: ServiceProcess;

  beforeAll(async () => {
    await ensureBuilt();
    [kafka, redis] = await Promise.all([startKafka({ port: 0, stateDir }), startOwnRedis()]);
    ingester = await startService('ingester', {
      KAFKA_BROKERS: kafka.brokers.join(','),
      REDIS_URL: redis.url,
      TOPIC_PREFIX: `${uniqueName('e2e-out')}-`,
      DURABLE_TIMEOUT_MS: '3000',
      INGESTER_RETRY_AFTER_S: '3',
    });
    await eventually(
      async () => (await http(`${ingester.url}/events`, { body: event('warm-up') })).status === 202,
      60_000,
      500,
    );
  }, 180_000);

  afterAll(async () => {
    await ingester?.stop();
    await Promise.allSettled([kafka?.stop(), redis?.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('Redis down: still ready (degraded) and publishing; healthy again when Redis is back', async () => {
    await redis.kill();
    const ready = await eventually(
      async () => {
        const r = await http(`${ingester.url}/health/ready`);
        return r.body?.degraded === true ? r : undefined;
      },
      30_000,
      200,
    );
    expect(ready!.status).toBe(200);
    expect(ready!.body).toMatchObject({
      status: 'degraded',
      details: { kafka: { status: 'up' }, redis: { status: 'degraded', reason: 'redis_unreachable' } },
    });
    // The address of the Redis that is down is in the log, not in what a client or load balancer reads.
    expect(ready!.text).not.toContain(String(new URL(redis.url).port));
    expect(ready!.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const res = await http(`${ingester.url}/events`, { body: event('while-redis-down') });
    expect(res.status).toBe(202);
    expect(['skipped', 'failed']).toContain(res.body.realtime);

    await redis.restart();
    await eventually(async () => (await http(`${ingester.url}/health/ready`)).body?.status === 'ok', 30_000, 200);
  });

  it('Kafka down: unready and 503 + Retry-After; Kafka back: ready and accepting, without a restart', async () => {
    const { port, controllerPort } = kafka;
    await kafka.stop();

    const unready = await eventually(
      async () => {
        const r = await http(`${ingester.url}/health/ready`);
        return r.status === 503 ? r : undefined;
      },
      30_000,
      250,
    );
    expect(unready!.body).toMatchObject({ status: 'error', error: { kafka: { status: 'down' } } });

    const refused = await http(`${ingester.url}/events`, { body: event('while-kafka-down') });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(['kafka_unavailable', 'backpressure']).toContain(refused.body.error);
    expect(refused.body.type).toBe(`urn:dual-stream:problem:${refused.body.error.replace('_', '-')}`);
    expect(refused.body.problems[0].message).toEqual(expect.any(String));
    // Broker addresses and kafkajs' own words stay in the log.
    for (const body of [unready!.text, refused.text]) {
      expect(body).not.toContain(String(port));
      expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|kafkajs|Connection error/i);
    }
    expect(ingester.output()).toMatch(/Kafka readiness probe failed/);
    expect((await http(`${ingester.url}/health/live`)).status).toBe(200);

    kafka = await startKafka({ port, controllerPort, stateDir });
    await eventually(async () => (await http(`${ingester.url}/health/ready`)).status === 200, 60_000, 500);
    const accepted = await eventually(
      async () => {
        const r = await http(`${ingester.url}/events`, { body: event('after-kafka-back') });
        return r.status === 202 ? r : undefined;
      },
      90_000,
      1000,
    );
    expect(accepted!.body).toMatchObject({ id: expect.any(String), offset: expect.any(String) });
    expect(ingester.exited).toBe(false);
  }, 240_000);
});
