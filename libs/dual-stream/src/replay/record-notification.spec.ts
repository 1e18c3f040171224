import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import { toNotification } from './record-notification.js';

const envelope = {
  id: 'e-1',
  type: 'order.created',
  source: { type: 'order', id: 'o-1' },
  time: '2026-01-01T00:00:00Z',
  data: { total: 3 },
  headers: {},
};
const record = (value: unknown): KafkaRecord =>
  ({
    key: Buffer.from('order:o-1'),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    offset: '41',
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaRecord;
const read = (value: unknown, inline = true) => toNotification(record(value), 'events.order', 3, inline, 1024);

describe('toNotification', () => {
  it('reads the notification the publisher would have sent, data inlined when asked and small enough', () => {
    const { data: _data, headers: _headers, ...fields } = envelope;
    const expected = { kind: 'event', ...fields, topic: 'events.order', partition: 3, offset: '41' };
    expect(read(envelope)).toEqual({ ...expected, data: { total: 3 } });
    expect(read(envelope, false)).toEqual(expected);
  });

  it.each([
    ['a null source.type', { ...envelope, source: { type: null, id: 'o-1' } }],
    ['a source that is a number', { ...envelope, source: 1 }],
    ['no time', { ...envelope, time: undefined }],
    ['no data', { ...envelope, data: undefined }],
    ['an empty id', { ...envelope, id: '' }],
    ['not JSON', '{"id":'],
    ['a tombstone', null],
  ])(
    'skips a record with %s, as handlers dead-letter it (never sends clients a half notification)',
    (_label, value) => {
      expect(read(value)).toBeUndefined();
    },
  );
});
