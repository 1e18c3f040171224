#!/usr/bin/env node
// Standalone check that kafkajs 2.2.4 (unmaintained, predates Kafka 4.0 and the
// protocol versions KIP-896 removed) still does everything the project relies on.
//   node scripts/infra/kafkajs-compat.mjs [host:port,...]
// Uses KAFKA_BROKERS / the argument / 127.0.0.1:9092; if nothing answers it starts
// a throw-away broker on free ports and stops it afterwards. Exit 0 = all PASS.
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { isKafkaAnswering, startKafka } from './kafka-launcher.mjs';
import { muteKafkajsTimeoutWarning, sleep } from './proc.mjs';

muteKafkajsTimeoutWarning();

const STEP_TIMEOUT_MS = 30_000;
const FIRST_BATCH = 30;
const SECOND_BATCH = 10;

/** @template T @param {Promise<T>} p @param {string} what @returns {Promise<T>} */
function withTimeout(p, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let t;
  const timeout = new Promise(
    (_, reject) =>
      (t = setTimeout(() => reject(new Error(`${what}: timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS)),
  );
  return /** @type {Promise<T>} */ (Promise.race([p, timeout]).finally(() => clearTimeout(t)));
}

let failed = false;
/** @param {string} name @param {() => Promise<string | void>} fn @param {{ extra?: boolean }} [o] */
async function step(name, fn, { extra = false } = {}) {
  if (failed && !extra) {
    console.log(`SKIP ${name}`);
    return;
  }
  const t0 = Date.now();
  try {
    const info = await withTimeout(fn(), name);
    console.log(`PASS ${name} (${Date.now() - t0} ms)${info ? ` - ${info}` : ''}`);
  } catch (e) {
    const err = /** @type {Error & { type?: string, code?: number }} */ (e);
    const detail = [err.name, err.type, err.code].filter(Boolean).join('/');
    console.log(`${extra ? 'WARN' : 'FAIL'} ${name}: ${err.message} [${detail}]`);
    if (!extra) failed = true;
  }
}

let brokers = (process.argv[2] ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
/** @type {import('./kafka-launcher.mjs').KafkaHandle | undefined} */
let ownBroker;
if (!(await isKafkaAnswering(brokers, 3000))) {
  console.log(`no broker answers on ${brokers.join(',')}; starting a temporary one`);
  ownBroker = await startKafka({ port: 0, log: (m) => console.log(`  ${m}`) });
  brokers = ownBroker.brokers;
}

const kafka = new Kafka({ clientId: 'kafkajs-compat', brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
const admin = kafka.admin();
const topic = `kafkajs-compat-${Date.now()}`;
const groupId = `${topic}-group`;
/** @type {Map<string, number>} key -> partition, to check keyed partitioning is stable */
const keyPartition = new Map();

/** @param {number} from @param {number} count */
async function produce(from, count) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const messages = Array.from({ length: count }, (_, i) => ({
      key: `key-${(from + i) % 7}`,
      value: `msg-${from + i}`,
    }));
    const meta = await producer.send({ topic, acks: -1, messages });
    return meta;
  } finally {
    await producer.disconnect();
  }
}

/**
 * Joins the group, consumes until `count` messages arrived, commits them explicitly
 * (autoCommit off, as the project does), then lingers briefly to catch strays.
 * @param {number} count
 */
async function consumeAndCommit(count) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  /** @type {{ partition: number, offset: string, key: string, value: string }[]} */
  const got = [];
  let joined = '';
  consumer.on(consumer.events.GROUP_JOIN, ({ payload: p }) => {
    joined = `joined in ${p.duration} ms (protocol ${p.groupProtocol}, partitions ${JSON.stringify(p.memberAssignment[topic] ?? [])})`;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            got.push({ partition, offset: message.offset, key: String(message.key), value: String(message.value) });
            await consumer.commitOffsets([{ topic, partition, offset: String(BigInt(message.offset) + 1n) }]);
            if (got.length >= count) resolve(undefined);
          },
        })
        .catch(reject);
    });
    await sleep(1500);
  } finally {
    await consumer.disconnect();
  }
  return { got, joined };
}

try {
  await step('admin connect + describeCluster', async () => {
    await admin.connect();
    const c = await admin.describeCluster();
    return `${c.brokers.length} broker(s), controller ${c.controller}, cluster ${c.clusterId}`;
  });

  await step('admin createTopics (3 partitions)', async () => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const [md] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    if (!created || md.partitions.length !== 3) throw new Error(`expected 3 partitions, got ${md.partitions.length}`);
    return topic;
  });

  await step(`idempotent producer send ${FIRST_BATCH} keyed messages, acks=-1`, async () => {
    const meta = await produce(0, FIRST_BATCH);
    const parts = new Set(meta.map((m) => m.partition));
    return `acked by partitions ${[...parts].sort().join(',')}`;
  });

  let firstValues = new Set();
  await step(`consumer group join/subscribe/consume ${FIRST_BATCH}/commit`, async () => {
    const { got, joined } = await consumeAndCommit(FIRST_BATCH);
    for (const m of got) {
      if (keyPartition.has(m.key) && keyPartition.get(m.key) !== m.partition) {
        throw new Error(`key ${m.key} seen on two partitions`);
      }
      keyPartition.set(m.key, m.partition);
    }
    if (got.length !== FIRST_BATCH) throw new Error(`expected ${FIRST_BATCH} messages, got ${got.length}`);
    firstValues = new Set(got.map((m) => m.value));
    if (firstValues.size !== FIRST_BATCH) throw new Error('duplicates in first batch');
    return `${joined}; ${got.length} messages, keys stick to partitions`;
  });

  await step(`restarted consumer resumes after committed offset (${SECOND_BATCH} new)`, async () => {
    await produce(FIRST_BATCH, SECOND_BATCH);
    const { got } = await consumeAndCommit(SECOND_BATCH);
    const replayed = got.filter((m) => firstValues.has(m.value));
    if (replayed.length > 0) throw new Error(`re-delivered ${replayed.length} already committed messages`);
    if (got.length !== SECOND_BATCH) throw new Error(`expected ${SECOND_BATCH} messages, got ${got.length}`);
    return `got exactly msg-${FIRST_BATCH}..msg-${FIRST_BATCH + SECOND_BATCH - 1}, nothing replayed`;
  });

  await step('admin fetchOffsets == high watermarks', async () => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const sum = committed.partitions.reduce((s, p) => s + Number(p.offset), 0);
    for (const p of committed.partitions) {
      const hw = ends.find((e) => e.partition === p.partition)?.high;
      if (hw !== p.offset) throw new Error(`partition ${p.partition}: committed ${p.offset}, high watermark ${hw}`);
    }
    if (sum !== FIRST_BATCH + SECOND_BATCH) throw new Error(`committed offsets sum to ${sum}`);
    return committed.partitions.map((p) => `p${p.partition}=${p.offset}`).join(' ');
  });

  // Not required by the project today; reported so nobody has to rediscover it.
  await step(
    'transactional producer send + commit',
    async () => {
      const producer = kafka.producer({
        transactionalId: `${topic}-tx`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      try {
        const tx = await producer.transaction();
        await tx.send({ topic, messages: [{ key: 'tx', value: 'in-transaction' }] });
        await tx.commit();
      } finally {
        await producer.disconnect();
      }
    },
    { extra: true },
  );

  await step('admin deleteTopics', async () => {
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    for (let i = 0; i < 20 && (await admin.listTopics()).includes(topic); i++) await sleep(250);
    if ((await admin.listTopics()).includes(topic)) throw new Error('topic still listed');
  });
} finally {
  await admin.disconnect().catch(() => {});
  if (ownBroker) await ownBroker.stop();
}

console.log(failed ? 'RESULT: FAIL' : 'RESULT: PASS');
process.exit(failed ? 1 : 0);
