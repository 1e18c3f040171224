import type { RecordsBatch } from '@platformatic/kafka';
import { keyPartition } from '../key-partition.js';
import { decodeBatches, positionsOf, toMessages } from './platformatic-records.js';

const batch = (firstOffset: bigint, records: Partial<RecordsBatch['records'][number]>[], attributes = 0) =>
  ({
    firstOffset,
    firstTimestamp: 1_000n,
    lastOffsetDelta: records.length - 1,
    attributes,
    records: records.map((r, i) => ({
      offsetDelta: i,
      timestampDelta: BigInt(i),
      key: null,
      value: null,
      headers: [],
      ...r,
    })),
  }) as unknown as RecordsBatch;

describe('platformatic records', () => {
  it("places keyed records on keyPartition (the Java client's murmur2), unkeyed ones round-robin", () => {
    const counts = new Map([
      ['a', 3],
      ['b', 7],
    ]);
    const keys = Array.from({ length: 50 }, (_, i) => `order:o-${i}`);
    const messages = toMessages(
      keys.map((key, i) => ({ topic: i % 2 ? 'a' : 'b', key, value: 'v' })),
      counts,
      new Map(),
    );
    messages.forEach((m, i) => expect(m.partition).toBe(keyPartition(keys[i], i % 2 ? 3 : 7)));
    const roundRobin = new Map<string, number>();
    const unkeyed = toMessages(
      Array.from({ length: 4 }, () => ({ topic: 'a', key: null, value: null })),
      counts,
      roundRobin,
    );
    expect(unkeyed.map((m) => m.partition)).toEqual([0, 1, 2, 0]);
    expect(unkeyed[0]).toMatchObject({ key: undefined, value: undefined });
  });

  it('writes a repeated header once per value, in order, and strings as bytes', () => {
    const [message] = toMessages(
      [{ topic: 'a', key: 'k', value: 'v', headers: { one: 'x', multi: ['1', Buffer.from('2')] } }],
      new Map([['a', 1]]),
      new Map(),
    );
    const headers = [...(message.headers as Map<Buffer, Buffer>)].map(([k, v]) => [k.toString(), v.toString()]);
    expect(headers).toEqual([
      ['one', 'x'],
      ['multi', '1'],
      ['multi', '2'],
    ]);
    expect(Buffer.isBuffer(message.key)).toBe(true);
  });

  it("answers each record's position: its partition's base offset plus its index there", () => {
    const messages = [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
      { topic: 'a', partition: 0 },
    ];
    const positions = positionsOf(messages, [
      { topic: 'a', partition: 0, offset: 10n },
      { topic: 'a', partition: 1, offset: 5n },
      { topic: 'b', partition: 0, offset: 0n },
    ]);
    expect(positions).toEqual([
      { topic: 'a', partition: 0, offset: '10' },
      { topic: 'a', partition: 1, offset: '5' },
      { topic: 'b', partition: 0, offset: '0' },
      { topic: 'a', partition: 0, offset: '11' },
    ]);
    expect(() => positionsOf([{ topic: 'c', partition: 0 }], [])).toThrow(/no record batch for c\[0\]/);
  });

  it('decodes from the asked offset on, skips transaction markers, collects repeated headers', () => {
    const h = (k: string, v: string): [Buffer, Buffer] => [Buffer.from(k), Buffer.from(v)];
    const decoded = decodeBatches(
      [
        batch(8n, [{ key: Buffer.from('early') }, { key: Buffer.from('k'), headers: [h('m', '1'), h('m', '2')] }]),
        batch(10n, [{}], 0b10_0000),
        batch(11n, [{ value: Buffer.from('v') }]),
      ],
      9n,
    );
    expect(decoded.nextOffset).toBe(12n);
    expect(decoded.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      ['9', 'k', null],
      ['11', null, 'v'],
    ]);
    expect((decoded.records[0].headers!.m as Buffer[]).map(String)).toEqual(['1', '2']);
    expect(decoded.records[0].timestamp).toBe('1001');
    expect(decodeBatches(undefined, 0n)).toEqual({ records: [], nextOffset: undefined });
  });

  it('keeps offsets past 2^53 exact', () => {
    const big = 2n ** 60n;
    const decoded = decodeBatches([batch(big, [{}, {}, {}])], big + 1n);
    expect(decoded.records.map((r) => r.offset)).toEqual([(big + 1n).toString(), (big + 2n).toString()]);
    expect(decoded.nextOffset).toBe(big + 3n);
  });
});
