import fc from 'fast-check';
import {
  channelLike,
  fuzzParameters,
  hostileString,
  hostileValue,
  insertAt,
  nearMiss,
  outcomeOf,
} from '../../../../test/support/fuzz-arbitraries.js';
import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import { escapeRedisGlob, globMatches, MAX_PATTERN_GLOBS, validatePattern } from './channel-names.js';

const [STAR, QUESTION, OPEN, CLOSE, CARET, DASH, BACKSLASH] = [...'*?[]^-\\'].map((c) => c.charCodeAt(0));
/** C's `char` is signed: Redis compares range bounds of bytes >= 0x80 as negative numbers. */
const signed = (byte: number | undefined) => ((byte ?? 0) << 24) >> 24;

/**
 * The reference: Redis' glob matcher (`stringmatchlen` in src/util.c, 7.x), ported line by line and run on the
 * UTF-8 bytes Redis compares. PSUBSCRIBE delivers a PUBLISH on channel `text` exactly when this is true.
 */
function redisMatch(pattern: string, text: string): boolean {
  return matchFrom(Buffer.from(pattern), 0, Buffer.from(text), 0, { skipLonger: false }, 0);
}

function matchFrom(p: Buffer, pi: number, s: Buffer, si: number, state: { skipLonger: boolean }, nesting: number) {
  if (nesting > 1000) return false;
  let plen = p.length - pi;
  let slen = s.length - si;
  while (plen > 0 && slen > 0) {
    switch (p[pi]) {
      case STAR:
        while (plen > 1 && p[pi + 1] === STAR) {
          pi++;
          plen--;
        }
        if (plen === 1) return true;
        while (slen > 0) {
          if (matchFrom(p, pi + 1, s, si, state, nesting + 1)) return true;
          if (state.skipLonger) return false;
          si++;
          slen--;
        }
        state.skipLonger = true;
        return false;
      case QUESTION:
        si++;
        slen--;
        break;
      case OPEN: {
        pi++;
        plen--;
        const not = plen > 0 && p[pi] === CARET;
        if (not) {
          pi++;
          plen--;
        }
        let match = false;
        for (;;) {
          if (plen >= 2 && p[pi] === BACKSLASH) {
            pi++;
            plen--;
            if (p[pi] === s[si]) match = true;
          } else if (plen > 0 && p[pi] === CLOSE) {
            break;
          } else if (plen === 0) {
            pi--;
            plen++;
            break;
          } else if (plen >= 3 && p[pi + 1] === DASH) {
            const [start, end] = [signed(p[pi]), signed(p[pi + 2])].sort((a, b) => a - b);
            const c = signed(s[si]);
            pi += 2;
            plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (p[pi] === s[si]) {
            match = true;
          }
          pi++;
          plen--;
        }
        if (not) match = !match;
        if (!match) return false;
        si++;
        slen--;
        break;
      }
      default:
        if (p[pi] === BACKSLASH && plen >= 2) {
          pi++;
          plen--;
        }
        if (p[pi] !== s[si]) return false;
        si++;
        slen--;
    }
    pi++;
    plen--;
    if (slen === 0) {
      while (plen > 0 && p[pi] === STAR) {
        pi++;
        plen--;
      }
      break;
    }
  }
  return plen === 0 && slen === 0;
}

/** The grammar of docs/protocol.md "Socket protocol", read independently of `validatePattern`. */
const GRAMMAR = /^events(?::(?:[a-z0-9._-]+\*?|\*))+$/;
const inGrammar = (p: string) => GRAMMAR.test(p) && p.length <= 200 && p.split('*').length - 1 <= MAX_PATTERN_GLOBS;

const literal = fc.string({ unit: fc.constantFrom(...'abz09._-'), minLength: 1, maxLength: 4 });
const segment = fc.oneof(
  literal,
  literal.map((l) => `${l}*`),
  fc.constant('*'),
);
const grammarPattern = fc
  .array(segment, { minLength: 1, maxLength: 4 })
  .map((segments) => `events:${segments.join(':')}`)
  .filter(inGrammar);
const patternLike = fc.oneof(
  { weight: 4, arbitrary: fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `events:${s.join(':')}`) },
  { weight: 3, arbitrary: nearMiss(grammarPattern) },
  { weight: 2, arbitrary: hostileString().map((rest) => `events:${rest}`) },
  { weight: 1, arbitrary: hostileString() },
  { weight: 1, arbitrary: hostileValue },
);

