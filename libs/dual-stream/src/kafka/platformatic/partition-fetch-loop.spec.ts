import type { KafkaRecord } from '../kafka-port.interface.js';
import { PartitionFetchLoop, type BufferConsumer, type PartitionState } from './partition-fetch-loop.js';

interface FetchCall {
  node: number;
  maxWaitTime: number;
  partitions: { topicId: string; partition: number; fetchOffset: bigint }[];
  answer(error: Error | null, response?: unknown): void;
}

/** A consumer whose metadata says partition p of topic `t` is led by broker `leaders[p]`; fetches wait for `answer`. */
function fakeConsumer(leaders: number[]) {
  const calls: FetchCall[] = [];
  const consumer = {
    topics: { track: () => true },
    metadata: (_options: unknown, callback: (error: Error | null, metadata: unknown) => void) =>
      callback(null, { topics: new Map([['t', { id: 'id-t', partitions: leaders.map((leader) => ({ leader })) }]]) }),
    fetch: (
      options: {
        node: number;
        maxWaitTime: number;
        topics: { topicId: string; partitions: FetchCall['partitions'] }[];
      },
      callback: FetchCall['answer'],
    ) =>
      calls.push({
        node: options.node,
        maxWaitTime: options.maxWaitTime,
        partitions: options.topics.flatMap((t) => t.partitions.map((p) => ({ ...p, topicId: t.topicId }))),
        answer: callback,
      }),
  };
  return { consumer: consumer as unknown as BufferConsumer, calls };
}

