import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  DurableContext,
  OnDurable,
  OnRealtime,
  RealtimeContext,
  type NormalizedEvent,
  type PublishReceipt,
  type RealtimeNotification,
} from '@dual-stream/nestjs';
import { createTopic, eventually, sleep, uniqueName, uniqueSourceType } from '../support/infra.js';
import { startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

describe('@OnDurable and @OnRealtime deliver exactly what was published', () => {
  const orderType = uniqueSourceType('order');
  const userType = uniqueSourceType('user');
  const orderTopic = `events.${orderType}`;
  const userTopic = `events.${userType}`;
  const channel = `events:${orderType}:o-1`;
  const prefix = `${uniqueName('pfx')}:`;
  const durable: { event: NormalizedEvent; ctx: DurableContext }[] = [];
  const realtime: { note: RealtimeNotification; ctx: RealtimeContext }[] = [];
  let harness: HandlerApp;

  @Controller()
  class MixedHandlers {
    @OnDurable(orderTopic)
    onOrder(@Payload() event: NormalizedEvent, @Ctx() ctx: DurableContext) {
      durable.push({ event, ctx });
    }

    @OnDurable({ topic: userTopic, keyConcurrency: 4 })
    async onUser(@Payload() event: NormalizedEvent, @Ctx() ctx: DurableContext) {
      await sleep(1);
      durable.push({ event, ctx });
    }

    @OnRealtime(channel)
    onLive(@Payload() note: RealtimeNotification, @Ctx() ctx: RealtimeContext) {
      realtime.push({ note, ctx });
    }
  }

  beforeAll(async () => {
    await createTopic(orderTopic, 3);
    await createTopic(userTopic, 3);
    harness = await startHandlerApp([MixedHandlers], { redis: { channelPrefix: prefix } });
  });
  afterAll(() => harness?.close());

  it('hands each durable handler its records once, with the right context, and the channel its notifications', async () => {
    const receipts: PublishReceipt[] = [];
    for (let i = 0; i < 30; i++) {
      receipts.push(
        await harness.publisher.publish({
          type: 'order.created',
          source: { type: orderType, id: `o-${i % 3}` },
          data: { n: i },
          headers: { traceparent: `t-${i}` },
        }),
      );
      receipts.push(
        await harness.publisher.publish({
          type: 'user.seen',
          source: { type: userType, id: `u-${i % 7}` },
          data: { n: i },
        }),
      );
    }
    await eventually(() => durable.length >= receipts.length, 60_000);
    await sleep(1000);
    expect(durable).toHaveLength(receipts.length);

    const byId = new Map(receipts.map((r) => [r.id, r]));
    for (const { event, ctx } of durable) {
      const receipt = byId.get(event.id)!;
      expect(receipt).toBeDefined();
      expect(ctx).toBeInstanceOf(DurableContext);
      expect({ topic: ctx.getTopic(), partition: ctx.getPartition(), offset: ctx.getOffset() }).toEqual({
        topic: receipt.topic,
        partition: receipt.partition,
        offset: receipt.offset,
      });
      expect(ctx.getKey()).toBe(`${event.source.type}:${event.source.id}`);
      expect(ctx.getAttempt()).toBe(1);
      expect(ctx.getGroupId()).toMatch(new RegExp(`\\.${ctx.getTopic().replace(/\./g, '\\.')}$`));
      expect(ctx.getHeaders()).toMatchObject({
        ce_id: event.id,
        ce_type: event.type,
        ce_source: `${event.source.type}/${event.source.id}`,
      });
      if (event.type === 'order.created') {
        expect(ctx.getHeaders().traceparent).toBe(`t-${(event.data as { n: number }).n}`);
      }
    }
    expect(new Set(durable.map((d) => d.event.id)).size).toBe(receipts.length);

    // Per-key order holds even with keyConcurrency on.
    const perKey = new Map<string, number[]>();
    for (const { event, ctx } of durable) {
      perKey.set(ctx.getKey()!, [...(perKey.get(ctx.getKey()!) ?? []), (event.data as { n: number }).n]);
    }
    for (const ns of perKey.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));

    const expectedLive = receipts.filter(
      (r) => durable.find((d) => d.event.id === r.id)!.event.source.id === 'o-1' && r.topic === orderTopic,
    );
    await eventually(() => realtime.length >= expectedLive.length, 10_000);
    await sleep(300);
    expect(realtime.map((r) => r.note.id)).toEqual(expectedLive.map((r) => r.id));
    for (const { note, ctx } of realtime) {
      expect(ctx).toBeInstanceOf(RealtimeContext);
      expect(ctx.getChannel()).toBe(channel);
      expect(ctx.getPattern()).toBeUndefined();
      expect(note).toMatchObject({ type: 'order.created', source: { type: orderType, id: 'o-1' }, topic: orderTopic });
    }
  });
});
