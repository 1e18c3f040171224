import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DurableContext, OnDurable, type DualStreamEvent, type PublishReceipt } from '@dual-stream/nestjs';
import { createTopic, eventually, uniqueName, uniqueSourceType } from '../support/infra.js';
import { gate, startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

type Envelope = DualStreamEvent<{ n: number }> & { id: string };

describe('crash mid-handler', () => {
  const sourceType = uniqueSourceType('crash');
  const topic = `events.${sourceType}`;
  const groupId = uniqueName('crash-group');
  const handled = new Map<string, number>();
  const stuck = gate();
  let stuckId: string | undefined;
  let crashing = true;
  const apps: HandlerApp[] = [];

  @Controller()
  class CrashingHandler {
    @OnDurable({ topic, groupId, concurrency: 3, keyConcurrency: 4 })
    async handle(@Payload() event: Envelope, @Ctx() _ctx: DurableContext) {
      if (crashing && event.data.n === 120) {
        stuckId = event.id;
        await stuck.promise; // the "process" dies here: this handler never finishes
        return;
      }
      handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
    }
  }

  beforeAll(() => createTopic(topic, 3));
  afterAll(async () => {
    stuck.open();
    for (const app of apps) await app.close().catch(() => undefined);
  });

  it('redelivers the unfinished record after a restart, and every acknowledged event gets handled', async () => {
    const first = await startHandlerApp([CrashingHandler], { consumer: { shutdownTimeoutMs: 500 } });
    apps.push(first);
    const receipts: PublishReceipt[] = [];
    for (let n = 0; n < 300; n += 50) {
      receipts.push(
        ...(await first.publisher.publishBatch(
          Array.from({ length: 50 }, (_, i) => ({
            type: 'thing.happened',
            source: { type: sourceType, id: `s-${(n + i) % 40}` },
            data: { n: n + i },
          })),
        )),
      );
    }
    await eventually(() => stuckId !== undefined && handled.size >= 200, 60_000);
    expect(handled.has(stuckId!)).toBe(false);

    await first.close(); // in-flight handler abandoned after shutdownTimeoutMs: its offset is not committed
    crashing = false;
    const second = await startHandlerApp([CrashingHandler]);
    apps.push(second);
    receipts.push(
      ...(await second.publisher.publishBatch(
        Array.from({ length: 50 }, (_, i) => ({
          type: 'thing.happened',
          source: { type: sourceType, id: `s-${i % 40}` },
          data: { n: 300 + i },
        })),
      )),
    );

    await eventually(() => receipts.every((r) => handled.has(r.id)), 60_000);
    expect(handled.get(stuckId!)).toBeGreaterThanOrEqual(1);
    const skipped = receipts.filter((r) => !handled.has(r.id));
    expect(skipped).toEqual([]);
    expect(second.groupJoins.get(groupId)).toBe(1);
  });
});
