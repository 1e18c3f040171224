import { createTopic, createTopics, eventually, startOwnKafka, uniqueName, withAdmin } from '../support/infra.js';
import {
  KafkaPortError,
  keyPartition,
  portDriver,
  readRange,
  startMember,
  type GroupMember,
  type KafkaDriver,
  type KafkaDriverName,
} from '../support/kafka-drivers.js';

const topicName = (prefix: string) => `contract.${uniqueName(prefix)}`;
const text = (value: Buffer | string | null | undefined) => (value == null ? null : value.toString());

/**
 * What every Kafka driver must do, against the real broker. Written once; each driver's `*.int-spec.ts` runs it.
 * Kept to seconds per driver: one topic per concern, small record counts, no waiting on session timeouts.
 */
export function kafkaPortContract(name: KafkaDriverName): void {
  let driver: KafkaDriver;
  beforeAll(() => {
    driver = portDriver(name);
  });

  describe(`${name}: produce`, () => {
    const topic = topicName('produce');
    const keys = Array.from({ length: 8 }, (_, i) => `order:o-${i}`);
    const sent: { key: string; value: string; partition: number; offset: bigint }[] = [];

    beforeAll(async () => {
      await createTopic(topic, 3);
      const producer = driver.producer('publisher', 'publisher');
      await producer.connect();
      try {
        // Consecutive requests, as the publisher sends them (one in flight).
        for (let round = 0; round < 4; round++) {
          const records = Array.from({ length: 50 }, (_, i) => {
            const n = round * 50 + i;
            return { topic, key: keys[n % keys.length], value: `v${n}`, headers: { ce_id: `e${n}` } };
          });
          const positions = await producer.send(records, { timeoutMs: 10_000 });
          positions.forEach((p, i) =>
            sent.push({
              key: records[i].key,
              value: records[i].value,
              partition: p.partition,
              offset: BigInt(p.offset),
            }),
          );
        }
      } finally {
        await producer.disconnect();
      }
    });

    it('answers every record with its position: its key partition, offsets in send order per partition', () => {
      expect(sent).toHaveLength(200);
      for (const s of sent) expect(s.partition).toBe(keyPartition(s.key, 3));
      for (const partition of [0, 1, 2]) {
        const offsets = sent.filter((s) => s.partition === partition).map((s) => s.offset);
        expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
      }
    });

    it('wrote each record exactly once, at its position, key order kept (idempotent, acks=-1)', async () => {
      const admin = driver.admin('contract');
      await admin.connect();
      try {
        const offsets = await admin.topicOffsets(topic);
        expect(offsets.map((o) => o.partition).sort()).toEqual([0, 1, 2]);
        for (const { partition, low, high } of offsets) {
          const expected = sent.filter((s) => s.partition === partition);
          expect([low, high]).toEqual([0n, BigInt(expected.length)]);
          const read = await readRange(driver, topic, partition, low, high);
          expect(read.map((r) => [r.offset, text(r.key), text(r.value)])).toEqual(
            expected.map((s) => [s.offset.toString(), s.key, s.value]),
          );
          expect(read.every((r, i) => text(r.headers?.ce_id as Buffer) === `e${expected[i].value.slice(1)}`)).toBe(
            true,
          );
        }
      } finally {
        await admin.disconnect();
      }
    });

    it('replays a bounded range by seek: exactly (from, until), in order, nothing committed', async () => {
      const partition = keyPartition(keys[0], 3);
      const mine = sent.filter((s) => s.partition === partition);
      const from = 3n;
      const until = BigInt(mine.length - 2);
      const read = await readRange(driver, topic, partition, from, until);
      expect(read.map((r) => BigInt(r.offset))).toEqual(mine.slice(3, mine.length - 2).map((s) => s.offset));
      // Twice from the same place: reads never move anything.
      const again = await readRange(driver, topic, partition, from, from + 2n);
      expect(again.map((r) => text(r.value))).toEqual(mine.slice(3, 5).map((s) => s.value));
    });

    it('answers offsets by time and the partition count', async () => {
      const admin = driver.admin('contract');
      await admin.connect();
      try {
        expect(await admin.partitionCount(topic)).toBe(3);
        expect(await admin.partitionCount(topicName('absent'))).toBe(0);
        const future = await admin.offsetsAtTime(topic, Date.now() + 60_000);
        const offsets = await admin.topicOffsets(topic);
        for (const f of future) expect(f.offset).toBe(offsets.find((o) => o.partition === f.partition)!.high);
        const past = await admin.offsetsAtTime(topic, 0);
        for (const p of past) expect(p.offset).toBe(0n);
        expect(await admin.minBrokerConfig('message.max.bytes')).toBeGreaterThan(0);
        expect((await admin.describeCluster()).brokers).toBeGreaterThanOrEqual(1);
      } finally {
        await admin.disconnect();
      }
    });
  });

  describe(`${name}: consumer group`, () => {
    const members: GroupMember[] = [];
    afterEach(async () => {
      await Promise.all(members.splice(0).map((m) => m.stop().catch(() => undefined)));
    });

    async function produce(topic: string, values: string[]): Promise<void> {
      const producer = driver.producer('publisher', 'publisher');
      await producer.connect();
      try {
        await producer.send(
          values.map((value, i) => ({ topic, key: `k${i % 4}`, value })),
          { timeoutMs: 10_000 },
        );
      } finally {
        await producer.disconnect();
      }
    }

    it('delivers at least once: a failed record comes again, only finished records are committed', async () => {
      const topic = topicName('group');
      await createTopic(topic, 1);
      await produce(topic, ['a', 'b', 'boom', 'c']);
      const groupId = uniqueName('g');
      let failures = 0;
      const member = await startMember(driver, groupId, topic, (record) => {
        if (text(record.value) === 'boom' && failures++ === 0) throw new Error('handler failed');
      });
      members.push(member);
      await eventually(() => member.seen.filter((s) => text(s.record.value) === 'c').length === 1, 30_000);
      expect(member.seen.map((s) => text(s.record.value))).toEqual(['a', 'b', 'boom', 'boom', 'c']);
      const admin = driver.admin('contract');
      await admin.connect();
      try {
        await eventually(async () => (await admin.committedOffsets(groupId, topic)).get(0) === 4n, 10_000);
      } finally {
        await admin.disconnect();
      }
    });

    it('resumes after the last commit: a new member of the group gets what was not committed, nothing before', async () => {
      const topic = topicName('resume');
      await createTopic(topic, 1);
      await produce(topic, ['r0', 'r1', 'r2', 'r3', 'r4']);
      const groupId = uniqueName('g');
      // The first member "crashes" at r3: r3 and r4 are never committed.
      const first = await startMember(driver, groupId, topic, (record) => {
        if (['r3', 'r4'].includes(text(record.value)!)) throw new Error('down');
      });
      await eventually(() => first.seen.some((s) => text(s.record.value) === 'r3'), 30_000);
      await first.stop();
      const second = await startMember(driver, groupId, topic);
      members.push(second);
      await eventually(() => second.seen.length >= 2, 30_000);
      expect(second.seen.map((s) => text(s.record.value))).toEqual(['r3', 'r4']);
    });

    it('rebalances: a second member takes partitions, the first is told first and keeps only its own', async () => {
      const topic = topicName('rebalance');
      await createTopic(topic, 2);
      const groupId = uniqueName('g');
      const a = await startMember(driver, groupId, topic);
      members.push(a);
      expect(a.joins.at(-1)!.assignment[topic]?.sort()).toEqual([0, 1]);
      const b = await startMember(driver, groupId, topic);
      members.push(b);
      await eventually(() => a.joins.length >= 2 && a.joins.at(-1)!.assignment[topic]?.length === 1, 30_000);
      expect(a.rebalances).toBeGreaterThanOrEqual(1);
      const held = [...a.joins.at(-1)!.assignment[topic], ...b.joins.at(-1)!.assignment[topic]].sort();
      expect(held).toEqual([0, 1]);
      await produce(
        topic,
        Array.from({ length: 20 }, (_, i) => `x${i}`),
      );
      await eventually(() => a.seen.length + b.seen.length >= 20, 30_000);
      expect(new Set(a.seen.map((s) => s.partition))).toEqual(new Set(a.joins.at(-1)!.assignment[topic]));
      expect(new Set(b.seen.map((s) => s.partition))).toEqual(new Set(b.joins.at(-1)!.assignment[topic]));
    });
  });

  describe(`${name}: dead letters and typed errors`, () => {
    it('writes a dead letter with its key, value and every header (binary and repeated ones too)', async () => {
      const topic = topicName('dlq');
      await createTopic(topic, 1);
      const producer = driver.producer('dead-letter', 'server');
      await producer.connect();
      try {
        const [position] = await producer.send(
          [
            {
              topic,
              key: Buffer.from('order:o-1'),
              value: Buffer.from('{not json'),
              headers: { dlq_error_name: 'TypeError', bin: Buffer.from([0, 255, 1]), multi: ['one', 'two'] },
            },
          ],
          { timeoutMs: 10_000 },
        );
        expect(position).toEqual({ topic, partition: 0, offset: '0' });
      } finally {
        await producer.disconnect();
      }
      const [record] = await readRange(driver, topic, 0, 0n, 1n);
      expect(text(record.key)).toBe('order:o-1');
      expect(text(record.value)).toBe('{not json');
      expect(text(record.headers!.dlq_error_name as Buffer)).toBe('TypeError');
      expect(Buffer.from(record.headers!.bin as Buffer)).toEqual(Buffer.from([0, 255, 1]));
      expect((record.headers!.multi as Buffer[]).map((v) => text(v))).toEqual(['one', 'two']);
    });

    it('rejects with KafkaPortError: unknown-topic (retriable) for a topic that does not exist, and does not create it', async () => {
      const topic = topicName('missing');
      const producer = driver.producer('publisher', 'publisher');
      await producer.connect();
      try {
        const error = await producer.send([{ topic, key: 'k', value: 'v' }], { timeoutMs: 5000 }).catch((e) => e);
        expect(error).toBeInstanceOf(KafkaPortError);
        expect(error).toMatchObject({ kind: 'unknown-topic', retriable: true });
      } finally {
        await producer.disconnect();
      }
      const admin = driver.admin('contract');
      await admin.connect();
      try {
        expect(await admin.topicOffsets(topic).catch((e) => e)).toMatchObject({ kind: 'unknown-topic' });
        expect(await admin.listTopics()).not.toContain(topic);
      } finally {
        await admin.disconnect();
      }
    });

    it('rejects with KafkaPortError: refused (not retriable, with the Kafka code) for a record over the limit', async () => {
      const topic = topicName('small');
      await withAdmin((admin) =>
        admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }],
        }),
      );
      const producer = driver.producer('publisher', 'publisher');
      await producer.connect();
      try {
        const error = await producer
          .send([{ topic, key: 'k', value: 'x'.repeat(20_000) }], { timeoutMs: 5000 })
          .catch((e) => e);
        expect(error).toBeInstanceOf(KafkaPortError);
        expect(error).toMatchObject({ kind: 'refused', retriable: false, code: 'MESSAGE_TOO_LARGE' });
      } finally {
        await producer.disconnect();
      }
    });

    it('rejects with KafkaPortError: connection (retriable) when no broker answers', async () => {
      const dead = portDriver(name, ['127.0.0.1:1']);
      const admin = dead.admin('contract', {
        connectionTimeoutMs: 500,
        requestTimeoutMs: 500,
        retries: 0,
        silent: true,
      });
      const error = await admin.connect().catch((e) => e);
      expect(error).toBeInstanceOf(KafkaPortError);
      expect(error).toMatchObject({ kind: 'connection', retriable: true });
    });

    it('creates topics idempotently with the given partitions', async () => {
      const topic = topicName('create');
      await createTopics([topic, topic], 2);
      await createTopics([topic], 5);
      const admin = driver.admin('contract');
      await admin.connect();
      try {
        expect(await admin.partitionCount(topic)).toBe(2);
      } finally {
        await admin.disconnect();
      }
    });
  });
}

