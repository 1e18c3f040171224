import net from 'node:net';
import { DurablePublishError } from '@dual-stream/nestjs';
import { uniqueName } from '../support/infra.js';
import { ChannelRecorder, startPublisherApp, type PublisherApp } from '../support/publisher-fixtures.js';

async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('DualStreamPublisher: Kafka unreachable', () => {
  const prefix = `${uniqueName('p')}:`;
  const timeoutMs = 1_500;
  const maxEvents = 200;
  let recorder: ChannelRecorder;
  let pub: PublisherApp;

  beforeAll(async () => {
    recorder = await ChannelRecorder.start(`${prefix}*`);
    pub = await startPublisherApp({
      kafka: {
        brokers: [`127.0.0.1:${await deadPort()}`],
        config: { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } },
      },
      redis: { url: process.env.REDIS_URL!, channelPrefix: prefix },
      durable: { timeoutMs },
      buffer: { maxEvents, maxBlockMs: 300 },
      batch: { maxEvents: 50 },
    });
  });

  afterAll(async () => {
    await pub?.app.close();
    await recorder?.stop();
  });

  const event = (i: number) => ({
    type: 'tick',
    source: { type: 'down', id: `s${i % 5}` },
    data: { i, pad: 'x'.repeat(200) },
  });

  it('starts anyway and rejects publish() with a retriable DurablePublishError within durable.timeoutMs', async () => {
    expect(pub.publisher.status.kafka).not.toBe('connected');
    const t0 = Date.now();
    const error = await pub.publisher.publish(event(0)).catch((e: unknown) => e);
    const elapsed = Date.now() - t0;
    expect(error).toBeInstanceOf(DurablePublishError);
    expect((error as DurablePublishError).retriable).toBe(true);
    expect((error as DurablePublishError).message).toContain('durable.timeoutMs');
    // Bounded, not hanging: generous slack for a busy machine.
    expect(elapsed).toBeLessThan(timeoutMs + 5_000);
  });

  it('keeps the buffer bounded, answers BackpressureError once full, sends nothing to Redis, and memory stays flat', async () => {
    let maxBuffered = 0;
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, pub.publisher.status.bufferedEvents)), 5);
    const round = async (n: number) => {
      const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => pub.publisher.publish(event(i))));
      return results.map((r) => (r.status === 'fulfilled' ? 'fulfilled' : (r.reason as Error).name));
    };
    const first = await round(1_000);
    expect(first).not.toContain('fulfilled');
    expect(new Set(first)).toEqual(new Set(['DurablePublishError', 'BackpressureError']));

    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 5; i++) {
      const names = await round(1_000);
      expect(names.every((n) => n === 'DurablePublishError' || n === 'BackpressureError')).toBe(true);
    }
    const heapAfter = process.memoryUsage().heapUsed;
    clearInterval(sampler);

    expect(maxBuffered).toBeLessThanOrEqual(maxEvents);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024);
    expect(recorder.messages).toEqual([]);
    const metrics = pub.publisher.metrics();
    expect(metrics.eventsPublished).toBe(0);
    expect(metrics.realtimePublished + metrics.realtimeSkipped + metrics.realtimeFailed).toBe(0);
    expect(metrics.backpressureRejections).toBeGreaterThan(0);
    expect(metrics.durableFailures).toBeGreaterThan(0);
  });
});

describe('DualStreamPublisher: Kafka accepts connections but never answers', () => {
  const timeoutMs = 1_000;
  let blackHole: net.Server;
  const sockets = new Set<net.Socket>();
  let pub: PublisherApp;

  beforeAll(async () => {
    blackHole = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const { port } = blackHole.address() as net.AddressInfo;
    pub = await startPublisherApp({
      kafka: {
        brokers: [`127.0.0.1:${port}`],
        config: { requestTimeout: 2_000, retry: { retries: 1, initialRetryTime: 100 } },
      },
      redis: false,
      durable: { timeoutMs },
    });
  });

  afterAll(async () => {
    await pub?.app.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => blackHole.close(r));
  });

  it('answers every caller with DurablePublishError when the timeout fires, not when kafkajs gives up', async () => {
    const t0 = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        pub.publisher.publish({ type: 'tick', source: { type: 'hole', id: `s${i}` }, data: i }),
      ),
    );
    const elapsed = Date.now() - t0;
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as DurablePublishError;
      expect(reason).toBeInstanceOf(DurablePublishError);
      expect(reason.retriable).toBe(true);
      expect(reason.message).toContain(`within durable.timeoutMs ${timeoutMs} ms`);
    }
    expect(elapsed).toBeLessThan(timeoutMs + 5_000);
    expect(pub.publisher.metrics().durableFailures).toBe(20);
  });
});
