import { derivedEventId } from './derived-event-id.js';
import { parseIdempotencyKey } from './idempotency-key.parser.js';
import { MemoryReceiptStore } from './memory-receipt.store.js';
import { decodeEntry } from './receipt-store.js';

describe('derivedEventId', () => {
  it('is a stable UUIDv8 per (seed, index)', () => {
    const id = derivedEventId('seed', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedEventId('seed', 0)).toBe(id);
    expect(derivedEventId('seed', 1)).not.toBe(id);
    expect(derivedEventId('other', 0)).not.toBe(id);
  });
});

describe('parseIdempotencyKey', () => {
  it('reads the bare and the structured-field form', () => {
    expect(parseIdempotencyKey({})).toBeUndefined();
    expect(parseIdempotencyKey({ 'idempotency-key': 'abc-123' })).toBe('abc-123');
    expect(parseIdempotencyKey({ 'idempotency-key': ' "abc-123" ' })).toBe('abc-123');
  });

  it.each(['', '""', 'a b', 'a"b', 'a\\b', 'é', 'x'.repeat(256)])('refuses %p with a 400 problem', (key) => {
    expect(() => parseIdempotencyKey({ 'idempotency-key': key })).toThrow(
      expect.objectContaining({ body: expect.objectContaining({ status: 400, error: 'invalid_idempotency_key' }) }),
    );
  });
});

describe('MemoryReceiptStore', () => {
  it('claims a key once, replays what completed, frees what failed, and forgets after the TTL', async () => {
    const store = new MemoryReceiptStore(2);
    expect(await store.reserve('k', 'f1', 60_000)).toEqual({ state: 'new' });
    expect(await store.reserve('k', 'f1', 60_000)).toEqual({ state: 'pending', fingerprint: 'f1' });
    await store.complete('k', 'f1', { status: 202, body: { id: 'e' } }, 60_000);
    expect(await store.reserve('k', 'f2', 60_000)).toEqual({
      state: 'done',
      fingerprint: 'f1',
      response: { status: 202, body: { id: 'e' } },
    });
    await store.release('k');
    expect(store.peek('k')).toEqual({ state: 'new' });
    await store.complete('gone', 'f', { status: 202, body: null }, -1);
    expect(store.peek('gone')).toEqual({ state: 'new' });
    for (const k of ['a', 'b', 'c']) await store.reserve(k, 'f', 60_000);
    expect(store.peek('a')).toEqual({ state: 'new' }); // bounded: the oldest went first
  });

  it('treats an unreadable stored entry as new', () => {
    expect(decodeEntry('not json')).toEqual({ state: 'new' });
    expect(decodeEntry('{"state":"done","fingerprint":"f"}')).toEqual({ state: 'new' });
    expect(decodeEntry(null)).toEqual({ state: 'new' });
  });
});
