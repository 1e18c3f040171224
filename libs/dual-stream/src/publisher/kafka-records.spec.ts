import { createRequire } from 'node:module';
import { prepareEvent } from '../events/event-validator.js';
import { sourceKey } from '../events/event-naming.js';
import type { PendingEvent } from './pending-group.js';
import { recordBytes, recordHeaders } from './kafka-records.js';
import { notificationJson } from './realtime-notification.js';

const pending = (topic: string, id: string, key: string): PendingEvent => ({
  topic,
  key,
  channel: `events:${key}`,
  prepared: {
    event: {
      id,
      type: 'tick',
      source: { type: 'order', id: key },
      time: '2026-01-01T00:00:00.000Z',
      data: { big: 'x'.repeat(50) },
      headers: { traceparent: 'tp' },
    },
    json: `{"id":"${id}"}`,
    bytes: 10,
  },
  recordBytes: 100,
});

/** kafkajs' own v2 record encoder: what `recordBytes` must never underestimate. */
const encodeRecord = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/record/v0') as (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: string;
  value: string;
  headers: Record<string, string>;
}) => { buffer: Buffer };

describe('kafka records', () => {
  it('adds CloudEvents headers next to the user headers', () => {
    expect(recordHeaders(pending('t', 'e1', 'k'))).toEqual({
      traceparent: 'tp',
      ce_specversion: '1.0',
      ce_id: 'e1',
      ce_type: 'tick',
      ce_source: 'order/k',
      ce_time: '2026-01-01T00:00:00.000Z',
    });
  });

  it.each([
    ['a small event', { type: 'tick', source: { type: 'order', id: 'o-1' }, data: null }],
    [
      'unicode ids, user headers and a 100 kB value',
      {
        id: 'evt-1',
        type: 'order.created',
        source: { type: 'order', id: 'ké-ü-€-𝄞'.repeat(20) },
        time: '2026-01-01T00:00:00.123456789+01:00',
        data: { text: 'ü€'.repeat(50_000) },
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-ü': '€'.repeat(300) },
      },
    ],
  ])('sizes the record of %s at or just above what kafkajs encodes', (_label, input) => {
    const prepared = prepareEvent(input, 10_000_000);
    const key = sourceKey(prepared.event.source);
    const estimate = recordBytes({ prepared, key });
    const headers = recordHeaders({ prepared, key } as PendingEvent);
    for (const [offsetDelta, timestampDelta] of [
      [0, 0],
      [499, 3],
      [2 ** 31 - 1, 2 ** 40],
    ]) {
      const { length } = encodeRecord({ offsetDelta, timestampDelta, key, value: prepared.json, headers }).buffer;
      expect(estimate).toBeGreaterThanOrEqual(length);
      expect(estimate - length).toBeLessThanOrEqual(17);
    }
  });

  it('builds notifications without data unless inlining is on and data is small', () => {
    const p = pending('t', 'e1', 'k');
    const position = { topic: 't', partition: 1, offset: '7' };
    const plain = JSON.parse(notificationJson(p, position, false, 4096));
    expect(plain).toEqual({
      kind: 'event',
      id: 'e1',
      type: 'tick',
      source: { type: 'order', id: 'k' },
      time: '2026-01-01T00:00:00.000Z',
      topic: 't',
      partition: 1,
      offset: '7',
    });
    expect(JSON.parse(notificationJson(p, position, true, 4096)).data).toEqual({ big: 'x'.repeat(50) });
    expect(JSON.parse(notificationJson(p, position, true, 20))).not.toHaveProperty('data');
  });

  it('gives the same text as JSON.stringify of the notification, escaping free-form ids and topics', () => {
    const p = pending('tö"pic\\x', 'e"\\1', 'ké"y\u2028');
    const position = { topic: p.topic, partition: 2, offset: '123456789012' };
    const { event } = p.prepared;
    const expected = {
      kind: 'event',
      id: event.id,
      type: event.type,
      source: event.source,
      time: event.time,
      ...position,
    };
    expect(notificationJson(p, position, false, 4096)).toBe(JSON.stringify(expected));
    expect(notificationJson(p, position, true, 4096)).toBe(JSON.stringify({ ...expected, data: event.data }));
  });
});
