import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DurableContext, OnDurable, type DualStreamEvent, type PublishReceipt } from '@dual-stream/nestjs';
import { createTopic, eventually, sleep, uniqueName, uniqueSourceType } from '../support/infra.js';
import { startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

type Envelope = DualStreamEvent<{ n: number }> & { id: string };

describe('a second instance joining and the first leaving (rebalances)', () => {
  const sourceType = uniqueSourceType('rebal');
  const topic = `events.${sourceType}`;
  const groupId = uniqueName('rebal-group');
  const handledBy = new Map<string, Set<string>>();
  const inFlight = new Map<string, string>();
  const overlaps: string[] = [];
  const apps: HandlerApp[] = [];

  /** Each app instance gets its own controller class, so handlers can tell which instance ran. */
  const controllerFor = (name: string) => {
    @Controller()
    class InstanceHandler {
      @OnDurable({ topic, groupId, concurrency: 6, keyConcurrency: 4 })
      async handle(@Payload() event: Envelope, @Ctx() ctx: DurableContext) {
        const slot = `${name}|${ctx.getKey()}`;
        if (inFlight.has(slot)) overlaps.push(slot); // one instance must never run two records of a key at once
        inFlight.set(slot, event.id);
        await sleep(3);
        inFlight.delete(slot);
        handledBy.set(event.id, (handledBy.get(event.id) ?? new Set()).add(name));
      }
    }
    return InstanceHandler;
  };

  beforeAll(() => createTopic(topic, 6));
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
  });

  const publishSome = async (app: HandlerApp, from: number, count: number): Promise<PublishReceipt[]> =>
    app.publisher.publishBatch(
      Array.from({ length: count }, (_, i) => ({
        type: 'thing.happened',
        source: { type: sourceType, id: `k-${(from + i) % 30}` },
        data: { n: from + i },
      })),
    );

  it('hands every acknowledged event to some instance, whatever the assignment did meanwhile', async () => {
    const first = await startHandlerApp([controllerFor('first')]);
    apps.push(first);
    const receipts = await publishSome(first, 0, 400);

    const second = await startHandlerApp([controllerFor('second')]);
    apps.push(second);
    receipts.push(...(await publishSome(second, 400, 400)));
    await eventually(() => receipts.every((r) => handledBy.has(r.id)), 60_000);
    const bySecond = receipts.filter((r) => handledBy.get(r.id)!.has('second')).length;

    await first.close();
    receipts.push(...(await publishSome(second, 800, 400)));
    await eventually(() => receipts.every((r) => handledBy.has(r.id)), 60_000);

    expect(receipts.filter((r) => !handledBy.has(r.id))).toEqual([]);
    expect(bySecond).toBeGreaterThan(0); // the second instance really took partitions over
    expect(receipts.slice(800).every((r) => handledBy.get(r.id)!.has('second'))).toBe(true);
    expect(overlaps).toEqual([]);
  });
});
