import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DurableContext, OnDurable, type DualStreamEvent } from '@dual-stream/nestjs';
import { createTopic, eventually, sleep, uniqueSourceType } from '../support/infra.js';
import { gate, startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

type Envelope = DualStreamEvent<{ n: number; slowMs?: number }> & { id: string };

describe('slow handlers', () => {
  const slowType = uniqueSourceType('slow');
  const stalledType = uniqueSourceType('stalled');
  const fastType = uniqueSourceType('fast');
  const topics = { slow: `events.${slowType}`, stalled: `events.${stalledType}`, fast: `events.${fastType}` };
  const SESSION_TIMEOUT_MS = 6_000; // the broker's minimum (group.min.session.timeout.ms)
  const deliveries: { topic: string; id: string; attempt: number }[] = [];
  const stalledGate = gate();
  let harness: HandlerApp;

  @Controller()
  class SlowHandlers {
    @OnDurable(topics.slow)
    async onSlow(@Payload() event: Envelope, @Ctx() ctx: DurableContext) {
      deliveries.push({ topic: ctx.getTopic(), id: event.id, attempt: ctx.getAttempt() });
      await sleep(event.data.slowMs ?? 0);
    }

    @OnDurable(topics.stalled)
    async onStalled(@Payload() event: Envelope, @Ctx() ctx: DurableContext) {
      deliveries.push({ topic: ctx.getTopic(), id: event.id, attempt: ctx.getAttempt() });
      await stalledGate.promise;
    }

    @OnDurable(topics.fast)
    onFast(@Payload() event: Envelope, @Ctx() ctx: DurableContext) {
      deliveries.push({ topic: ctx.getTopic(), id: event.id, attempt: ctx.getAttempt() });
    }
  }

  beforeAll(async () => {
    for (const topic of Object.values(topics)) await createTopic(topic, 1);
    harness = await startHandlerApp([SlowHandlers], {
      consumer: { sessionTimeoutMs: SESSION_TIMEOUT_MS, heartbeatIntervalMs: 1_000, shutdownTimeoutMs: 1_000 },
    });
  });
  afterAll(async () => {
    stalledGate.open();
    await harness?.close();
  });

  it('a handler slower than the session timeout does not cause a rebalance loop', async () => {
    const group = [...harness.groupJoins.keys()].find((g) => g.endsWith(topics.slow))!;
    expect(harness.groupJoins.get(group)).toBe(1);
    const slow = await harness.publisher.publish({
      type: 'thing.happened',
      source: { type: slowType, id: 'a' },
      data: { n: 1, slowMs: 2.2 * SESSION_TIMEOUT_MS },
    });
    const after = await harness.publisher.publish({
      type: 'thing.happened',
      source: { type: slowType, id: 'a' },
      data: { n: 2 },
    });
    await eventually(() => deliveries.some((d) => d.id === after.id), 60_000);
    await sleep(SESSION_TIMEOUT_MS); // a lost membership would show up as a rejoin within one more session
    expect(harness.groupJoins.get(group)).toBe(1);
    expect(deliveries.filter((d) => d.id === slow.id)).toEqual([{ topic: topics.slow, id: slow.id, attempt: 1 }]);
    expect(deliveries.filter((d) => d.id === after.id)).toHaveLength(1);
  });

  it('a stalled topic does not stall another topic', async () => {
    const stalled = await harness.publisher.publish({
      type: 'thing.happened',
      source: { type: stalledType, id: 's' },
      data: { n: 0 },
    });
    await eventually(() => deliveries.some((d) => d.id === stalled.id), 30_000);
    const fast = await harness.publisher.publishBatch(
      Array.from({ length: 20 }, (_, n) => ({
        type: 'thing.happened',
        source: { type: fastType, id: `f-${n % 4}` },
        data: { n },
      })),
    );
    await eventually(() => fast.every((r) => deliveries.some((d) => d.id === r.id)), 30_000);
    expect(deliveries.filter((d) => d.topic === topics.stalled)).toHaveLength(1); // still stuck, not retried
  });
});