/** A fetch response with `count` records of `partition` from `first` on. */
const response = (partition: number, first: bigint, count: number, errorCode = 0) => ({
  responses: [
    {
      topicId: 'id-t',
      partitions: [
        {
          partitionIndex: partition,
          errorCode,
          logStartOffset: 5n,
          highWatermark: 100n,
          records: count
            ? [
                {
                  firstOffset: first,
                  firstTimestamp: 0n,
                  lastOffsetDelta: count - 1,
                  attributes: 0,
                  records: Array.from({ length: count }, (_, i) => ({
                    offsetDelta: i,
                    timestampDelta: 0n,
                    key: null,
                    value: Buffer.from(`v${i}`),
                    headers: [],
                  })),
                },
              ]
            : null,
        },
      ],
    },
  ],
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

function loopOf(leaders: number[], maxWaitMs = 1000) {
  const { consumer, calls } = fakeConsumer(leaders);
  const delivered: { partition: number; offsets: string[]; fetchedOffset: bigint }[] = [];
  const errors: { error: Error; fatal: boolean }[] = [];
  const loop = new PartitionFetchLoop(
    consumer,
    { maxWaitMs },
    {
      onRecords: (state: PartitionState, records: KafkaRecord[], fetchedOffset: bigint) => {
        state.busy = true;
        delivered.push({ partition: state.partition, offsets: records.map((r) => r.offset), fetchedOffset });
      },
      onError: (error, fatal) => errors.push({ error, fatal }),
    },
  );
  return { loop, calls, delivered, errors };
}

describe('PartitionFetchLoop', () => {
  it('fetches every eligible partition of a broker in one request, one request in flight per broker', async () => {
    const { loop, calls } = loopOf([1, 1, 2]);
    loop.add('t', 0, 10n, false);
    loop.add('t', 1, 20n, false);
    loop.add('t', 2, 30n, false);
    loop.add('t', 3, undefined, false);
    await tick();
    expect(calls.map((c) => [c.node, c.partitions.map((p) => [p.partition, p.fetchOffset])])).toEqual([
      [
        1,
        [
          [0, 10n],
          [1, 20n],
        ],
      ],
      [2, [[2, 30n]]],
    ]);
    loop.schedule();
    await tick();
    expect(calls).toHaveLength(2);
    loop.stop();
  });

  it('hands over the records of each partition as one batch and reads its next batch ahead while it is handled', async () => {
    const { loop, calls, delivered } = loopOf([1]);
    const state = loop.add('t', 0, 3n, false);
    await tick();
    calls[0].answer(null, response(0, 2n, 4));
    await tick();
    expect(delivered).toEqual([{ partition: 0, offsets: ['3', '4', '5'], fetchedOffset: 3n }]);
    // The read-ahead: from where the batch ends, with a short wait so the partition is not held up.
    expect(calls).toHaveLength(2);
    expect(calls[1].partitions.map((p) => p.fetchOffset)).toEqual([6n]);
    expect(calls[1].maxWaitTime).toBe(10);
    calls[1].answer(null, response(0, 6n, 2));
    await tick();
    expect(delivered).toHaveLength(1);
    expect(calls).toHaveLength(2);
    state.offset = 6n;
    loop.release(state);
    expect(delivered[1]).toEqual({ partition: 0, offsets: ['6', '7'], fetchedOffset: 6n });
    await tick();
    expect(calls[2].partitions.map((p) => p.fetchOffset)).toEqual([8n]);
    loop.stop();
  });

  it('drops the read-ahead when the handler resolved less than its batch, and fetches from where it left off', async () => {
    const { loop, calls, delivered } = loopOf([1]);
    const state = loop.add('t', 0, 0n, false);
    await tick();
    calls[0].answer(null, response(0, 0n, 4));
    await tick();
    calls[1].answer(null, response(0, 4n, 2));
    await tick();
    state.offset = 2n;
    loop.release(state);
    expect(delivered).toHaveLength(1);
    await tick();
    expect(calls[2].partitions.map((p) => p.fetchOffset)).toEqual([2n]);
    calls[2].answer(null, response(0, 2n, 2));
    await tick();
    expect(delivered[1]).toMatchObject({ offsets: ['2', '3'], fetchedOffset: 2n });
    loop.stop();
  });

  it('hands over a read-ahead answered after its batch was released only if it starts at the released offset', async () => {
    const { loop, calls, delivered } = loopOf([1]);
    const state = loop.add('t', 0, 0n, false);
    await tick();
    calls[0].answer(null, response(0, 0n, 3));
    await tick();
    state.offset = 3n;
    loop.release(state);
    await tick();
    expect(calls).toHaveLength(2);
    calls[1].answer(null, response(0, 3n, 2));
    await tick();
    expect(delivered.map((d) => d.offsets)).toEqual([
      ['0', '1', '2'],
      ['3', '4'],
    ]);
    loop.stop();
  });

  it('drops a read-ahead held for a partition that is sought before its batch is released', async () => {
    const { loop, calls, delivered } = loopOf([1]);
    const state = loop.add('t', 0, 0n, false);
    await tick();
    calls[0].answer(null, response(0, 0n, 3));
    await tick();
    calls[1].answer(null, response(0, 3n, 2));
    await tick();
    loop.seek(state, 40n);
    loop.release(state);
    expect(delivered).toHaveLength(1);
    await tick();
    expect(calls[2].partitions.map((p) => p.fetchOffset)).toEqual([40n]);
    loop.stop();
  });

  it('drops the data of a partition sought or paused while its fetch was in flight', async () => {
    const { loop, calls, delivered } = loopOf([1]);
    const sought = loop.add('t', 0, 0n, false);
    const paused = loop.add('t', 1, 0n, false);
    await tick();
    loop.seek(sought, 50n);
    loop.setPaused(paused, true);
    calls[0].answer(null, {
      responses: [
        {
          topicId: 'id-t',
          partitions: [...response(0, 0n, 2).responses[0].partitions, ...response(1, 0n, 2).responses[0].partitions],
        },
      ],
    });
    await tick();
    expect(delivered).toEqual([]);
    expect(calls[1].partitions.map((p) => [p.partition, p.fetchOffset])).toEqual([[0, 50n]]);
    loop.stop();
  });

  it('bounds the wait of a fetch that leaves out a busy partition of the same broker', async () => {
    const { loop, calls } = loopOf([1, 1]);
    const busy = loop.add('t', 0, 0n, false);
    busy.busy = true;
    loop.add('t', 1, 0n, false);
    await tick();
    expect(calls[0].maxWaitTime).toBe(10);
    calls[0].answer(null, { responses: [] });
    busy.busy = false;
    await tick();
    expect(calls[1].maxWaitTime).toBe(1000);
    loop.stop();
  });

  it('goes on from the log start when the offset it asked for was deleted', async () => {
    const { loop, calls } = loopOf([1]);
    const state = loop.add('t', 0, 1n, false);
    await tick();
    const outOfRange = Object.assign(new Error('out of range'), { response: response(0, 0n, 0, 1) });
    calls[0].answer(outOfRange);
    await tick();
    expect(state.offset).toBe(5n);
    expect(calls[1].partitions[0].fetchOffset).toBe(5n);
    loop.stop();
  });

  it('retries after a retriable failure and stops for good after one that is not', async () => {
    const { loop, calls, errors } = loopOf([1]);
    loop.add('t', 0, 0n, false);
    await tick();
    calls[0].answer(Object.assign(new Error('ECONNREFUSED'), { code: 'PLT_KFK_NETWORK' }));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(errors.map((e) => [e.error.message, e.fatal])).toEqual([['ECONNREFUSED', false]]);
    expect(calls).toHaveLength(2);
    calls[1].answer(
      Object.assign(new Error('TOPIC_AUTHORIZATION_FAILED'), { apiId: 'TOPIC_AUTHORIZATION_FAILED', canRetry: false }),
    );
    await tick();
    expect(errors.at(-1)).toMatchObject({ fatal: true });
    loop.schedule();
    await tick();
    expect(calls).toHaveLength(2);
  });
});
