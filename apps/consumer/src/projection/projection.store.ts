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

/** One record to project: the envelope and where Kafka has it. */
export interface ProjectionRecord {
  event: StoredEvent;
  position: KafkaPosition;
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
 * The WAL is checkpointed every 10,000 pages (~40 MB) instead of SQLite's 1,000: a page that many batches
 * change (an index page of a busy source) is copied into the file once per checkpoint, not once per few batches.
 *
 * Why SQLite: a batch is one local transaction that is on disk (WAL, `synchronous=FULL`) before the handler
 * returns, and the handler returning is what lets the transport commit the batch's Kafka offsets. So after a crash
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
  private readonly sourceSize: StatementSync;
  private readonly anyFailed: StatementSync;
  /** Events stored per source, as this connection wrote them: a source is pruned only once it is over. */
  private readonly sizes = new Map<string, number>();
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
      PRAGMA busy_timeout = 5000;
      PRAGMA wal_autocheckpoint = 10000;`);
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
    this.sourceSize = this.db.prepare('SELECT COUNT(*) AS n FROM events WHERE source_type = ? AND source_id = ?');
    this.anyFailed = this.db.prepare('SELECT 1 AS found FROM unapplied_records LIMIT 1');
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
    return this.applyBatch([{ event, position }])[0]!;
  }

  /**
   * `apply` for many records in ONE transaction, on disk (`synchronous=FULL`) when this returns: one fsync for
   * the batch instead of one per record. All or nothing: a failure rolls every record back. Each touched
   * source is pruned once, and each partition's projected-up-to position advanced once, in that transaction.
   */
  applyBatch(records: readonly ProjectionRecord[]): ApplyOutcome[] {
    const outcomes: ApplyOutcome[] = [];
    const grown = new Map<string, { source: EventSource; added: number }>();
    const newest = new Map<string, { topic: string; partition: number; offset: bigint }>();
    const sizes = new Map<string, number>();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Almost always empty: then no record needs its failure mark cleared.
      const clearFailures = this.anyFailed.get() !== undefined;
      for (const { event, position } of records) {
        const offset = BigInt(position.offset);
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
        outcomes.push(changes > 0 ? 'inserted' : 'duplicate');
        if (changes > 0) {
          const key = JSON.stringify([event.source.type, event.source.id]);
          const entry = grown.get(key) ?? { source: event.source, added: 0 };
          entry.added++;
          grown.set(key, entry);
        }
        const at = `${position.topic}\0${position.partition}`;
        const known = newest.get(at);
        if (!known || offset > known.offset) {
          newest.set(at, { topic: position.topic, partition: position.partition, offset });
        }
        if (clearFailures) this.clearFailed.run(position.topic, position.partition, offset);
      }
      // After every insert: an old redelivered event is pruned by the transaction that re-inserted it.
      for (const [key, { source, added }] of grown) sizes.set(key, this.pruned(key, source, added));
      for (const at of newest.values()) this.advance.run(at.topic, at.partition, at.offset);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    if (this.sizes.size > 100_000) this.sizes.clear(); // bounded memory: counted again on next sight
    for (const [key, size] of sizes) this.sizes.set(key, size);
    return outcomes;
  }

  /** Keeps the newest `retentionPerSource` events of a source that grew by `added`; its size afterwards. */
  private pruned(key: string, source: EventSource, added: number): number {
    const known = this.sizes.get(key);
    const size =
      known === undefined ? Number((this.sourceSize.get(source.type, source.id) as { n: number }).n) : known + added;
    if (size <= this.retentionPerSource) return size;
    this.prune.run(source.type, source.id, this.retentionPerSource);
    return this.retentionPerSource;
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
   * reads share one read transaction (one WAL snapshot), so they see one state even while another connection
   * (the projection writer's thread) commits.
   */
  listBySource(source: EventSource, at: TopicPartition, afterOffset: bigint, limit: number): SourcePage {
    this.db.exec('BEGIN');
    try {
      return this.readPage(source, at, afterOffset, limit);
    } finally {
      this.db.exec('COMMIT');
    }
  }

  private readPage(source: EventSource, at: TopicPartition, afterOffset: bigint, limit: number): SourcePage {
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
