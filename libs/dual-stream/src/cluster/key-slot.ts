/** CRC16-CCITT (XModem) table, the checksum Redis Cluster hashes keys and shard channels with. */
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

/** Slots of a Redis Cluster. */
export const SLOT_COUNT = 16384;

/**
 * The Redis Cluster slot of a key or shard channel (`CLUSTER KEYSLOT`): CRC16 of its UTF-8 bytes modulo 16384,
 * of only the part between the first `{` and the next `}` when that part is not empty (a hash tag). Computed
 * here rather than imported so the library depends on nothing beyond ioredis' public API.
 */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc % SLOT_COUNT;
}
