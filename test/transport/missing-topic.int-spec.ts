import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DurablePublishError, HandlerConfigurationError, OnDurable, type DualStreamEvent } from '@dual-stream/nestjs';
import { createTopic, eventually, sleep, uniqueSourceType, withAdmin } from '../support/infra.js';
import { startPublisherApp } from '../support/publisher-fixtures.js';
import { startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

const topicExists = (topic: string) => withAdmin(async (admin) => (await admin.listTopics()).includes(topic));

/** Topic auto-creation is off in the library: topics exist only once something created them explicitly. */
describe('a handler whose topic does not exist yet', () => {
  const sourceType = uniqueSourceType('later');
  const topic = `events.${sourceType}`;
  const seen: string[] = [];
  let harness: HandlerApp;

  @Controller()
  class LateHandler {
    @OnDurable(topic)
    handle(@Payload() event: DualStreamEvent & { id: string }) {
      seen.push(event.id);
    }
  }

  afterAll(() => harness?.close());

  it('waits while another service creates it, then receives what is published to it', async () => {
    // Consumers often start before the service that creates the topics: the start waits (consumer.topicWaitMs).
    const creating = sleep(1500).then(() => createTopic(topic, 3));
    harness = await startHandlerApp([LateHandler]);
    await creating;
    const receipt = await harness.publisher.publish({
      type: 'thing.happened',
      source: { type: sourceType, id: 's-1' },
      data: {},
    });
    await eventually(() => seen.includes(receipt.id), 60_000);
    expect(seen).toEqual([receipt.id]);
  });
});

describe('a topic nobody creates', () => {
  const topic = `events.${uniqueSourceType('never')}`;

  @Controller()
  class NeverHandler {
    @OnDurable(topic)
    handle() {}
  }

  it('fails the handler app with HandlerConfigurationError after consumer.topicWaitMs, without creating it', async () => {
    const started = await startHandlerApp([NeverHandler], { consumer: { topicWaitMs: 1500 } }).catch((e: unknown) => e);
    expect(started).toBeInstanceOf(HandlerConfigurationError);
    expect((started as Error).message).toMatch(/ensureTopics/);
    expect(await topicExists(topic)).toBe(false);
  });

  it('refuses a publish to it with a retriable DurablePublishError, without creating it', async () => {
    const type = uniqueSourceType('nope');
    const pub = await startPublisherApp({ redis: false, durable: { timeoutMs: 3000 } });
    try {
      const error = await pub.publisher
        .publish({ type: 'tick', source: { type, id: 'x' }, data: {} })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DurablePublishError);
      expect((error as DurablePublishError).retriable).toBe(true);
      expect((error as Error).message).toMatch(/ensureTopics/);
      expect(await topicExists(`events.${type}`)).toBe(false);
    } finally {
      await pub.app.close();
    }
  });
});
