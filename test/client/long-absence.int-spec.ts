import {
  catchUpFrom,
  connect,
  type ChannelEvent,
  type DeliveryInfo,
  type DualStreamClient,
  type FetchRecent,
  type FetchRecentRequest,
  type ResetInfo,
} from '@dual-stream/client';
import { channelFor, sourcePartition, type EventSource } from '@dual-stream/nestjs';
import { eventually, sleep, testKafka, uniqueName } from '../support/infra.js';
import { publisherRecord } from '../support/publisher-records.js';
import { SdkStack, type Receipt } from './support/sdk-stack.js';

/** Above the gateway's `replay.maxRecordsScanned` (100,000): the gateway must refuse the resume. */
const OTHER_RECORDS = 150_000;
const MISSED = 50;
const BATCH = 1000;

/**
 * Writes `others` records of other sources and `own` of `source` onto `partition`, the own ones spread evenly
 * among the others, in the publisher's record format (straight to Kafka: a publisher would take minutes).
 * Returns the ids of the own events in partition order.
 */
async function passRecords(
  topic: string,
  partition: number,
  source: EventSource,
  others: number,
  own: number,
): Promise<string[]> {
  const neighbours: EventSource[] = [];
  for (let i = 0; neighbours.length < 100; i++) {
    const candidate = { type: source.type, id: `neighbour-${i}` };
    if (sourcePartition(candidate, 3) === partition) neighbours.push(candidate);
  }
  const every = Math.floor(others / own);
  const ownIds: string[] = [];
  const producer = testKafka().producer();
  await producer.connect();
  try {
    let batch: ReturnType<typeof publisherRecord>['message'][] = [];
    for (let n = 0; n < others; n++) {
      const neighbour = neighbours[n % neighbours.length]!;
      batch.push(publisherRecord({ type: 'order.updated', source: neighbour, data: { n } }).message);
      if (n % every === every / 2 && ownIds.length < own) {
        const record = publisherRecord({ type: 'order.updated', source, data: { missed: ownIds.length } });
        ownIds.push(record.id);
        batch.push(record.message);
      }
      if (batch.length >= BATCH || n === others - 1) {
        await producer.send({ topic, acks: -1, messages: batch.map((m) => ({ ...m, partition })) });
        batch = [];
      }
    }
  } finally {
    await producer.disconnect();
  }
  return ownIds;
}

describe('@dual-stream/client: a long absence, against the real gateway, consumer, Kafka and Redis', () => {
  const stack = new SdkStack();
  let client: DualStreamClient | undefined;

  beforeAll(() => stack.start(['gateway', 'consumer', 'ingester']), 240_000);
  afterAll(async () => {
    client?.close();
    await stack.stop();
  }, 60_000);

  it('ends with exactly the events it missed, in order, no duplicate (gateway refused, read model filled), then live', async () => {
    const source = { type: 'order', id: uniqueName('phone') };
    const channel = channelFor('', source);
    const token = await stack.token([source]);
    let tokensAsked = 0;
    const getToken = async () => {
      tokensAsked++;
      return token;
    };
    const reads: FetchRecentRequest[] = [];
    const readModel = catchUpFrom(stack.url('consumer'), { getToken });
    const fetchRecent: FetchRecent = (request) => {
      reads.push(request);
      return readModel(request);
    };
    const received: { id: string; offset: string; origin: DeliveryInfo['origin'] }[] = [];
    const resets: ResetInfo[] = [];
    const errors: Error[] = [];

    // Before: the read model has the first events; the phone joins mid-stream, then gets live ones.
    const first = await stack.publish(source, 5, 'before');
    await eventually(async () => (await stack.projected(source, token)) === 5, 60_000, 200);
    client = connect({
      url: stack.url('gateway'),
      getToken,
      reconnectDelayMs: 200,
      reconnectDelayMaxMs: 1000,
      fillTimeoutMs: 240_000,
      socketOptions: { transports: ['websocket'] },
    });
    client.on('error', (err) => errors.push(err));
    client.joinMidStream(channel, fetchRecent, {
      onEvent: (event: ChannelEvent, info) =>
        received.push({ id: event.id, offset: event.offset, origin: info.origin }),
      onReset: (info) => resets.push(info),
    });
    await eventually(() => received.length === 5 && client!.status === 'live', 30_000);
    expect(received.every((r) => r.origin === 'read-model')).toBe(true);
    const live = await stack.publish(source, 3, 'live');
    await eventually(() => received.length === 8, 30_000);

    // Away: the phone's gateway goes down; 150,000 records of other sources pass on its partition, 50 of its own.
    await stack.down('gateway');
    await eventually(() => client!.status === 'offline', 30_000);
    const partition = first[0]!.partition;
    expect(sourcePartition(source, 3)).toBe(partition);
    const missed = await passRecords(stack.topic, partition, source, OTHER_RECORDS, MISSED);
    const readsBefore = reads.length;

    // Back: another gateway instance at the same address. The SDK resubscribes from its last delivered event.
    await stack.up('gateway');
    await eventually(() => received.length >= 8 + MISSED && client!.status === 'live', 300_000, 250);
    const after = await stack.publish(source, 3, 'after');
    await eventually(() => received.length >= 8 + MISSED + 3, 30_000);
    await sleep(500); // a duplicate would arrive now

    const ids = (receipts: Receipt[]) => receipts.map((r) => r.id);
    expect(received.map((r) => r.id)).toEqual([...ids(first), ...ids(live), ...missed, ...ids(after)]);
    const offsets = received.map((r) => BigInt(r.offset));
    expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)).toBe(true);
    expect(resets).toEqual([]);
    // The gateway refused the resume (its scan limit), the read model filled the rest, live after that.
    expect(await stack.metric('gateway', 'dual_stream_hub_replays_not_recovered_total')).toBeGreaterThanOrEqual(1);
    const gapOrigins = received.slice(8, 8 + MISSED).map((r) => r.origin);
    expect(gapOrigins).toContain('read-model');
    expect(received.slice(-3).every((r) => r.origin === 'gateway')).toBe(true);
    expect(reads.length).toBeGreaterThan(readsBefore);
    expect(reads[readsBefore]!.after).toEqual({
      topic: stack.topic,
      partition,
      offset: (BigInt(live[2]!.offset) - 1n).toString(),
    });
    expect(tokensAsked).toBeGreaterThanOrEqual(3); // connect, reconnect, catch-up reads
    expect(client.metrics().reconnects).toBeGreaterThanOrEqual(1);
    expect(errors.filter((e) => e.name !== 'CatchUpRequestError')).toEqual([]);
  }, 480_000);
});
