import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  DurableBatchContext,
  HandlerConfigurationError,
  OnDurable,
  OnRealtime,
  type DualStreamEvent,
} from '@dual-stream/nestjs';
import { createTopic, eventually, uniqueName, uniqueSourceType } from '../support/infra.js';
import { committedOffsets, startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

type Envelope = DualStreamEvent<{ n: number }> & { id: string };

describe('batch handlers', () => {
  const sourceType = uniqueSourceType('bulk');
  const topic = `events.${sourceType}`;
  const groupId = uniqueName('bulk-group');
  const calls: { ns: number[]; ctx: DurableBatchContext }[] = [];
  let harness: HandlerApp;

  @Controller()
  class BulkHandler {
    @OnDurable({ topic, groupId, batch: true, maxBatchSize: 25 })
    handle(@Payload() events: Envelope[], @Ctx() ctx: DurableBatchContext) {
      calls.push({ ns: events.map((e) => e.data.n), ctx });
    }
  }

  beforeAll(async () => {
    await createTopic(topic, 1);
    harness = await startHandlerApp([BulkHandler]);
  });
  afterAll(() => harness?.close());

  it('hands over arrays of at most maxBatchSize records in offset order, and commits them', async () => {
    const receipts = await harness.publisher.publishBatch(
      Array.from({ length: 60 }, (_, n) => ({
        type: 'thing.happened',
        source: { type: sourceType, id: `s-${n % 5}` },
        data: { n },
      })),
    );
    await eventually(() => calls.reduce((sum, c) => sum + c.ns.length, 0) >= 60, 30_000);
    expect(calls.flatMap((c) => c.ns)).toEqual(Array.from({ length: 60 }, (_, n) => n));
    for (const { ns, ctx } of calls) {
      expect(ns.length).toBeLessThanOrEqual(25);
      expect(ctx).toBeInstanceOf(DurableBatchContext);
      expect(ctx.getRecords()).toHaveLength(ns.length);
      expect(ctx.getTopic()).toBe(topic);
      expect(ctx.getAttempt()).toBe(1);
      expect(Number(ctx.getLastOffset()) - Number(ctx.getFirstOffset())).toBe(ns.length - 1);
    }
    const last = receipts[receipts.length - 1];
    await eventually(async () => (await committedOffsets(groupId, topic)).get(0) === BigInt(last.offset) + 1n, 15_000);
  });
});

describe('misconfigured handlers fail at startup', () => {
  it('refuses the same topic twice in one group, with a message that says how to fix it', async () => {
    const topic = `events.${uniqueSourceType('dup')}`;
    @Controller()
    class First {
      @OnDurable(topic)
      handle() {}
    }
    @Controller()
    class Second {
      @OnDurable(topic)
      handle() {}
    }
    const started = startHandlerApp([First, Second]);
    await expect(started).rejects.toThrow(HandlerConfigurationError);
    await expect(started).rejects.toThrow(/give one of them its own group/);
  });

  it('refuses an invalid channel name', async () => {
    @Controller()
    class BadChannel {
      @OnRealtime('events:order:has space')
      handle() {}
    }
    await expect(startHandlerApp([BadChannel])).rejects.toThrow(/@OnRealtime\("events:order:has space"\).*whitespace/);
  });
});
