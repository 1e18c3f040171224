import { jest } from '@jest/globals';
import { resolveDualStreamOptions } from '../dual-stream-options.resolver.js';
import { BackpressureError } from '../errors/backpressure.error.js';
import { DurablePublishError } from '../errors/durable-publish.error.js';
import type { KafkaPosition, PublishReceipt, RealtimeOutcome } from '../interfaces/dual-stream-event.interface.js';
import type { DualStreamModuleOptions } from '../interfaces/dual-stream-options.interface.js';
import type { PendingEvent } from './pending-group.js';
import { PublishPipeline, type KafkaSender, type RealtimeAnnouncer } from './publish-pipeline.js';
import { PublisherMetrics } from './publisher-metrics.js';
import { RequestSizeLimit } from './request-size-limit.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** The kafkajs boundary: each `send` waits until the test answers it (or answers at once when `auto`). */
class FakeKafka implements KafkaSender {
  readonly sends: { events: PendingEvent[]; answer: Deferred<KafkaPosition[]> }[] = [];
  resets = 0;
  inFlight = 0;
  maxInFlight = 0;
  private offset = 0;

  constructor(private readonly auto = false) {}

  send(events: readonly PendingEvent[]): Promise<KafkaPosition[]> {
    const answer = deferred<KafkaPosition[]>();
    this.sends.push({ events: [...events], answer });
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    if (this.auto) this.ack(this.sends.length - 1);
    return answer.promise.finally(() => this.inFlight--);
  }

  reset(): void {
    this.resets++;
  }

  /** Acknowledges send `n` with consecutive offsets on partition 0. */
  ack(n: number): void {
    const { events, answer } = this.sends[n];
    answer.resolve(events.map((e) => ({ topic: e.topic, partition: 0, offset: String(this.offset++) })));
  }

  fail(n: number, err: unknown): void {
    this.sends[n].answer.reject(err);
  }
}

/** The ioredis boundary: announcements answer `outcome` at once, or wait for the test when it is a Deferred. */
class FakeRedis implements RealtimeAnnouncer {
  readonly announced: string[][] = [];
  constructor(private readonly outcome: RealtimeOutcome | Deferred<RealtimeOutcome> = 'published') {}
  prebuild(): void {}
  announce(events: readonly PendingEvent[]): Promise<RealtimeOutcome> {
    this.announced.push(events.map((e) => e.prepared.event.id));
    return typeof this.outcome === 'string' ? Promise.resolve(this.outcome) : this.outcome.promise;
  }
}

let nextId = 0;
const event = (recordBytes = 100): PendingEvent =>
  ({
    prepared: { event: { id: `e${nextId++}` } },
    topic: 't',
    key: 'k',
    channel: 'c',
    recordBytes,
  }) as PendingEvent;
const events = (n: number, recordBytes = 100) => Array.from({ length: n }, () => event(recordBytes));

interface Harness {
  pipeline: PublishPipeline;
  kafka: FakeKafka;
  redis: FakeRedis;
  metrics: PublisherMetrics;
  warnings: string[];
  /** Submits a call; its outcome and the `performance.now()` it settled at are recorded. */
  call: (list: PendingEvent[]) => Outcome;
}
interface Outcome {
  receipts?: PublishReceipt[];
  error?: Error;
  settledAt?: number;
  acceptedAt: number;
}

function harness(
  options: Partial<DualStreamModuleOptions> = {},
  { kafka = new FakeKafka(), redis = new FakeRedis(), messageMaxBytes = 1_048_588 } = {},
): Harness {
  const warnings: string[] = [];
  const resolved = resolveDualStreamOptions({
    kafka: { brokers: ['fake:9092'] },
    logger: { log: () => undefined, error: () => undefined, warn: (m: string) => warnings.push(m) },
    ...options,
  });
  const metrics = new PublisherMetrics();
  const limit = new RequestSizeLimit(messageMaxBytes, 'option');
  const pipeline = new PublishPipeline(resolved, metrics, kafka, redis, limit);
  const call = (list: PendingEvent[]): Outcome => {
    const outcome: Outcome = { acceptedAt: performance.now() };
    const bytes = list.reduce((sum, e) => sum + e.recordBytes, 0);
    pipeline.submit(list, bytes).then(
      (receipts) => Object.assign(outcome, { receipts, settledAt: performance.now() }),
      (error: Error) => Object.assign(outcome, { error, settledAt: performance.now() }),
    );
    return outcome;
  };
  return { pipeline, kafka, redis, metrics, warnings, call };
}

