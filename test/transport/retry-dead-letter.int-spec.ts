import { Controller, ValidationPipe } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Type } from 'class-transformer';
import { IsInt, IsString, ValidateNested } from 'class-validator';
import { DurableContext, OnDurable, type DualStreamEvent, type PublishReceipt } from '@dual-stream/nestjs';
import { createTopic, eventually, sleep, uniqueSourceType, withAdmin } from '../support/infra.js';
import { readRecords } from '../support/kafka-records.js';
import { committedOffsets, produceRaw, startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

type Envelope = DualStreamEvent<{ n: number; fail?: number | 'always' }> & { id: string };

class OrderData {
  @IsInt()
  total!: number;
}
class OrderEnvelope {
  @IsString()
  id!: string;

  @ValidateNested()
  @Type(() => OrderData)
  data!: OrderData;
}

describe('retries, dead letters and poison records', () => {
  const flaky = uniqueSourceType('flaky');
  const poison = uniqueSourceType('poison');
  const raw = uniqueSourceType('raw');
  const validated = uniqueSourceType('valid');
  const topics = {
    flaky: `events.${flaky}`,
    poison: `events.${poison}`,
    raw: `events.${raw}`,
    validated: `events.${validated}`,
  };
  const retry = { attempts: 3, backoffMs: 50, maxBackoffMs: 200 };
  const calls: { topic: string; id: string; key: string | null; attempt: number; ok: boolean; at: number }[] = [];
  /** Order of successful handling (a counter, not a clock: several succeed within one millisecond). */
  const successAt = new Map<string, number>();
  const successTime = new Map<string, number>();
  let harness: HandlerApp;

  const track = (event: Envelope, ctx: DurableContext, ok: boolean) =>
    calls.push({
      topic: ctx.getTopic(),
      id: event.id,
      key: ctx.getKey(),
      attempt: ctx.getAttempt(),
      ok,
      at: Date.now(),
    });

  @Controller()
  class FailingHandlers {
    @OnDurable({ topic: topics.flaky, keyConcurrency: 4, retry: { ...retry, attempts: 4 } })
    async onFlaky(@Payload() event: Envelope, @Ctx() ctx: DurableContext) {
      const fail = event.data.fail;
      if (typeof fail === 'number' && ctx.getAttempt() <= fail) {
        track(event, ctx, false);
        throw new Error(`flaky attempt ${ctx.getAttempt()}`);
      }
      if (event.data.fail !== undefined) await sleep(200); // a slow success must not let the commit run ahead
      track(event, ctx, true);
      successAt.set(event.id, successAt.size);
      successTime.set(event.id, Date.now());
    }

    @OnDurable({ topic: topics.poison, retry })
    onPoison(@Payload() event: Envelope, @Ctx() ctx: DurableContext) {
      track(event, ctx, event.data.fail !== 'always');
      if (event.data.fail === 'always') throw new TypeError(`poison ${event.id}`);
    }

    @OnDurable({ topic: topics.raw, retry })
    onRaw(@Payload() event: Envelope, @Ctx() ctx: DurableContext) {
      track(event, ctx, true);
    }

    @OnDurable({ topic: topics.validated, retry })
    onValidated(@Payload(new ValidationPipe({ transform: true })) event: OrderEnvelope, @Ctx() ctx: DurableContext) {
      track(event as unknown as Envelope, ctx, true);
    }
  }

  beforeAll(async () => {
    for (const topic of Object.values(topics)) {
      await createTopic(topic, 1);
      await createTopic(`${topic}.dlq`, 1);
    }
    harness = await startHandlerApp([FailingHandlers]);
  });
  afterAll(() => harness?.close());

  const publish = (type: string, id: string, data: Record<string, unknown>): Promise<PublishReceipt> =>
    harness.publisher.publish({ type: 'thing.happened', source: { type, id }, data });

  it('a handler failing twice then succeeding: 3 deliveries, committed after success only, others not blocked, per-key order kept', async () => {
    const group = [...harness.groupJoins.keys()].find((g) => g.endsWith(topics.flaky))!;
    // The group's committed offset as the broker reports it, polled far more often than the retry backoff (50–200
    // ms) lasts, so a commit past a failing record would be seen: the same check on every driver.
    const commits: { offset: bigint; at: number }[] = [];
    let polling = true;
    const poller = withAdmin(async (admin) => {
      while (polling) {
        const [result] = await admin.fetchOffsets({ groupId: group, topics: [topics.flaky] });
        const offset = BigInt(result.partitions.find((p) => p.partition === 0)?.offset ?? '-1');
        if (offset >= 0n) commits.push({ offset: offset - 1n, at: Date.now() });
        await sleep(10);
      }
    });

    // One batch, so the records arrive in one fetch: key b must not wait for key a's retries.
    const ev = (id: string, data: Record<string, unknown>) => ({
      type: 'thing.happened',
      source: { type: flaky, id },
      data,
    });
    const [a1, ...rest] = await harness.publisher.publishBatch([
      ev('a', { n: 1, fail: 2 }),
      ev('b', { n: 1 }),
      ev('b', { n: 2 }),
      ev('b', { n: 3 }),
      ev('a', { n: 2 }),
      ev('a', { n: 3 }),
    ]);
    const b = rest.slice(0, 3);
    const [a2, a3] = rest.slice(3);

    await eventually(() => successAt.has(a3.id), 30_000);
    const mine = calls.filter((c) => c.topic === topics.flaky);
    expect(mine.filter((c) => c.id === a1.id).map((c) => [c.attempt, c.ok])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    // Key b ran while key a was backing off; key a kept its order.
    for (const r of b) expect(successAt.get(r.id)!).toBeLessThan(successAt.get(a1.id)!);
    expect(successAt.get(a1.id)!).toBeLessThan(successAt.get(a2.id)!);
    expect(successAt.get(a2.id)!).toBeLessThan(successAt.get(a3.id)!);
    await eventually(
      async () => (await committedOffsets(group, topics.flaky)).get(0) === BigInt(a3.offset) + 1n,
      15_000,
    );
    polling = false;
    await poller;
    // Never committed past a1 before a1 succeeded; afterwards everything got committed.
    expect(commits.some((c) => c.offset >= BigInt(a3.offset))).toBe(true);
    for (const c of commits) {
      if (c.offset >= BigInt(a1.offset)) expect(c.at).toBeGreaterThanOrEqual(successTime.get(a1.id)!);
    }
  });

  it('a handler that always fails: after the last attempt the record is in {topic}.dlq with every header, and the partition moves on', async () => {
    const bad = await harness.publisher.publish({
      type: 'thing.happened',
      source: { type: poison, id: 'p-1' },
      data: { n: 1, fail: 'always' },
      headers: { traceparent: '00-abc-def-01' },
    });
    const next = await publish(poison, 'p-2', { n: 2 });
    await eventually(() => calls.some((c) => c.id === next.id), 30_000);
    expect(calls.filter((c) => c.id === bad.id).map((c) => c.attempt)).toEqual([1, 2, 3]);

    const [dead] = await readRecords(`${topics.poison}.dlq`, 1);
    const h = dead.headers;
    expect(dead.key).toBe(`${poison}:p-1`);
    expect(JSON.parse(dead.value).id).toBe(bad.id);
    expect(h).toMatchObject({
      dlq_error_name: 'TypeError',
      dlq_error_message: `poison ${bad.id}`,
      dlq_original_topic: topics.poison,
      dlq_original_partition: String(bad.partition),
      dlq_original_offset: bad.offset,
      dlq_attempts: '3',
      ce_id: bad.id,
      traceparent: '00-abc-def-01',
    });
    expect(h.dlq_error_stack).toContain(`TypeError: poison ${bad.id}`);
    expect(Number(h.dlq_original_timestamp)).toBeGreaterThan(Date.now() - 120_000);
    expect(h.dlq_group_id).toMatch(new RegExp(`${topics.poison.replace(/\./g, '\\.')}$`));
    const group = h.dlq_group_id;
    await eventually(
      async () => (await committedOffsets(group, topics.poison)).get(0) === BigInt(next.offset) + 1n,
      15_000,
    );
  });

  it('a record that is not JSON goes straight to the dead-letter topic, without a handler call', async () => {
    await produceRaw(topics.raw, [{ key: 'k-1', value: 'this is {not json', headers: { origin: 'legacy' } }]);
    const good = await publish(raw, 'r-1', { n: 1 });
    await eventually(() => calls.some((c) => c.id === good.id), 30_000);
    expect(calls.filter((c) => c.topic === topics.raw)).toHaveLength(1);
    const [dead] = await readRecords(`${topics.raw}.dlq`, 1);
    const h = dead.headers;
    expect(dead.value).toBe('this is {not json');
    expect(h).toMatchObject({
      dlq_error_name: 'UnparseableRecordError',
      dlq_attempts: '0',
      dlq_original_offset: '0',
      origin: 'legacy',
    });
    expect(h.dlq_error_message).toMatch(/not JSON/);
  });

  it('a ValidationPipe rejection goes straight to the dead-letter topic, not into a retry loop', async () => {
    const invalid = await publish(validated, 'v-1', { total: 'lots' });
    const valid = await publish(validated, 'v-2', { total: 3 });
    await eventually(() => calls.some((c) => c.id === valid.id), 30_000);
    const [dead] = await readRecords(`${topics.validated}.dlq`, 1);
    const h = dead.headers;
    expect(h).toMatchObject({
      dlq_error_name: 'BadRequestException',
      dlq_attempts: '1',
      dlq_original_offset: invalid.offset,
    });
    expect(calls.filter((c) => c.id === invalid.id)).toHaveLength(0);
  });
});
