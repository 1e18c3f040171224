import { createHash } from 'node:crypto';

/**
 * A deterministic event id for the `index`-th event of an idempotent request that did not choose its own id:
 * a UUIDv8 (RFC 9562, custom) from SHA-256 of the request's idempotency seed and the index. A retry of the
 * same request gets the same ids, so even a retry the receipt store cannot answer (Redis down, another
 * instance, TTL expired) at worst writes a second record with the same id, which the projection ignores.
 *
 * @example derivedEventId('5f0c…', 0) // '3b1e4a5c-09d2-8f41-a2c7-…'
 */
export function derivedEventId(seed: string, index: number): string {
  const bytes = createHash('sha256').update(`${seed}\0${index}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
