import { validate, version } from 'uuid';
import { uuidv7 } from './uuid-v7.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('has the v7 layout: version 7, RFC 9562 variant, current millisecond timestamp', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    const msecs = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    // Within a busy millisecond the counter may push the timestamp ahead by a millisecond or so.
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after + 1);
  });

  it('is strictly increasing and unique over 100k ids made in a tight loop', () => {
    const ids = new Array<string>(100_000);
    for (let i = 0; i < ids.length; i++) ids[i] = uuidv7();
    for (let i = 1; i < ids.length; i++) {
      if (!(ids[i] > ids[i - 1])) throw new Error(`not increasing at ${i}: ${ids[i - 1]} then ${ids[i]}`);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });

  it('keeps random bits random across pool refills', () => {
    // The last 8 hex digits come straight from the pool; over 2k ids (several refills) they must not repeat.
    const tails = new Set(Array.from({ length: 2_000 }, () => uuidv7().slice(-8)));
    expect(tails.size).toBe(2_000);
  });
});
