import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { EventSource, KafkaPosition } from '@dual-stream/nestjs';
import type { ApplyOutcome, ProjectedEvent, StoredEvent } from './projected-event.js';
import { migrateProjectionSchema } from './projection-schema.js';

interface Row {
  id: string;
  type: string;
  source_type: string;
  source_id: string;
  time: string;
  data: string;
  headers: string;
  topic: string;
  partition: bigint;
  offset: bigint;
}

/** One partition of one topic: where a source's events are, and what a catch-up reads. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A page of one source's events plus how far the projection had read their partition when it was taken. */
export interface SourcePage {
  events: ProjectedEvent[];
  /** The offset up to which the projection had applied the partition's records (all sources), if any. */
  projectedUpTo?: string;
  /** The first record after the page (and after `afterOffset`) whose write failed and never succeeded, if any. */
  unappliedFrom?: string;
}

/**
 * Recent events per source in SQLite (Node's built-in `node:sqlite`, no native add-on to build).
 *
 * Why SQLite: a write is one local transaction that is on disk (WAL, `synchronous=FULL`) before the handler
 * returns, and the handler returning is what lets the transport commit the Kafka offset. So after a crash
 * every committed offset is in the file, and whatever Kafka redelivers (offsets not yet committed) hits the
 * (source, id) primary key and is ignored: no loss, no duplicate. Delete the file and reset the group to
 * rebuild it from Kafka. Offsets are int64 in SQLite and BigInt / decimal strings in JS, never numbers.
 */
export class ProjectionStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly advance: StatementSync;
  private readonly markFailed: StatementSync;
  private readonly clearFailed: StatementSync;
  private readonly firstFailed: StatementSync;
  private readonly prune: StatementSync;
  private readonly bySource: StatementSync;
  private readonly position: StatementSync;
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
      PRAGMA busy_timeout = 5000;`);
    migrateProjectionSchema(this.db);
    this.insert = this.db.prepare(`
      INSERT INTO events (source_type, source_id, id, type, time, data, headers, topic, partition, offset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    this.advance = this.db.prepare(`
      INSERT INTO projected_positions (topic, partition, offset) VALUES (?, ?, ?)
      ON CONFLICT (topic, partition) DO UPDATE SET offset = MAX(offset, excluded.offset)`);
    this.markFailed = this.db.prepare(
      'INSERT INTO unapplied_records (topic, partition, offset) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.clearFailed = this.db.prepare(
      'DELETE FROM unapplied_records WHERE topic = ? AND partition = ? AND offset = ?',
    );
    this.firstFailed = this.db.prepare(
      'SELECT MIN(offset) AS offset FROM unapplied_records WHERE topic = ? AND partition = ? AND offset > ?',
    );
    // Keeps the newest `retention` events of the source; an old redelivered event is pruned in the same
    // transaction that (re)inserted it, so pruning never resurrects anything.
    this.prune = this.db.prepare(`
      DELETE FROM events WHERE source_type = ?1 AND source_id = ?2 AND offset <= (
        SELECT offset FROM events WHERE source_type = ?1 AND source_id = ?2 ORDER BY offset DESC LIMIT 1 OFFSET ?3)`);
    this.bySource = this.db.prepare(`
      SELECT * FROM events
      WHERE source_type = ? AND source_id = ? AND topic = ? AND partition = ? AND offset > ?
      ORDER BY offset ASC LIMIT ?`);
    this.position = this.db.prepare('SELECT offset FROM projected_positions WHERE topic = ? AND partition = ?');
    this.byId = this.db.prepare('SELECT * FROM events WHERE id = ? ORDER BY topic, partition, offset LIMIT 100');
    this.total = this.db.prepare('SELECT COUNT(*) AS n FROM events');
    for (const statement of [this.bySource, this.position, this.byId, this.firstFailed]) statement.setReadBigInts(true);
  }

  /**
   * Idempotent per (source, event id) and per Kafka position: a redelivered or re-published event is a no-op.
   * Either way the partition's projected-up-to position moves to this record, in the same transaction.
   */
  apply(event: StoredEvent, position: KafkaPosition): ApplyOutcome {
    const offset = BigInt(position.offset);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const { changes } = this.insert.run(
        event.source.type,
        event.source.id,
        event.id,
        event.type,
        event.time,
        JSON.stringify(event.data ?? null),
        JSON.stringify(event.headers ?? {}),
        position.topic,
        position.partition,
        offset,
      );
      if (changes > 0) this.prune.run(event.source.type, event.source.id, this.retentionPerSource);
      this.advance.run(position.topic, position.partition, offset);
      this.clearFailed.run(position.topic, position.partition, offset);
      this.db.exec('COMMIT');
      return changes > 0 ? 'inserted' : 'duplicate';
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * An envelope whose write failed: until a retry applies it, no cursor passes it (the transport may
   * dead-letter it, while later records of the partition are applied). Best effort: the disk may be the fault.
   */
  markUnapplied(position: KafkaPosition): void {
    this.markFailed.run(position.topic, position.partition, BigInt(position.offset));
  }

  /**
   * Events of one source on one topic-partition after `afterOffset` (exclusive; `-1n` for all), in offset
   * order, with the partition's projected-up-to position and the first unapplied record after the page. The
   * reads run back to back on the thread that also applies records, so they see one state.
   */
  listBySource(source: EventSource, at: TopicPartition, afterOffset: bigint, limit: number): SourcePage {
    const projected = this.position.get(at.topic, at.partition) as { offset: bigint } | undefined;
    const rows = this.bySource.all(
      source.type,
      source.id,
      at.topic,
      at.partition,
      afterOffset,
      limit,
    ) as unknown as Row[];
    const from = rows.length ? rows[rows.length - 1]!.offset : afterOffset;
    const failed = (this.firstFailed.get(at.topic, at.partition, from) as { offset: bigint | null }).offset;
    return {
      events: rows.map(toEvent),
      ...(projected && { projectedUpTo: String(projected.offset) }),
      ...(failed !== null && { unappliedFrom: String(failed) }),
    };
  }

  /** Every stored event with this id (ids are unique per source, so several sources may each have one). */
  findById(id: string): ProjectedEvent[] {
    return (this.byId.all(id) as unknown as Row[]).map(toEvent);
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
    partition: Number(row.partition),
    offset: String(row.offset),
  };
}
