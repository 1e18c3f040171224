import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StoredEvent } from './projected-event.js';
import { ProjectionStore } from './projection.store.js';

const event = (id: string, sourceId = 's1', sourceType = 'order'): StoredEvent => ({
  id,
  type: `${sourceType}.created`,
  source: { type: sourceType, id: sourceId },
  time: '2026-01-01T00:00:00.000Z',
  data: { n: id },
  headers: {},
});
const at = (offset: number | string, partition = 0) => ({ topic: 'events.order', partition, offset: String(offset) });
const p0 = { topic: 'events.order', partition: 0 };
/** The two rows every migration test starts from, as the catch-up API lists them afterwards. */
const MIGRATED_EVENTS = [
  expect.objectContaining({ id: 'a', offset: '3', data: 1 }),
  expect.objectContaining({ id: 'b', offset: '8' }),
];
/** A file written by an older consumer: `sql` run on a new file in the test directory. */
function fileWith(dir: string, name: string, sql: string): string {
  const file = path.join(dir, name);
  const db = new DatabaseSync(file);
  db.exec(sql);
  db.close();
  return file;
}
/** Opening an already migrated file again is a no-op: the rows are all there. */
function expectMigratedOnce(file: string, rows: number): void {
  const reopened = new ProjectionStore(file, 100);
  expect(reopened.count()).toBe(rows);
  reopened.close();
}
const s1 = { type: 'order', id: 's1' };
const ids = (store: ProjectionStore, after = -1n, limit = 10, source = s1, where = p0) =>
  store.listBySource(source, where, after, limit).events.map((e) => e.id);

