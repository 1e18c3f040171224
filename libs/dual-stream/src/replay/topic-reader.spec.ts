import type { LoggerService } from '@nestjs/common';
import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import { KafkajsTopicFetcher } from '../kafka/kafkajs/kafkajs-topic-fetcher.js';
import type { PartitionReadRequest } from './partition-read.js';
import { TopicReader } from './topic-reader.js';

const TOPIC = 'events.t';
const PARTITIONS = [0, 1, 2];

/** What kafkajs hands to `eachBatch` (the fields the fetcher reads). */
type EachBatchPayload = { batch: { topic: string; partition: number; messages: KafkaRecord[]; fetchedOffset: string } };

/**
 * kafkajs' consumer as the reader (through the kafkajs fetcher) uses it, with the fetch loop driven by the test: `fetchRound()` does what one
 * iteration of kafkajs' fetcher does (apply pending seeks, fetch every resumed partition, hand each batch to
 * `eachBatch`, auto-resolve past its last record) and reports whether `eachBatch` returned.
 */
class FakeConsumer {
  readonly events = { GROUP_JOIN: 'join', CRASH: 'crash' };
  readonly paused = new Set<number>();
  private readonly seeks = new Map<number, bigint>();
  private readonly positions = new Map<number, bigint>();
  private readonly listeners = new Map<string, ((event: unknown) => void)[]>();
  private eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  disconnected = false;

  constructor(private readonly log: Map<number, KafkaRecord[]>) {}

  on(event: string, listener: (event: unknown) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }): Promise<void> {
    this.eachBatch = eachBatch;
    this.join();
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
  /** A (re)join: kafkajs hands the partitions out unpaused and forgets positions. */
  join(): void {
    this.paused.clear();
    this.positions.clear();
    for (const listener of this.listeners.get('join') ?? []) {
      listener({ payload: { memberAssignment: { [TOPIC]: PARTITIONS } } });
    }
  }
  pause(topics: { topic: string; partitions: number[] }[]): void {
    for (const p of topics[0]!.partitions) this.paused.add(p);
  }
  resume(topics: { topic: string; partitions: number[] }[]): void {
    for (const p of topics[0]!.partitions) this.paused.delete(p);
  }
  seek({ partition, offset }: { partition: number; offset: string }): void {
    this.seeks.set(partition, BigInt(offset));
  }

  async fetchRound(maxRecords = 4): Promise<{ batches: number; eachBatchReturned: boolean }> {
    let batches = 0;
    for (const partition of PARTITIONS) {
      if (this.paused.has(partition)) continue;
      const seek = this.seeks.get(partition);
      this.seeks.delete(partition);
      const from = seek ?? this.positions.get(partition) ?? BigInt(this.log.get(partition)?.length ?? 0);
      const messages = (this.log.get(partition) ?? []).slice(Number(from), Number(from) + maxRecords);
      if (messages.length === 0) continue;
      batches++;
      const batch = { topic: TOPIC, partition, messages, fetchedOffset: from.toString() };
      const returned = await Promise.race([
        this.eachBatch!({ batch } as unknown as EachBatchPayload).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
      ]);
      if (!returned) return { batches, eachBatchReturned: false };
      this.positions.set(partition, BigInt(messages.at(-1)!.offset) + 1n);
    }
    return { batches, eachBatchReturned: true };
  }
}

function logOf(records: number): Map<number, KafkaRecord[]> {
  const log = new Map<number, KafkaRecord[]>();
  for (const p of PARTITIONS) {
    log.set(
      p,
      Array.from({ length: records }, (_, i) => ({
        offset: String(i),
        key: Buffer.from(i % 2 === 0 ? 'k:even' : 'k:odd'),
        value: Buffer.from(`p${p}-r${i}`),
      })) as KafkaRecord[],
    );
  }
  return log;
}

const silent: LoggerService = { log: () => undefined, warn: () => undefined, error: () => undefined };

function setup(records = 40, maxBufferedBytes = 1 << 20) {
  const consumer = new FakeConsumer(logOf(records));
  const kafka = { consumer: () => consumer } as never;
  const fetcher = new KafkajsTopicFetcher(kafka, TOPIC, { maxWaitMs: 10, groupPrefix: 'test' });
  const reader = new TopicReader(fetcher, TOPIC, { maxBufferedBytes }, silent);
  return { consumer, reader };
}

type Request = PartitionReadRequest<string>;

function request(partition: number, from: number, until: number, onItems: Request['onItems']): Request {
  return {
    partition,
    fromExclusive: BigInt(from),
    untilExclusive: BigInt(until),
    select: (record) => record.value!.toString(),
    onItems,
    maxScanned: 1000,
    deadline: Date.now() + 60_000,
  };
}

/** Lets reads that were handed records run their delivery loop. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Fetch rounds until `done()` or `rounds` ran; every `eachBatch` must return without waiting for a client. */
async function fetchUntil(consumer: FakeConsumer, done: () => boolean, rounds = 50): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) {
    const { eachBatchReturned } = await consumer.fetchRound();
    expect(eachBatchReturned).toBe(true);
    await settle();
  }
}

