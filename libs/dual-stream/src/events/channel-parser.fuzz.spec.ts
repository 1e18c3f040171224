import fc from 'fast-check';
import {
  channelLike,
  fuzzParameters,
  hostileString,
  hostileValue,
  nearMiss,
  outcomeOf,
  sourceId,
  sourceType,
} from '../../../../test/support/fuzz-arbitraries.js';
import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import { parseChannel } from './channel-parser.js';
import { channelFor, sourceKey } from './event-naming.js';
import { prepareEvent } from './event-validator.js';

/** Would the publisher accept an event of this source? */
const publishable = (source: unknown) =>
  outcomeOf(() => prepareEvent({ type: 't', source, data: null } as never, 1 << 20)).ok;

describe('channel parser (fuzz)', () => {
  it('parses a channel back into the one source that names it, or throws InvalidChannelError only', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 6, arbitrary: channelLike }, { weight: 1, arbitrary: hostileValue }), (raw) => {
        const outcome = outcomeOf(() => parseChannel(raw));
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(InvalidChannelError);
          expect((outcome.error as InvalidChannelError).kind).toBe('channel');
          return;
        }
        const source = outcome.value;
        const channel = raw as string;
        expect(Object.keys(source)).toEqual(['type', 'id']);
        expect(channelFor('', source)).toBe(channel);
        expect(channelFor('app:', source)).toBe(`app:${channel}`);
        expect(sourceKey(source)).toBe(channel.slice('events:'.length));
        // What Redis and Kafka get is UTF-8: the channel and the key must survive it unchanged.
        expect(Buffer.from(channel).toString()).toBe(channel);
        expect(publishable(source)).toBe(true);
      }),
      fuzzParameters(1000),
    );
  });

  it('agrees with the event validator: a source is publishable exactly when its channel parses back to it', () => {
    const sourceLike = fc.record({
      type: fc.oneof(sourceType, nearMiss(sourceType), hostileString()),
      id: fc.oneof(sourceId, nearMiss(sourceId), hostileString()),
    });
    fc.assert(
      fc.property(sourceLike, (source) => {
        const parsed = outcomeOf(() => parseChannel(channelFor('', source)));
        const roundTrips = parsed.ok && parsed.value.type === source.type && parsed.value.id === source.id;
        // An unpublishable source may still spell another source's channel (`a:b` + `c` is `a` + `b:c`).
        expect(roundTrips).toBe(publishable(source));
      }),
      fuzzParameters(1000),
    );
  });
});