/**
 * The broker-kill part of the contract, for every driver in `names`, against ONE broker of its own that each
 * driver's test kills and restarts in turn: starting a broker is most of this part's cost, so it is paid once
 * for all drivers (one spec file) rather than once per driver.
 */
export function kafkaPortKillContract(names: readonly KafkaDriverName[]): void {
  describe('broker SIGKILLed and restarted', () => {
    let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
    beforeAll(async () => {
      kafka = await startOwnKafka();
    }, 120_000);
    afterAll(() => kafka?.stop());

    describe.each(names)('%s', (name) => {
      it('fails sends with a retriable KafkaPortError while down; after the restart a new producer and the group go on', async () => {
        const own = portDriver(name, kafka.brokers);
        const topic = topicName('kill');
        await createTopic(topic, 1, kafka.brokers);
        const groupId = uniqueName('g');
        const member = await startMember(own, groupId, topic);
        const producer = own.producer('publisher', 'publisher');
        await producer.connect();
        await producer.send([{ topic, key: 'k', value: 'before' }], { timeoutMs: 10_000 });
        await eventually(() => member.seen.length === 1, 30_000);
        await member.stop();

        await kafka.kill();
        const error = await producer.send([{ topic, key: 'k', value: 'down' }], { timeoutMs: 3000 }).catch((e) => e);
        expect(error).toBeInstanceOf(KafkaPortError);
        expect(error.retriable).toBe(true);
        await producer.disconnect().catch(() => undefined);

        await kafka.restart();
        const fresh = own.producer('publisher', 'publisher');
        await fresh.connect();
        try {
          await eventually(
            () =>
              fresh.send([{ topic, key: 'k', value: 'after' }], { timeoutMs: 5000 }).then(
                () => true,
                () => false,
              ),
            60_000,
            500,
          );
        } finally {
          await fresh.disconnect();
        }
        // The group's commit survived the crash: a new member starts after `before`.
        const again = await startMember(own, groupId, topic);
        try {
          await eventually(() => again.seen.some((s) => text(s.record.value) === 'after'), 30_000);
          expect(again.seen.map((s) => text(s.record.value))).not.toContain('before');
        } finally {
          await again.stop();
        }
      }, 180_000);
    });
  });
}
