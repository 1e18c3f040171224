import type { DatabaseSync } from 'node:sqlite';

/** `PRAGMA user_version` of the schema below. 0 is a new file or the first schema (unique by event id alone). */
export const SCHEMA_VERSION = 3;

const EVENTS_TABLE = `
  CREATE TABLE events (
    source_type TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    type        TEXT NOT NULL,
    time        TEXT NOT NULL,
    data        TEXT NOT NULL,
    headers     TEXT NOT NULL,
    topic       TEXT NOT NULL,
    partition   INTEGER NOT NULL,
    offset      INTEGER NOT NULL,
    UNIQUE (id, source_type, source_id),
    UNIQUE (topic, partition, offset)
  )`;
const EVENTS_INDEXES = `
  CREATE INDEX events_by_source ON events (source_type, source_id, topic, partition, offset);`;
const POSITION_TABLES = `
  CREATE TABLE projected_positions (
    topic     TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset    INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
  );
  CREATE TABLE unapplied_records (
    topic     TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset    INTEGER NOT NULL,
    PRIMARY KEY (topic, partition, offset)
  );`;
const COPY_EVENTS = (from: string) => `
  INSERT INTO events (source_type, source_id, id, type, time, data, headers, topic, partition, offset)
    SELECT source_type, source_id, id, type, time, data, headers, topic, partition, offset FROM ${from}`;

/**
 * Brings the file to `SCHEMA_VERSION` in one transaction.
 *
 * Version 2: an event is unique per (source type, source id, event id), so one source cannot squat another's
 * event id (version 1 had `id` as the primary key: the second source's event was dropped as a duplicate);
 * offsets are SQLite INTEGERs (int64, Kafka's offset type) bound and read as BigInt, never as JS numbers; and
 * `projected_positions` holds, per partition, the offset up to which the projection has applied records, and
 * `unapplied_records` the envelopes whose write failed and has not succeeded since (a cursor never passes one).
 * Version-1 rows are copied as they are (they were unique by id, so they are unique per source too) and each
 * partition's position starts at its newest stored offset.
 *
 * Version 3: the same rule (unique per source and event id) as `UNIQUE (id, source_type, source_id)` instead of
 * a primary key on (source type, source id, id) plus an index on `id`: one b-tree fewer per insert, and it is
 * ordered by id, and the publisher's ids are UUIDv7 (time-ordered), so inserts append to it instead of landing
 * on a random page of it. With `events_by_source` the only index written in random order, a batch writes about
 * half the pages to the WAL it did (docs/benchmarks.md "Services"). Version-2 rows are copied as they are.
 */
export function migrateProjectionSchema(db: DatabaseSync): void {
  const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `projection file has schema ${version}, newer than this consumer's ${SCHEMA_VERSION}: upgrade the consumer`,
    );
  }
  const hasEvents =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
  db.exec('BEGIN IMMEDIATE');
  try {
    if (hasEvents && version === 2) {
      db.exec(`
        ALTER TABLE events RENAME TO events_v2;
        ${EVENTS_TABLE};
        ${COPY_EVENTS('events_v2')};
        DROP TABLE events_v2;
        ${EVENTS_INDEXES}`);
    } else if (hasEvents) {
      db.exec(`
        DROP INDEX IF EXISTS events_by_source;
        ALTER TABLE events RENAME TO events_v1;
        ${EVENTS_TABLE};
        ${COPY_EVENTS('events_v1')};
        DROP TABLE events_v1;
        ${EVENTS_INDEXES}
        ${POSITION_TABLES}
        INSERT INTO projected_positions (topic, partition, offset)
          SELECT topic, partition, MAX(offset) FROM events GROUP BY topic, partition;`);
    } else {
      db.exec(`${EVENTS_TABLE}; ${EVENTS_INDEXES} ${POSITION_TABLES}`);
    }
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