/** Runs timers and the promise callbacks they unblock. */
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('PublishPipeline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('batching', () => {
    it('gathers every call of one event-loop turn into one send, and answers each with its receipts', async () => {
      const { kafka, redis, call, pipeline } = harness();
      const calls = [call(events(1)), call(events(2)), call(events(1))];
      expect(kafka.sends).toHaveLength(0);
      await advance(0);
      expect(kafka.sends.map((s) => s.events.length)).toEqual([4]);
      kafka.ack(0);
      await advance(0);
      expect(calls.map((c) => c.receipts?.map((r) => r.offset))).toEqual([['0'], ['1', '2'], ['3']]);
      expect(calls[1].receipts![0]).toMatchObject({ topic: 't', partition: 0, realtime: 'published' });
      expect(redis.announced).toHaveLength(1);
      expect(pipeline.isDrained).toBe(true);
    });

    it('lingers batch.lingerMs for company, and sends a full batch at once', async () => {
      const { kafka, call } = harness({ batch: { lingerMs: 5, maxEvents: 3 } });
      call(events(1));
      await advance(4);
      expect(kafka.sends).toHaveLength(0);
      await advance(1);
      expect(kafka.sends).toHaveLength(1);
      kafka.ack(0);
      await advance(0);
      call(events(3));
      await advance(0);
      expect(kafka.sends).toHaveLength(2);
    });

    it('keeps one send in flight; what queued meanwhile goes out together once it settled', async () => {
      const { kafka, call } = harness();
      call(events(1));
      await advance(0);
      const waiting = [call(events(1)), call(events(2))];
      await advance(100);
      expect(kafka.sends).toHaveLength(1);
      kafka.ack(0);
      await advance(0);
      expect(kafka.sends.map((s) => s.events.length)).toEqual([1, 3]);
      kafka.ack(1);
      await advance(0);
      expect(waiting.map((c) => c.receipts?.length)).toEqual([1, 2]);
      expect(kafka.maxInFlight).toBe(1);
    });
  });

  describe('requests over the broker limit', () => {
    // 4 096 bytes of message.max.bytes leave 4 096 - 61 - 1 024 = 3 011 record bytes per request.
    const limits = { messageMaxBytes: 4096 };

    it('splits a call into consecutive requests, one in flight, and answers once all are acknowledged', async () => {
      const kafka = new FakeKafka();
      const { call } = harness({}, { kafka, ...limits });
      const big = call(events(7, 1000));
      await advance(0);
      expect(kafka.sends.map((s) => s.events.length)).toEqual([3]);
      kafka.ack(0);
      await advance(0);
      expect(kafka.sends.map((s) => s.events.length)).toEqual([3, 3]);
      expect(big.settledAt).toBeUndefined();
      kafka.ack(1);
      await advance(0);
      kafka.ack(2);
      await advance(0);
      expect(kafka.sends.map((s) => s.events.length)).toEqual([3, 3, 1]);
      expect(big.receipts!.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
      expect(kafka.maxInFlight).toBe(1);
      for (const { events: sent } of kafka.sends) {
        expect(sent.reduce((sum, e) => sum + e.recordBytes, 0)).toBeLessThanOrEqual(3011);
      }
    });

    it('fails the call when a later request fails, says how many leading events are written, sends no more', async () => {
      const kafka = new FakeKafka();
      const { call, metrics } = harness({}, { kafka, ...limits });
      const big = call(events(7, 1000));
      const afterEvents = events(1);
      const after = call(afterEvents);
      await advance(0);
      kafka.ack(0);
      await advance(0);
      kafka.fail(1, Object.assign(new Error('connection closed'), { retriable: true }));
      await advance(0);
      expect(big.error).toBeInstanceOf(DurablePublishError);
      expect(big.error).toMatchObject({ acknowledged: 3, retriable: true });
      expect(big.error!.message).toContain('The first 3 event(s) of this call are written.');
      expect(kafka.resets).toBe(1);
      // The rest of the failed call is dropped; the next call goes on.
      expect(kafka.sends.map((s) => s.events.length)).toEqual([3, 3, 1]);
      expect(kafka.sends[2].events).toEqual(afterEvents);
      kafka.ack(2);
      await advance(0);
      expect(after.receipts).toHaveLength(1);
      expect(metrics.durableFailures).toBe(7);
    });
  });

  describe('deadlines', () => {
    const timeoutMs = 1000;

    it('answers calls in flight and calls queued behind them by their own deadline while Kafka hangs', async () => {
      const { kafka, call, pipeline } = harness({ durable: { timeoutMs } });
      const inFlight = call(events(2));
      await advance(0);
      await advance(400);
      const queued = call(events(1));
      await advance(599);
      expect(inFlight.settledAt).toBeUndefined();
      await advance(2);
      expect(inFlight.error).toBeInstanceOf(DurablePublishError);
      expect(inFlight.error!.message).toContain(
        `within durable.timeoutMs ${timeoutMs} ms; they may or may not be written`,
      );
      expect(inFlight.settledAt! - inFlight.acceptedAt).toBeGreaterThanOrEqual(timeoutMs);
      expect(inFlight.settledAt! - inFlight.acceptedAt).toBeLessThanOrEqual(timeoutMs + 2);
      expect(queued.settledAt).toBeUndefined();
      await advance(400);
      expect(queued.error!.message).toContain('waited behind an unacknowledged batch and were not sent');
      expect(queued.settledAt! - queued.acceptedAt).toBeLessThanOrEqual(timeoutMs + 2);
      expect((queued.error as DurablePublishError).retriable).toBe(true);
      // kafkajs still holds the first batch: its room stays taken until the send settles; only one send ever.
      expect(pipeline.buffer.bufferedEvents).toBe(2);
      kafka.ack(0);
      await advance(0);
      expect(pipeline.buffer.bufferedEvents).toBe(0);
      expect(kafka.sends).toHaveLength(1);
      expect(pipeline.isDrained).toBe(true);
    });

    it('keeps the first answer when kafkajs fails the send after the deadline', async () => {
      const { kafka, call, metrics, pipeline } = harness({ durable: { timeoutMs } });
      const outcome = call(events(3));
      await advance(0);
      await advance(timeoutMs + 1);
      const answered = outcome.error;
      expect(answered).toBeInstanceOf(DurablePublishError);
      kafka.fail(0, new Error('Connection error: connect ECONNREFUSED'));
      await advance(0);
      expect(outcome.error).toBe(answered);
      expect(metrics.durableFailures).toBe(3);
      expect(kafka.resets).toBe(1);
      expect(pipeline.isDrained).toBe(true);
    });

    it('answers with receipts saying realtime failed when Kafka acknowledged but Redis has not answered by then', async () => {
      const slowRedis = deferred<RealtimeOutcome>();
      const { kafka, call } = harness({ durable: { timeoutMs } }, { redis: new FakeRedis(slowRedis) });
      const outcome = call(events(1));
      await advance(0);
      await advance(999);
      kafka.ack(0);
      await advance(0);
      expect(outcome.settledAt).toBeUndefined();
      await advance(2);
      expect(outcome.receipts).toEqual([expect.objectContaining({ offset: '0', realtime: 'failed' })]);
      expect(outcome.settledAt! - outcome.acceptedAt).toBeLessThanOrEqual(timeoutMs + 2);
      slowRedis.resolve('published');
      await advance(0);
      // Receipts already handed out do not change.
      expect(outcome.receipts![0].realtime).toBe('failed');
    });

    it('counts the deadline from when a call got buffer room, and fails it with BackpressureError after maxBlockMs', async () => {
      const { kafka, call, metrics } = harness({
        durable: { timeoutMs },
        buffer: { maxEvents: 2, maxBlockMs: 300 },
      });
      const first = call(events(2));
      await advance(0);
      const waits = call(events(1));
      const givesUp = call(events(2));
      await advance(100);
      kafka.ack(0);
      await advance(0);
      expect(first.receipts).toHaveLength(2);
      await advance(300);
      expect(givesUp.error).toBeInstanceOf(BackpressureError);
      expect(metrics.backpressureRejections).toBe(1);
      // `waits` got room after ~100 ms; Kafka never answers its send.
      await advance(timeoutMs - 300 + 50);
      expect(waits.error).toBeInstanceOf(DurablePublishError);
      expect(waits.settledAt! - waits.acceptedAt).toBeLessThanOrEqual(300 + timeoutMs + 2);
      expect(waits.settledAt! - waits.acceptedAt).toBeGreaterThanOrEqual(100 + timeoutMs);
    });
  });

  describe('failures', () => {
    it('marks a refusal Kafka calls final as not retriable, resets the producer and logs the bare reason', async () => {
      const { kafka, call, warnings, pipeline } = harness();
      const outcome = call(events(2));
      await advance(0);
      const tooLarge = Object.assign(new Error('message too large'), { type: 'MESSAGE_TOO_LARGE', retriable: false });
      kafka.fail(0, Object.assign(new Error('gave up'), { retriable: false, originalError: tooLarge }));
      await advance(0);
      const error = outcome.error as DurablePublishError;
      expect(error).toMatchObject({ retriable: false, acknowledged: 0 });
      expect(error.reason).toBe('Kafka refused or did not acknowledge 2 event(s): gave up.');
      expect(error.message.startsWith(error.reason)).toBe(true);
      expect(warnings).toEqual([
        'DualStreamPublisher: 2 event(s) not acknowledged by Kafka: Kafka refused or did not acknowledge 2 event(s): gave up.',
      ]);
      expect(kafka.resets).toBe(1);
      expect(pipeline.kafkaError).toBe('gave up');
      expect(pipeline.isDrained).toBe(true);
    });

    it('counts events as skipped for realtime when there is no Redis lane', async () => {
      const kafka = new FakeKafka(true);
      const resolved = resolveDualStreamOptions({ kafka: { brokers: ['fake:9092'] }, redis: false, logger: false });
      const metrics = new PublisherMetrics();
      const pipeline = new PublishPipeline(
        resolved,
        metrics,
        kafka,
        undefined,
        new RequestSizeLimit(1_048_588, 'option'),
      );
      const receipts = pipeline.submit(events(2), 200);
      await advance(0);
      expect((await receipts).map((r) => r.realtime)).toEqual(['skipped', 'skipped']);
      expect(metrics.realtimeSkipped).toBe(2);
    });
  });
});