describe('TopicReader', () => {
  it('starts with every partition paused, reads a range in order and pauses its partition after', async () => {
    const { consumer, reader } = setup();
    const got: string[] = [];
    const result = reader.read(request(1, 4, 15, (items) => void got.push(...items)));
    await settle();
    expect([...consumer.paused].sort()).toEqual([0, 2]);
    let ended = false;
    void result.then(() => (ended = true));
    await fetchUntil(consumer, () => ended);
    expect(await result).toEqual({ scanned: 10, complete: true });
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `p1-r${i + 5}`));
    expect(consumer.paused.has(1)).toBe(true);
    expect(reader.activeReads).toBe(0);
  });

  it('never waits for a client in eachBatch: a stuck read parks and others of its partition and broker go on', async () => {
    const { consumer, reader } = setup(400, 12);
    let stuckPages = 0;
    // A client that never takes its first page: it only gives up when its read is cancelled.
    const stuck = new AbortController();
    const stuckRead = reader.read({
      ...request(0, -1, 400, (_items, stop) => {
        stuckPages++;
        return new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve()));
      }),
      signal: stuck.signal,
    });
    await settle();
    const sameGot: string[] = [];
    const otherGot: string[] = [];
    const same = reader.read(request(0, 389, 400, (items) => void sameGot.push(...items)));
    const other = reader.read(request(2, 9, 20, (items) => void otherGot.push(...items)));
    let ended = 0;
    void Promise.all([same, other]).then(() => (ended = 2));
    await fetchUntil(consumer, () => ended === 2);
    expect(await same).toEqual({ scanned: 10, complete: true });
    expect(await other).toEqual({ scanned: 10, complete: true });
    expect(sameGot).toEqual(Array.from({ length: 10 }, (_, i) => `p0-r${390 + i}`));
    expect(otherGot).toEqual(Array.from({ length: 10 }, (_, i) => `p2-r${10 + i}`));
    // The stuck read holds one page and a full buffer (12 bytes: two records), and its partition is paused.
    expect(stuckPages).toBe(1);
    expect(consumer.paused.has(0)).toBe(true);
    expect(reader.activeReads).toBe(1);

    stuck.abort();
    expect(await stuckRead).toEqual({ scanned: expect.any(Number), complete: false, reason: 'cancelled' });
    expect(reader.activeReads).toBe(0);
    expect(reader.busy).toBe(false);
  });

  it('serves a parked read again once its client took the buffer', async () => {
    const { consumer, reader } = setup(40, 12);
    const got: string[] = [];
    let release!: () => void;
    const read = reader.read(
      request(0, -1, 40, (items) => {
        got.push(...items);
        return new Promise<void>((resolve) => (release = resolve));
      }),
    );
    await fetchUntil(consumer, () => consumer.paused.has(0) && got.length > 0, 5);
    let ended = false;
    void read.then(() => (ended = true));
    for (let i = 0; i < 100 && !ended; i++) {
      release();
      await settle();
      await consumer.fetchRound();
      await settle();
    }
    expect(await read).toEqual({ scanned: 40, complete: true });
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => `p0-r${i}`));
  });

  it('keeps only what `select` returns and stops at the scan limit or the deadline', async () => {
    const { consumer, reader } = setup();
    const got: string[] = [];
    const limited = reader.read({
      ...request(0, -1, 40, (items) => void got.push(...items)),
      select: (record) => (record.key!.toString() === 'k:even' ? record.value!.toString() : undefined),
      maxScanned: 6,
    });
    let ended = false;
    void limited.then(() => (ended = true));
    await fetchUntil(consumer, () => ended);
    expect(await limited).toEqual({ scanned: 6, complete: false, reason: 'scan-limit' });
    expect(got).toEqual(['p0-r0', 'p0-r2', 'p0-r4']);

    const late = await reader.read({ ...request(1, -1, 40, () => undefined), deadline: Date.now() + 20 });
    expect(late).toEqual({ scanned: 0, complete: false, reason: 'timeout' });
    expect(consumer.paused.has(1)).toBe(true);
  });

  it('ends a read whose page could not be delivered as an error, not as complete', async () => {
    const { consumer, reader } = setup();
    const read = reader.read(
      request(0, -1, 40, () => {
        throw new Error('socket gone');
      }),
    );
    let ended = false;
    void read.then(() => (ended = true));
    await fetchUntil(consumer, () => ended);
    expect(await read).toMatchObject({ complete: false, reason: 'error', error: 'socket gone' });
  });

  it('pauses every partition again after a rejoin and takes the reads in progress up where they were', async () => {
    const { consumer, reader } = setup(40);
    const got: string[] = [];
    const read = reader.read(request(2, -1, 40, (items) => void got.push(...items)));
    await settle();
    await consumer.fetchRound();
    await settle();
    consumer.join();
    expect([...consumer.paused].sort()).toEqual([0, 1]);
    let ended = false;
    void read.then(() => (ended = true));
    await fetchUntil(consumer, () => ended);
    expect(await read).toEqual({ scanned: 40, complete: true });
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => `p2-r${i}`));
  });

  it('ends the reads in progress on close', async () => {
    const { consumer, reader } = setup();
    const read = reader.read(request(0, -1, 40, () => undefined));
    await settle();
    await reader.close();
    expect(await read).toMatchObject({ complete: false, reason: 'cancelled' });
    expect(consumer.disconnected).toBe(true);
  });
});
