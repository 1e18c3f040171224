import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * UUIDv7 ids for the publish hot path. `uuid`'s default `v7()` asks the OS for 16 random bytes per id
 * (crypto.getRandomValues), which was ~10% of the publisher's CPU. Here the randomness comes from a pool
 * refilled by one `randomFillSync` per POOL_IDS ids, and `uuid` still lays out the bytes.
 *
 * The `{msecs, seq}` state follows `uuid`'s own default path: at a new millisecond the 31-bit counter is
 * seeded from random bytes; within a millisecond (or when the clock steps back) it is incremented, and on
 * 32-bit overflow the timestamp moves on by one. So ids are strictly increasing within this process.
 */
const POOL_IDS = 256;
const pool = new Uint8Array(16 * POOL_IDS);
let poolOffset = pool.length;
/** Reused: `uuid` copies what it needs out of it before returning. */
const random = new Uint8Array(16);
const options = { msecs: Number.NEGATIVE_INFINITY, seq: 0, random };

export function uuidv7(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  for (let i = 0; i < 16; i++) random[i] = pool[poolOffset + i];
  poolOffset += 16;
  const now = Date.now();
  if (now > options.msecs) {
    options.seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
    options.msecs = now;
  } else {
    options.seq = (options.seq + 1) | 0;
    if (options.seq === 0) options.msecs++;
  }
  return v7(options);
}
