import fc from 'fast-check';
import {
  fuzzParameters,
  hostileString,
  outcomeOf,
  sourceId,
  sourceType,
} from '../../../../../test/support/fuzz-arbitraries.js';
import { InvalidSseCursorError } from '../../errors/invalid-sse-cursor.error.js';
import { encodeSseCursor, parseSseCursor, type SseCursorEntry } from './sse-cursor.js';

const NOW = 1_800_000_000_000;
const channel = fc.record({ type: sourceType, id: sourceId }).map((s) => `events:${s.type}:${s.id}`);
const entry: fc.Arbitrary<SseCursorEntry> = fc.oneof(
  fc.record({
    channel,
    partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
  }),
  fc.record({ channel, since: fc.integer({ min: 0, max: NOW }) }),
);
const entries = fc.uniqueArray(entry, { minLength: 1, maxLength: 8, selector: (e) => e.channel });
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Cursors near valid ones: hostile text, valid cursors cut or spliced, segments of hostile plain text. */
const cursorLike: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: entries.map(encodeSseCursor) },
  { weight: 2, arbitrary: hostileString(80) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(entries.map(encodeSseCursor), fc.nat(), fc.nat(), hostileString(6))
      .map(
        ([text, at, cut, insert]) =>
          text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + (cut % 4)),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.oneof(
          hostileString(40),
          fc.tuple(channel, hostileString(24)).map(([c, w]) => `${c}\n${w}`),
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      )
      .map((plains) => `1.${plains.map(b64).join('.')}`),
  },
  { weight: 1, arbitrary: fc.anything() },
);

describe('SSE cursor parser (fuzz)', () => {
  it('every input parses to entries that re-encode to it, or fails with InvalidSseCursorError', () => {
    fc.assert(
      fc.property(cursorLike, (raw) => {
        const outcome = outcomeOf(() => parseSseCursor(raw, NOW));
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(InvalidSseCursorError);
          return;
        }
        // Only canonical cursors parse: the parsed entries are exactly what was sent.
        expect(encodeSseCursor(outcome.value)).toBe(raw);
      }),
      fuzzParameters(600),
    );
  });

  it('round-trips every cursor the gateway writes', () => {
    fc.assert(
      fc.property(entries, (list) => {
        expect(parseSseCursor(encodeSseCursor(list), NOW)).toEqual(list);
      }),
      fuzzParameters(300),
    );
  });
});
