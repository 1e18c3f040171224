import { keySlot } from './key-slot.js';

describe('keySlot (CLUSTER KEYSLOT)', () => {
  it('matches the slots Redis itself computes', () => {
    // Values from `redis-cli cluster keyslot <key>` on Redis 7.
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('events:t:a')).toBe(6810);
    expect(keySlot('events:t:d')).toBe(2623);
    expect(keySlot('')).toBe(0);
    expect(keySlot('123456789')).toBe(12739);
  });

  it('hashes only a non-empty hash tag', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('a{}b')).toBe(13694);
    expect(keySlot('{a}{b}')).toBe(keySlot('a'));
  });

  it('hashes UTF-8 bytes', () => {
    expect(keySlot('événement')).toBe(13007);
  });
});
