import { DurablePublishError, type PublishReceipt } from '@dual-stream/nestjs';
import {
  createTopic,
  redisUrl,
  sleep,
  startOwnKafka,
  uniqueName,
  withAdmin,
  uniqueSourceType,
} from '../support/infra.js';
import { startPublisherApp, type PublisherApp } from '../support/publisher-fixtures.js';
import { readRecords } from '../support/kafka-records.js';

/** The contract under test: every call is answered by its accept time + durable.timeoutMs. */
const TIMEOUT_MS = 3_000;
/** Timer granularity and event-loop turns on a busy two-core machine; not a speed claim. */
const TIMER_SLACK_MS = 250;

/**
 * Records when this process did not run (GC pauses, CPU starvation on a shared machine): no library can answer
 * while its process is frozen, so a freeze around a call's deadline is added to that call's slack, and a
 * failure shows it.
 */
function watchStalls(): { stalls: { end: number; ms: number }[]; stop: () => void } {
  const stalls: { end: number; ms: number }[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 30) stalls.push({ end: now, ms: now - last - 10 });
    last = now;
  }, 10);
  return { stalls, stop: () => clearInterval(timer) };
}

interface Call {
  source: string;
  seq: number;
  startedAt: number;
  settledAt?: number;
  receipts?: PublishReceipt[];
  error?: Error;
}

describe('DualStreamPublisher: the Kafka broker is SIGKILLed with calls in flight and comes back', () => {
  let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
  let pub: PublisherApp;

  beforeAll(async () => {
    kafka = await startOwnKafka();
  });

  afterAll(async () => {
    await pub?.app.close();
    await kafka?.stop();
  });

  it('answers every call by its own deadline, recovers without an app restart, and every receipt is in Kafka once', async () => {
    const type = uniqueSourceType();
    const topic = `events.${type}`;
    await createTopic(topic, 3, kafka.brokers);
    pub = await startPublisherApp({
      kafka: { brokers: kafka.brokers },
      redis: { url: redisUrl(), channelPrefix: `${uniqueName('p')}:` },
      durable: { timeoutMs: TIMEOUT_MS },
    });

    const calls: Call[] = [];
    let stop = false;
    const worker = async (source: string, publish: (seq: number) => Promise<PublishReceipt[]>) => {
      for (let seq = 0; !stop; seq++) {
        const call: Call = { source, seq, startedAt: performance.now() };
        calls.push(call);
        try {
          call.receipts = await publish(seq);
        } catch (err) {
          call.error = err as Error;
        }
        call.settledAt = performance.now();
        if (call.error) await sleep(50);
      }
    };
    const single = (id: string) => (seq: number) =>
      pub.publisher.publish({ type: 'tick', source: { type, id }, data: { seq } }).then((receipt) => [receipt]);
    const batch = (seq: number) =>
      pub.publisher.publishBatch(
        Array.from({ length: 50 }, (_, i) => ({ type: 'tick', source: { type, id: `b${i % 5}` }, data: { seq, i } })),
      );
    const workers = [...Array.from({ length: 16 }, (_, i) => worker(`s${i}`, single(`s${i}`))), worker('batch', batch)];

    const frozen = watchStalls();
    await sleep(2_000);
    const killedAt = performance.now();
    await kafka.kill();
    await sleep(7_000);
    await kafka.restart();
    const restartedAt = performance.now();
    const ackedSince = (t: number) => calls.filter((c) => c.receipts && c.startedAt > t).length;
    for (const started = Date.now(); Date.now() - started < 60_000 && ackedSince(restartedAt) < 200;) await sleep(200);
    stop = true;
    await Promise.all(workers);
    frozen.stop();

    // Calls were in flight when the broker died, and calls failed with typed errors while it was down.
    expect(calls.some((c) => c.startedAt < killedAt && c.settledAt! > killedAt)).toBe(true);
    const failed = calls.filter((c) => c.error);
    expect(failed.length).toBeGreaterThan(0);
    for (const { error } of failed) {
      expect(error).toBeInstanceOf(DurablePublishError);
      expect((error as DurablePublishError).retriable).toBe(true);
    }
    // Each call, whatever kafkajs was doing, was answered by its own deadline (none waited for buffer room).
    const late = calls.flatMap((c) => {
      const deadline = c.startedAt + TIMEOUT_MS;
      const freeze = Math.max(
        0,
        ...frozen.stalls.filter((f) => f.end >= deadline && f.end <= c.settledAt! + 20).map((f) => f.ms),
      );
      const lateMs = c.settledAt! - deadline;
      return lateMs > TIMER_SLACK_MS + freeze
        ? [{ lateMs: Math.round(lateMs), freezeMs: Math.round(freeze), error: c.error?.message }]
        : [];
    });
    expect(late).toEqual([]);
    expect(ackedSince(restartedAt)).toBeGreaterThanOrEqual(200);

    // Every acknowledged event is in Kafka where its receipt says, and no event is there twice.
    const total = await withAdmin(
      async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0),
      kafka.brokers,
    );
    const records = await readRecords(topic, total, { brokers: kafka.brokers, settleMs: 500 });
    const ids = records.map((r) => JSON.parse(r.value).id as string);
    expect(new Set(ids).size).toBe(ids.length);
    const idAt = new Map(records.map((r, i) => [`${r.partition}:${r.offset}`, ids[i]]));
    const acknowledged = calls.filter((c) => c.receipts);
    for (const { receipts } of acknowledged) {
      for (const receipt of receipts!) expect(idAt.get(`${receipt.partition}:${receipt.offset}`)).toBe(receipt.id);
    }
    // Per source, acknowledged single events are in call order.
    for (let i = 0; i < 16; i++) {
      const offsets = acknowledged.filter((c) => c.source === `s${i}`).map((c) => BigInt(c.receipts![0].offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });
});
