import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { KafkaPosition } from '@dual-stream/nestjs';
import type { ApplyOutcome, ProjectedEvent, StoredEvent } from './projected-event.js';

interface Row {
  id: string;
  type: string;
  source_type: string;
  source_id: string;
  time: string;
  data: string;
  headers: string;
  topic: string;
  partition: number;
  offset: number;
}

/**
 * Recent events per source in SQLite (Node's built-in `node:sqlite`, no native add-on to build).
 *
 * Why SQLite: a write is one local transaction that is on disk (WAL, `synchronous=FULL`) before the handler
 * returns, and the handler returning is what lets the transport commit the Kafka offset. So after a crash
 * every committed offset is in the file, and whatever Kafka redelivers (offsets not yet committed) hits the
 * `id` primary key and is ignored: no loss, no duplicate. Delete the file and reset the group to rebuild it
 * from Kafka.
 */
export class ProjectionStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly prune: StatementSync;
  private readonly bySource: StatementSync;
  private readonly byId: StatementSync;
  private readonly total: StatementSync;

  constructor(
    dbPath: string,
    private readonly retentionPerSource: number,
  ) {
    if (dbPath !== ':memory:') mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
    this.db = new DatabaseSync(dbPath);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS events (
        id          TEXT PRIMARY KEY,
        type        TEXT NOT NULL,
        source_type TEXT NOT NULL,
        source_id   TEXT NOT NULL,
        time        TEXT NOT NULL,
        data        TEXT NOT NULL,
        headers     TEXT NOT NULL,
        topic       TEXT NOT NULL,
        partition   INTEGER NOT NULL,
        offset      INTEGER NOT NULL,
        UNIQUE (topic, partition, offset)
      );
      CREATE INDEX IF NOT EXISTS events_by_source ON events (source_type, source_id, offset);
    `);
    this.insert = this.db.prepare(`
      INSERT INTO events (id, type, source_type, source_id, time, data, headers, topic, partition, offset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    // Keeps the newest `retention` events of the source; an old redelivered event is pruned in the same
    // transaction that (re)inserted it, so pruning never resurrects anything.
    this.prune = this.db.prepare(`
      DELETE FROM events WHERE source_type = ?1 AND source_id = ?2 AND offset <= (
        SELECT offset FROM events WHERE source_type = ?1 AND source_id = ?2 ORDER BY offset DESC LIMIT 1 OFFSET ?3)`);
    this.bySource = this.db.prepare(`
      SELECT * FROM events WHERE source_type = ? AND source_id = ? AND offset > ? ORDER BY offset ASC LIMIT ?`);
    this.byId = this.db.prepare('SELECT * FROM events WHERE id = ?');
    this.total = this.db.prepare('SELECT COUNT(*) AS n FROM events');
  }

  /** Idempotent by event id (and by Kafka position): a redelivered or re-published event is a no-op. */
  apply(event: StoredEvent, position: KafkaPosition): ApplyOutcome {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const { changes } = this.insert.run(
        event.id,
        event.type,
        event.source.type,
        event.source.id,
        event.time,
        JSON.stringify(event.data ?? null),
        JSON.stringify(event.headers ?? {}),
        position.topic,
        position.partition,
        Number(position.offset),
      );
      if (changes > 0) this.prune.run(event.source.type, event.source.id, this.retentionPerSource);
      this.db.exec('COMMIT');
      return changes > 0 ? 'inserted' : 'duplicate';
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Events of one source after `afterOffset` (exclusive), in offset order. */
  listBySource(sourceType: string, sourceId: string, afterOffset: number, limit: number): ProjectedEvent[] {
    return (this.bySource.all(sourceType, sourceId, afterOffset, limit) as unknown as Row[]).map(toEvent);
  }

  getById(id: string): ProjectedEvent | undefined {
    const row = this.byId.get(id) as unknown as Row | undefined;
    return row ? toEvent(row) : undefined;
  }

  count(): number {
    return Number((this.total.get() as { n: number }).n);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

function toEvent(row: Row): ProjectedEvent {
  return {
    id: row.id,
    type: row.type,
    source: { type: row.source_type, id: row.source_id },
    time: row.time,
    data: JSON.parse(row.data),
    headers: JSON.parse(row.headers),
    topic: row.topic,
    partition: row.partition,
    offset: String(row.offset),
  };
}
