import fc from 'fast-check';
import {
  fuzzParameters,
  hostileString,
  offsetLike,
  outcomeOf,
  partitionLike,
  socketValue,
} from '../../../../test/support/fuzz-arbitraries.js';
import { readFrom } from './subscribe-request.js';

const TOPIC = 'events.order';
const INT64_MAX = 2n ** 63n - 1n;

/** A client's `from`: position-shaped objects with any topic, partition and offset, or anything a frame decodes to. */
const fromLike = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        topic: fc.oneof(fc.constant(TOPIC), fc.constantFrom('events.user', 'Events.order', ''), hostileString()),
        partition: partitionLike,
        offset: offsetLike,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: socketValue },
);

describe('subscribe request `from` (fuzz)', () => {
  it('reads a position on the expected topic with a canonical int64 offset, or refuses with an Error saying which field', () => {
    fc.assert(
      fc.property(fromLike, (raw) => {
        const outcome = outcomeOf(() => readFrom(raw, TOPIC));
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(Error);
          expect((outcome.error as Error).message).toMatch(/^`from(\.topic|\.partition|\.offset)?` must /);
          return;
        }
        const position = outcome.value;
        if (raw === undefined || raw === null) return expect(position).toBeUndefined();
        expect(Object.keys(position!)).toEqual(['topic', 'partition', 'offset']);
        const { topic, partition, offset } = position!;
        expect(topic).toBe(TOPIC);
        expect(Number.isInteger(partition) && partition >= 0 && partition <= 1_000_000).toBe(true);
        expect(typeof offset).toBe('string');
        expect(String(BigInt(offset))).toBe(offset);
        expect(BigInt(offset) >= 0n && BigInt(offset) <= INT64_MAX).toBe(true);
      }),
      fuzzParameters(1000),
    );
  });
});
