import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoredEvent } from './projected-event.js';
import { ProjectionStore } from './projection.store.js';

const event = (id: string, sourceId = 's1'): StoredEvent => ({
  id,
  type: 'order.created',
  source: { type: 'order', id: sourceId },
  time: '2026-01-01T00:00:00.000Z',
  data: { n: id },
  headers: {},
});
const at = (offset: number, partition = 0) => ({ topic: 'events.order', partition, offset: String(offset) });

describe('ProjectionStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'projection-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores each event once, by id, whatever is redelivered or re-published', () => {
    const store = new ProjectionStore(path.join(dir, 'p.sqlite'), 100);
    expect(store.apply(event('a'), at(0))).toBe('inserted');
    expect(store.apply(event('a'), at(0))).toBe('duplicate'); // redelivery
    expect(store.apply(event('a'), at(7))).toBe('duplicate'); // producer retried with the same id
    expect(store.apply(event('b'), at(1))).toBe('inserted');
    expect(store.count()).toBe(2);
    expect(store.getById('a')).toMatchObject({
      id: 'a',
      offset: '0',
      data: { n: 'a' },
      source: { type: 'order', id: 's1' },
    });
    expect(store.getById('nope')).toBeUndefined();
    store.close();
  });

  it('lists a source after an offset, in offset order, with a limit', () => {
    const store = new ProjectionStore(':memory:', 100);
    for (const [id, offset] of [
      ['c', 5],
      ['a', 1],
      ['b', 3],
    ] as const) {
      store.apply(event(id), at(offset));
    }
    store.apply(event('other', 's2'), at(2));
    expect(store.listBySource('order', 's1', -1, 10).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(store.listBySource('order', 's1', 1, 10).map((e) => e.offset)).toEqual(['3', '5']);
    expect(store.listBySource('order', 's1', -1, 2).map((e) => e.id)).toEqual(['a', 'b']);
    expect(store.listBySource('order', 's2', -1, 10).map((e) => e.id)).toEqual(['other']);
    store.close();
  });

  it('keeps the newest events per source and never resurrects a pruned one', () => {
    const store = new ProjectionStore(':memory:', 3);
    for (let i = 0; i < 5; i++) store.apply(event(`e${i}`), at(i));
    expect(store.listBySource('order', 's1', -1, 10).map((e) => e.id)).toEqual(['e2', 'e3', 'e4']);
    store.apply(event('e0'), at(0)); // an old record redelivered after a restart
    expect(store.listBySource('order', 's1', -1, 10).map((e) => e.id)).toEqual(['e2', 'e3', 'e4']);
    store.close();
  });

  it('survives reopening the file (a consumer restart)', () => {
    const file = path.join(dir, 'p.sqlite');
    const first = new ProjectionStore(file, 100);
    first.apply(event('a'), at(0));
    first.close();
    const second = new ProjectionStore(file, 100);
    expect(second.apply(event('a'), at(0))).toBe('duplicate');
    expect(second.count()).toBe(1);
    second.close();
  });
});
