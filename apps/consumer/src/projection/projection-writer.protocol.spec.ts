import type { StoredEvent } from './projected-event.js';
import { recordsOf } from './projection-writer.protocol.js';

const event = (id: string, data: unknown = { n: 1 }): StoredEvent => ({
  id,
  type: 'order.created',
  source: { type: 'order', id: 's1' },
  time: '2026-01-01T00:00:00.000Z',
  data,
  headers: { traceparent: 't' },
});

describe('recordsOf', () => {
  it('gives each envelope of the JSON string its offset on the batch partition, in order', () => {
    const events = [event('a'), event('b', null)];
    expect(
      recordsOf({ topic: 'events.order', partition: 2, offsets: ['7', '9'], eventsJson: JSON.stringify(events) }),
    ).toEqual([
      { event: events[0], position: { topic: 'events.order', partition: 2, offset: '7' } },
      { event: events[1], position: { topic: 'events.order', partition: 2, offset: '9' } },
    ]);
  });

  it('refuses a batch whose offsets do not match its envelopes (the batch fails, the transport retries it)', () => {
    expect(() =>
      recordsOf({ topic: 'events.order', partition: 0, offsets: ['1'], eventsJson: JSON.stringify([]) }),
    ).toThrow('apply batch has 0 events for 1 offsets');
  });
});