/** What a `*` may stand for: ambiguous runs of `:`, segment characters, glob characters taken literally, UTF-8. */
const fill = fc.string({ unit: fc.constantFrom(...'ab0:.-*?[]\\', 'é', '\ud83d\ude00'), maxLength: 6 });
/** `pattern` with each `*` replaced: channels it matches, then near misses of them. */
const fillStars = (pattern: string, fills: string[]) =>
  pattern.split('*').reduce((text, part, i) => text + fills[i - 1] + part);
const textFor = (pattern: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.tuple(pattern, fc.array(fill, { minLength: 2, maxLength: 2 })).map(([p, fills]) => fillStars(p, fills)),
    fc
      .tuple(pattern, fc.array(fill, { minLength: 2, maxLength: 2 }), fill, fc.nat())
      .map(([p, fills, extra, at]) => insertAt(fillStars(p, fills), extra, at)),
    fc.tuple(pattern, fc.nat()).map(([p, cut]) => p.replaceAll('*', '').slice(0, cut % (p.length + 1))),
    channelLike,
  );

describe('channel names (fuzz)', () => {
  it('validates a pattern to itself, exactly the grammar, or throws InvalidChannelError (kind pattern) only', () => {
    fc.assert(
      fc.property(patternLike, (raw) => {
        const outcome = outcomeOf(() => validatePattern(raw));
        if (outcome.ok) {
          expect(outcome.value).toBe(raw);
          expect(inGrammar(raw as string)).toBe(true);
        } else {
          expect(outcome.error).toBeInstanceOf(InvalidChannelError);
          expect((outcome.error as InvalidChannelError).kind).toBe('pattern');
          expect(typeof raw === 'string' && inGrammar(raw)).toBe(false);
        }
      }),
      fuzzParameters(1000),
    );
  });

  it('matches a channel with a granted pattern exactly when Redis would deliver it (no more, no less)', () => {
    const pair = grammarPattern.chain((pattern) => fc.tuple(fc.constant(pattern), textFor(fc.constant(pattern))));
    fc.assert(
      fc.property(pair, ([pattern, text]) => {
        expect(globMatches(pattern, text)).toBe(redisMatch(pattern, text));
      }),
      fuzzParameters(2000),
    );
  });

  it('escapes any deployment prefix: the hub PSUBSCRIBEs to exactly what the pattern grants under that prefix', () => {
    const prefix = fc.string({ unit: fc.constantFrom(...'ab:*?[]^-\\{}', 'é'), maxLength: 6 });
    const pair = grammarPattern.chain((pattern) =>
      fc.tuple(fc.constant(pattern), prefix, prefix, textFor(fc.constant(pattern)), fc.boolean()),
    );
    fc.assert(
      fc.property(pair, ([pattern, prefix, other, channel, samePrefix]) => {
        const text = `${samePrefix ? prefix : other}${channel}`;
        const granted = text.startsWith(prefix) && globMatches(pattern, text.slice(prefix.length));
        expect(redisMatch(`${escapeRedisGlob(prefix)}${pattern}`, text)).toBe(granted);
      }),
      fuzzParameters(1000),
    );
  });

  it('grants a pattern under a claim only when everything the pattern delivers is inside the claim', () => {
    // Claims near the pattern: a segment or the tail replaced by `*`, so that many of them do match it.
    const claimFor = (pattern: string) =>
      fc.oneof(
        grammarPattern,
        fc.nat().map((cut) => {
          const segments = pattern.split(':');
          const at = 1 + (cut % (segments.length - 1));
          return [...segments.slice(0, at), '*'].join(':');
        }),
        fc.nat().map((i) => {
          const segments = pattern.split(':');
          segments[1 + (i % (segments.length - 1))] = '*';
          return segments.join(':');
        }),
      );
    const triple = grammarPattern.chain((pattern) =>
      fc.tuple(fc.constant(pattern), claimFor(pattern).filter(inGrammar), fc.array(textFor(fc.constant(pattern)))),
    );
    fc.assert(
      fc.property(triple, ([pattern, claim, channels]) => {
        if (!globMatches(claim, pattern)) return;
        for (const channel of channels) if (redisMatch(pattern, channel)) expect(redisMatch(claim, channel)).toBe(true);
      }),
      fuzzParameters(1000),
    );
  });
});