describe('ProjectionStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'projection-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores each event once per source, whatever is redelivered or re-published', () => {
    const store = new ProjectionStore(path.join(dir, 'p.sqlite'), 100);
    expect(store.apply(event('a'), at(0))).toBe('inserted');
    expect(store.apply(event('a'), at(0))).toBe('duplicate'); // redelivery
    expect(store.apply(event('a'), at(7))).toBe('duplicate'); // producer retried with the same id
    expect(store.apply(event('b'), at(1))).toBe('inserted');
    expect(store.count()).toBe(2);
    expect(store.findById('a')).toEqual([
      expect.objectContaining({ id: 'a', offset: '0', partition: 0, data: { n: 'a' }, source: s1 }),
    ]);
    expect(store.findById('nope')).toEqual([]);
    store.close();
  });

  it('one source cannot squat another source’s event id: both are projected', () => {
    const store = new ProjectionStore(':memory:', 100);
    expect(store.apply(event('same', 'alice', 'user'), { topic: 'events.user', partition: 1, offset: '4' })).toBe(
      'inserted',
    );
    expect(store.apply(event('same', 'mallory', 'user'), { topic: 'events.user', partition: 2, offset: '9' })).toBe(
      'inserted',
    );
    expect(store.findById('same').map((e) => e.source.id)).toEqual(['alice', 'mallory']);
    store.close();
  });

  it('lists a source on one topic-partition after an offset, in offset order, with a limit', () => {
    const store = new ProjectionStore(':memory:', 100);
    for (const [id, offset] of [
      ['c', 5],
      ['a', 1],
      ['b', 3],
    ] as const) {
      store.apply(event(id), at(offset));
    }
    store.apply(event('other', 's2'), at(2));
    store.apply(event('elsewhere'), at(0, 1)); // same source, another partition (before a repartition)
    expect(ids(store)).toEqual(['a', 'b', 'c']);
    expect(store.listBySource(s1, p0, 1n, 10).events.map((e) => e.offset)).toEqual(['3', '5']);
    expect(ids(store, -1n, 2)).toEqual(['a', 'b']);
    expect(ids(store, -1n, 10, { type: 'order', id: 's2' })).toEqual(['other']);
    expect(ids(store, -1n, 10, s1, { topic: 'events.order', partition: 1 })).toEqual(['elsewhere']);
    store.close();
  });

  it('keeps offsets beyond 2^53 exact', () => {
    const store = new ProjectionStore(':memory:', 100);
    const big = '9007199254740993'; // 2^53 + 1: Number() would make it ...992
    store.apply(event('x'), at(big));
    store.apply(event('y'), at('9007199254740995'));
    const page = store.listBySource(s1, p0, 9007199254740993n, 10);
    expect(page.events.map((e) => e.offset)).toEqual(['9007199254740995']);
    expect(store.listBySource(s1, p0, -1n, 10).events[0]!.offset).toBe(big);
    expect(page.projectedUpTo).toBe('9007199254740995');
    store.close();
  });

  it('records per partition the offset up to which it projected, in the same transaction, never moving back', () => {
    const store = new ProjectionStore(':memory:', 100);
    expect(store.listBySource(s1, p0, -1n, 10).projectedUpTo).toBeUndefined();
    store.apply(event('a', 'other-source'), at(4));
    expect(store.listBySource(s1, p0, -1n, 10)).toEqual({ events: [], projectedUpTo: '4' });
    store.apply(event('a', 'other-source'), at(4)); // redelivered
    store.apply(event('old', 'other-source'), at(2)); // out of order after a rebalance
    expect(store.listBySource(s1, p0, -1n, 10).projectedUpTo).toBe('4');
    expect(store.listBySource(s1, { topic: 'events.order', partition: 1 }, -1n, 10).projectedUpTo).toBeUndefined();
    store.close();
  });

  it('remembers a record whose write failed until a retry applies it', () => {
    const store = new ProjectionStore(':memory:', 100);
    store.apply(event('a'), at(1));
    store.markUnapplied(at(2));
    store.apply(event('c', 'other-source'), at(3)); // the partition moved on (record 2 was dead-lettered)
    expect(store.listBySource(s1, p0, -1n, 10)).toMatchObject({ projectedUpTo: '3', unappliedFrom: '2' });
    expect(store.listBySource(s1, p0, 2n, 10).unappliedFrom).toBeUndefined(); // the client is past it
    store.apply(event('b'), at(2)); // a later retry succeeded
    expect(store.listBySource(s1, p0, -1n, 10).unappliedFrom).toBeUndefined();
    store.close();
  });

  it('keeps the newest events per source and never resurrects a pruned one', () => {
    const store = new ProjectionStore(':memory:', 3);
    for (let i = 0; i < 5; i++) store.apply(event(`e${i}`), at(i));
    expect(ids(store)).toEqual(['e2', 'e3', 'e4']);
    store.apply(event('e0'), at(0)); // an old record redelivered after a restart
    expect(ids(store)).toEqual(['e2', 'e3', 'e4']);
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

  it('migrates a file of the first schema (unique by id alone) without losing a row', () => {
    const file = fileWith(
      dir,
      'v1.sqlite',
      `
      CREATE TABLE events (
        id TEXT PRIMARY KEY, type TEXT NOT NULL, source_type TEXT NOT NULL, source_id TEXT NOT NULL,
        time TEXT NOT NULL, data TEXT NOT NULL, headers TEXT NOT NULL, topic TEXT NOT NULL,
        partition INTEGER NOT NULL, offset INTEGER NOT NULL, UNIQUE (topic, partition, offset));
      CREATE INDEX events_by_source ON events (source_type, source_id, offset);
      INSERT INTO events VALUES ('a', 'order.created', 'order', 's1', '2026-01-01T00:00:00Z', '1', '{}', 'events.order', 0, 3);
      INSERT INTO events VALUES ('b', 'order.created', 'order', 's1', '2026-01-01T00:00:00Z', '2', '{}', 'events.order', 0, 8);`,
    );
    const store = new ProjectionStore(file, 100);
    expect(store.listBySource(s1, p0, -1n, 10)).toEqual({
      events: MIGRATED_EVENTS,
      projectedUpTo: '8',
    });
    // Now per source: another source may use id `a`.
    expect(store.apply(event('a', 's2'), at(9))).toBe('inserted');
    store.close();
    expectMigratedOnce(file, 3);
  });

  it('migrates a file of the second schema (primary key per source and id) keeping rows, positions and marks', () => {
    const file = fileWith(
      dir,
      'v2.sqlite',
      `
      CREATE TABLE events (
        source_type TEXT NOT NULL, source_id TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
        time TEXT NOT NULL, data TEXT NOT NULL, headers TEXT NOT NULL, topic TEXT NOT NULL,
        partition INTEGER NOT NULL, offset INTEGER NOT NULL,
        PRIMARY KEY (source_type, source_id, id), UNIQUE (topic, partition, offset));
      CREATE INDEX events_by_source ON events (source_type, source_id, topic, partition, offset);
      CREATE INDEX events_by_id ON events (id);
      CREATE TABLE projected_positions (
        topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, PRIMARY KEY (topic, partition));
      CREATE TABLE unapplied_records (
        topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
        PRIMARY KEY (topic, partition, offset));
      INSERT INTO events VALUES ('order', 's1', 'a', 'order.created', '2026-01-01T00:00:00Z', '1', '{}', 'events.order', 0, 3);
      INSERT INTO events VALUES ('order', 's1', 'b', 'order.created', '2026-01-01T00:00:00Z', '2', '{}', 'events.order', 0, 8);
      INSERT INTO projected_positions VALUES ('events.order', 0, 9);
      INSERT INTO unapplied_records VALUES ('events.order', 0, 9);
      PRAGMA user_version = 2;`,
    );
    const store = new ProjectionStore(file, 100);
    expect(store.listBySource(s1, p0, -1n, 10)).toEqual({
      events: MIGRATED_EVENTS,
      projectedUpTo: '9',
      unappliedFrom: '9',
    });
    expect(store.findById('b')).toEqual([expect.objectContaining({ id: 'b', offset: '8' })]);
    // Still unique per source and id, and per position.
    expect(store.apply(event('a'), at(10))).toBe('duplicate');
    expect(store.apply(event('a', 's2'), at(11))).toBe('inserted');
    expect(store.apply(event('z', 's2'), at(11))).toBe('duplicate');
    store.close();
    expectMigratedOnce(file, 3);
  });

  it('writes a batch in one transaction: outcomes per record, pruned and advanced once, all or nothing', () => {
    const file = path.join(dir, 'batch.sqlite');
    const store = new ProjectionStore(file, 2);
    store.markUnapplied(at(1));
    const outcomes = store.applyBatch([
      { event: event('a'), position: at(0) },
      { event: event('b'), position: at(1) },
      { event: event('a'), position: at(2) }, // the same id again in the batch
      { event: event('c'), position: at(3) },
    ]);
    expect(outcomes).toEqual(['inserted', 'inserted', 'duplicate', 'inserted']);
    expect(store.listBySource(s1, p0, -1n, 10)).toMatchObject({ projectedUpTo: '3' });
    expect(ids(store)).toEqual(['b', 'c']); // retention 2, pruned at the end of the transaction
    expect(store.listBySource(s1, p0, -1n, 10).unappliedFrom).toBeUndefined();

    // A second connection (the writer thread's) sees nothing of a batch that failed half-way.
    const reader = new ProjectionStore(file, 2);
    const broken = { ...event('d'), source: null } as unknown as ReturnType<typeof event>;
    expect(() =>
      store.applyBatch([
        { event: event('e'), position: at(4) },
        { event: broken, position: at(5) },
      ]),
    ).toThrow();
    expect(reader.listBySource(s1, p0, -1n, 10)).toMatchObject({
      projectedUpTo: '3',
      events: [{ id: 'b' }, { id: 'c' }],
    });
    reader.close();
    store.close();
  });
});
