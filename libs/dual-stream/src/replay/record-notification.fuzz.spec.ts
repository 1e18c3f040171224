import fc from 'fast-check';
import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import { fuzzParameters, hostileString, outcomeOf, recordValue } from '../../../../test/support/fuzz-arbitraries.js';
import { parseEnvelope } from '../transport/envelope-parser.js';
import { toNotification } from './record-notification.js';

const record = fc.record({
  key: fc.oneof(
    hostileString().map((k) => Buffer.from(k)),
    fc.constant(null),
  ),
  value: recordValue,
  offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
  timestamp: fc.constant('1767225600000'),
  attributes: fc.constant(0),
  headers: fc.constant({}),
});

describe('replay record reader (fuzz)', () => {
  it('reads a notification from exactly the records handlers accept as envelopes, and skips the rest; never throws', () => {
    fc.assert(
      fc.property(record, fc.boolean(), fc.integer({ min: 0, max: 200 }), (message, inline, maxInline) => {
        const outcome = outcomeOf(() => toNotification(message as KafkaRecord, 'events.order', 3, inline, maxInline));
        expect(outcome.ok).toBe(true);
        const notification = outcome.ok ? outcome.value : undefined;
        // One parser per kind: a replay and a handler agree on what a record holds.
        const envelope = outcomeOf(() => parseEnvelope(message.value));
        expect(notification !== undefined).toBe(envelope.ok);
        if (!notification || !envelope.ok) return;
        const { id, type, source, time, data } = envelope.value;
        const dataFits = inline && data !== undefined && Buffer.byteLength(JSON.stringify(data)) <= maxInline;
        expect(notification).toEqual({
          kind: 'event',
          id,
          type,
          source: { type: source.type, id: source.id },
          time,
          topic: 'events.order',
          partition: 3,
          offset: message.offset,
          ...(dataFits && { data }),
        });
        expect('data' in notification).toBe(dataFits);
      }),
      fuzzParameters(800),
    );
  });
});
