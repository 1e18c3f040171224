import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { signGatewayToken } from '@app/service-kit';
import { eventually, uniqueName, withAdmin } from '../support/infra.js';
import { ensureBuilt, http, startService, type ServiceProcess } from './support/service-process.js';

const SECRET = 'e2e-projection-crash-secret-0123456789ab';
const SOURCES = Array.from({ length: 8 }, (_, i) => `c-${i}`);
const BATCHES = 40;

/**
 * The batched projection (one SQLite transaction per fetched batch, then the offset commit) killed with SIGKILL
 * again and again while it catches up on a backlog: after every kill each committed offset is in the file, and
 * in the end every acknowledged event is projected exactly once.
 */
describe('batched projection: SIGKILL mid-batch', () => {
  const prefix = `${uniqueName('e2e-crash')}-`;
  const dbDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-crash-'));
  const dbPath = path.join(dbDir, 'projection.sqlite');
  const topic = `${prefix}events.user`;
  const env = {
    TOPIC_PREFIX: prefix,
    CHANNEL_PREFIX: prefix,
    SOURCE_TYPES: 'user',
    CONSUMER_DB_PATH: dbPath,
    // Small transactions: many commits, so a kill lands between a batch's transaction and its offset commit.
    CONSUMER_BATCH_SIZE: '25',
    AUTH_JWT_SECRET: SECRET,
  };
  let ingester: ServiceProcess;
  let consumer: ServiceProcess | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    ingester = await startService('ingester', env);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([ingester?.stop(), consumer?.stop()]);
    rmSync(dbDir, { recursive: true, force: true });
  }, 60_000);

  it('never commits an offset before its batch is on disk, and ends with every event exactly once', async () => {
    const receipts = new Map<string, string[]>(SOURCES.map((s) => [s, []]));
    for (let b = 0; b < BATCHES; b++) {
      const events = Array.from({ length: 100 }, (_, i) => ({
        type: 'user.updated',
        source: { type: 'user', id: SOURCES[i % SOURCES.length] },
        data: { b, i },
      }));
      const res = await http(`${ingester.url}/events/batch`, { body: events });
      expect(res.status).toBe(202);
      res.body.receipts.forEach((r: { id: string }, i: number) => receipts.get(events[i]!.source.id)!.push(r.id));
    }
    const total = BATCHES * 100;

    // Three kills while the backlog drains, each once the group has committed more than before.
    let committedBefore = 0;
    for (let kill = 0; kill < 3; kill++) {
      consumer = await startService('consumer', env, consumer?.port);
      const from = committedBefore;
      committedBefore = await eventually(
        async () => {
          const n = sum(await committedOffsets(prefix, topic));
          return n > from ? n : undefined;
        },
        60_000,
        20,
      );
      await consumer.stop('SIGKILL');
      const committed = await committedOffsets(prefix, topic);
      const projected = projectedPositions(dbPath);
      for (const [partition, next] of committed) {
        // Committed `next` means records up to next - 1 were handed back as done: they must be in the file.
        expect(projected.get(partition) ?? -1).toBeGreaterThanOrEqual(next - 1);
      }
      if (sum(committed) >= total) break;
    }

    consumer = await startService('consumer', env, consumer!.port);
    const token = await signGatewayToken(SECRET, { sub: 'e2e', channels: ['events:user:*'], patterns: [] });
    for (const source of SOURCES) {
      const mine = receipts.get(source)!;
      const page = await eventually(
        async () => {
          const res = await http(`${consumer!.url}/sources/user/${source}/events?limit=1000`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return res.body.events?.length >= mine.length ? res.body : undefined;
        },
        120_000,
        500,
      );
      expect(page.events.map((e: { id: string }) => e.id)).toEqual(mine);
      expect(new Set(page.events.map((e: { offset: string }) => e.offset)).size).toBe(mine.length);
    }
  }, 300_000);
});

const sum = (offsets: Map<number, number>) => [...offsets.values()].reduce((a, b) => a + b, 0);

/** The projection group's committed offsets (the next record to read) per partition; absent: nothing yet. */
async function committedOffsets(prefix: string, topic: string): Promise<Map<number, number>> {
  const groupId = `${prefix}dual-stream-consumer-projection.${topic}`;
  const [offsets] = await withAdmin((admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
  return new Map(
    (offsets?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]),
  );
}

/** What the killed consumer left in its file: per partition, the offset up to which it projected. */
function projectedPositions(dbPath: string): Map<number, number> {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const rows = db.prepare('SELECT partition, offset FROM projected_positions').all() as {
      partition: number;
      offset: number;
    }[];
    return new Map(rows.map((r) => [Number(r.partition), Number(r.offset)]));
  } finally {
    db.close();
  }
}
