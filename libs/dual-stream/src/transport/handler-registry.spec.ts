import type { MessageHandler } from '@nestjs/microservices';
import type { OnDurableOptions } from '../decorators/durable-handler-options.interface.js';
import { durablePattern, HandlerMetadataAccessor, realtimePattern } from '../decorators/handler-metadata.accessor.js';
import { resolveDualStreamOptions } from '../dual-stream-options.resolver.js';
import { HandlerConfigurationError } from '../errors/handler-configuration.error.js';
import { buildHandlerRegistry } from './handler-registry.js';

const options = resolveDualStreamOptions({ kafka: { brokers: ['x:9092'], clientId: 'app' }, logger: false });

function handler(extras: Record<string, unknown>, next?: MessageHandler): MessageHandler {
  return Object.assign(async () => undefined, { extras, next, isEventHandler: true }) as unknown as MessageHandler;
}
const durable = (o: OnDurableOptions, next?: MessageHandler) =>
  [durablePattern(o), handler(HandlerMetadataAccessor.extrasFor({ kind: 'durable', options: o }), next)] as const;
const realtime = (channel: string, isPattern = /[*?[]/.test(channel)) =>
  [
    realtimePattern({ channel, isPattern }),
    handler(HandlerMetadataAccessor.extrasFor({ kind: 'realtime', options: { channel, isPattern } })),
  ] as const;
const build = (...entries: (readonly [string, MessageHandler])[]) => buildHandlerRegistry(new Map(entries), options);

describe('buildHandlerRegistry', () => {
  it('applies defaults: group per topic, dead-letter topic, retry policy', () => {
    const registry = build(
      durable({ topic: 'events.order' }),
      durable({ topic: 'events.user', groupId: 'g', keyConcurrency: 4 }),
    );
    expect(registry.groups.get('app.events.order')).toEqual([
      expect.objectContaining({
        topic: 'events.order',
        deadLetterTopic: 'events.order.dlq',
        fromBeginning: true,
        concurrency: 1,
        keyConcurrency: 1,
        retry: { attempts: 5, backoffMs: 200, maxBackoffMs: 10_000 },
        batch: false,
        maxBatchSize: 500,
      }),
    ]);
    expect(registry.groups.get('g')).toEqual([expect.objectContaining({ topic: 'events.user', keyConcurrency: 4 })]);
  });

  it('takes maxBatchSize from the consumer options unless the handler sets it', () => {
    const withDefault = resolveDualStreamOptions({
      kafka: { brokers: ['x:9092'], clientId: 'app' },
      consumer: { maxBatchSize: 50 },
      logger: false,
    });
    const registry = buildHandlerRegistry(
      new Map([durable({ topic: 'a', batch: true }), durable({ topic: 'b', batch: true, maxBatchSize: 7 })]),
      withDefault,
    );
    expect(registry.groups.get('app.a')?.[0].maxBatchSize).toBe(50);
    expect(registry.groups.get('app.b')?.[0].maxBatchSize).toBe(7);
  });

  it('checks topics with the one topic-name rule and says why', () => {
    expect(() => build(durable({ topic: '..' }))).toThrow(/topic must not be "\." or "\.\."/);
    expect(() => build(durable({ topic: 't', deadLetterTopic: 't:dlq' }))).toThrow(
      /deadLetterTopic must contain only \[a-zA-Z0-9._-\] \(found ":" at 1\)/,
    );
  });

  it('ignores handlers that are not ours (plain @EventPattern without a transport)', () => {
    expect(build(['orders', handler({})]).groups.size).toBe(0);
  });

  it('refuses the same topic twice in one group, with a fix', () => {
    const [pattern, second] = durable({ topic: 't' });
    expect(() => build(durable({ topic: 't' }, second))).toThrow(/same consumer group.*groupId/);
    expect(() => build([pattern, second], durable({ topic: 't', groupId: 'app.t' }))).toThrow(
      HandlerConfigurationError,
    );
  });

  it.each<[string, OnDurableOptions]>([
    ['bad topic', { topic: 'has space' }],
    ['topic "."', { topic: '.' }],
    ['topic longer than 249', { topic: 'x'.repeat(250) }],
    ['bad dead-letter topic', { topic: 't', deadLetterTopic: 'a b' }],
    ['zero maxBatchSize', { topic: 't', batch: true, maxBatchSize: 0 }],
    ['zero attempts', { topic: 't', retry: { attempts: 0 } }],
    ['negative backoff', { topic: 't', retry: { backoffMs: -1 } }],
    ['max below base', { topic: 't', retry: { backoffMs: 500, maxBackoffMs: 100 } }],
    ['fractional concurrency', { topic: 't', concurrency: 1.5 }],
    ['keyConcurrency 0', { topic: 't', keyConcurrency: 0 }],
    ['dead letters into itself', { topic: 't', deadLetterTopic: 't' }],
  ])('refuses %s at startup', (_label, o) => {
    expect(() => build(durable(o))).toThrow(HandlerConfigurationError);
  });

  it('refuses different concurrency inside one group', () => {
    expect(() =>
      build(
        durable({ topic: 'a', groupId: 'g', concurrency: 1 }),
        durable({ topic: 'b', groupId: 'g', concurrency: 3 }),
      ),
    ).toThrow(/same value, or separate groups/);
  });

  it('validates realtime channels and patterns', () => {
    expect(build(realtime('events:order:o-1'), realtime('events:order:*')).realtime).toEqual([
      { pattern: 'realtime:events:order:o-1', channel: 'events:order:o-1', isPattern: false },
      { pattern: 'realtime:events:order:*', channel: 'events:order:*', isPattern: true },
    ]);
    expect(() => build(realtime('orders'))).toThrow(/Invalid channel/);
    expect(() => build(realtime('events:order:a b'))).toThrow(HandlerConfigurationError);
    expect(() => build(realtime('*'))).toThrow(/must start with "events:"/);
  });

  it('refuses @OnRealtime when Redis is off', () => {
    const noRedis = resolveDualStreamOptions({ kafka: { brokers: ['x:9092'] }, redis: false, logger: false });
    expect(() => buildHandlerRegistry(new Map([realtime('events:order:o-1')]), noRedis)).toThrow(/redis: false/);
  });

  it('refuses @OnRealtime patterns with sharded Pub/Sub (a Redis Cluster), keeping exact channels', () => {
    const sharded = resolveDualStreamOptions({
      kafka: { brokers: ['x:9092'] },
      redis: { cluster: { nodes: [{ host: 'r', port: 7000 }] } },
      logger: false,
    });
    expect(buildHandlerRegistry(new Map([realtime('events:order:o-1')]), sharded).realtime).toHaveLength(1);
    expect(() => buildHandlerRegistry(new Map([realtime('events:order:*')]), sharded)).toThrow(
      /@OnRealtime pattern "events:order:\*": pattern subscriptions are not available with sharded Pub\/Sub/,
    );
  });
});
