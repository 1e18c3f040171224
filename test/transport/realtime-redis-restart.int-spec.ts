import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { OnRealtime, RealtimeContext, type RealtimeNotification } from '@dual-stream/nestjs';
import { eventually, sleep, startOwnRedis, uniqueSourceType } from '../support/infra.js';
import { startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

describe('@OnRealtime across a Redis restart', () => {
  const sourceType = uniqueSourceType('live');
  const channel = `events:${sourceType}:a`;
  const received: { id: string; channel: string; pattern: string | undefined }[] = [];
  let redisServer: Awaited<ReturnType<typeof startOwnRedis>>;
  let harness: HandlerApp;

  @Controller()
  class LiveHandlers {
    @OnRealtime(channel)
    exact(@Payload() note: RealtimeNotification, @Ctx() ctx: RealtimeContext) {
      received.push({ id: note.id, channel: ctx.getChannel(), pattern: ctx.getPattern() });
    }

    @OnRealtime(`events:${sourceType}:*`)
    pattern(@Payload() note: RealtimeNotification, @Ctx() ctx: RealtimeContext) {
      received.push({ id: note.id, channel: ctx.getChannel(), pattern: ctx.getPattern() });
      if (note.id === 'explode') throw new Error('a failing realtime handler is only logged');
    }
  }

  /** Publishes with a plain client until the handler got `id` (Redis Pub/Sub keeps nothing for late subscribers). */
  async function publishUntilReceived(id: string): Promise<void> {
    const client = new Redis(redisServer.url, { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    const note = {
      id,
      type: 'thing.happened',
      source: { type: sourceType, id: 'a' },
      time: new Date().toISOString(),
      topic: 't',
      partition: 0,
      offset: '0',
    };
    try {
      await eventually(
        async () => {
          await client.publish(channel, JSON.stringify(note)).catch(() => 0);
          return received.some((r) => r.id === id && r.pattern === undefined);
        },
        30_000,
        200,
      );
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    redisServer = await startOwnRedis();
    harness = await startHandlerApp([LiveHandlers], { redis: { url: redisServer.url }, realtime: { enabled: false } });
  });
  afterAll(async () => {
    await harness?.close();
    await redisServer?.stop();
  });

  it('receives again after Redis was killed and restarted, without restarting the app', async () => {
    await publishUntilReceived('explode');
    await publishUntilReceived('before');
    expect(received.find((r) => r.id === 'before' && r.pattern === undefined)).toEqual({
      id: 'before',
      channel,
      pattern: undefined,
    });
    expect(received.find((r) => r.id === 'before' && r.pattern !== undefined)).toEqual({
      id: 'before',
      channel,
      pattern: `events:${sourceType}:*`,
    });

    await redisServer.kill();
    await sleep(500);
    await redisServer.restart();
    await publishUntilReceived('after');
    await eventually(() => received.some((r) => r.id === 'after' && r.pattern !== undefined), 10_000);
  });
});
