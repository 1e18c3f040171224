import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { OnDurable, type DualStreamEvent } from '@dual-stream/nestjs';
import { eventually, uniqueSourceType } from '../support/infra.js';
import { startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

/** Consumers often start before anything was published: a topic that does not exist yet must not crash the app. */
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

  beforeAll(async () => {
    harness = await startHandlerApp([LateHandler]);
  });
  afterAll(() => harness?.close());

  it('starts, and receives what is published to it afterwards', async () => {
    const receipt = await harness.publisher.publish({
      type: 'thing.happened',
      source: { type: sourceType, id: 's-1' },
      data: {},
    });
    await eventually(() => seen.includes(receipt.id), 60_000);
    expect(seen).toEqual([receipt.id]);
  });
});
