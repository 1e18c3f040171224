// The projection writer's thread: owns the write connection of the SQLite file, so a batch's inserts and its
// fsync (`synchronous=FULL`) never block the consumer's event loop (Kafka fetches, heartbeats, the catch-up API).
import { parentPort, workerData } from 'node:worker_threads';
import {
  recordsOf,
  type WriterData,
  type WriterReady,
  type WriterReply,
  type WriterRequest,
} from './projection-writer.protocol.js';
import { ProjectionStore } from './projection.store.js';
import { groupCommits } from './group-commit.js';

const { dbPath, retentionPerSource } = workerData as WriterData;
const port = parentPort!;
const describe = (err: unknown) => ({
  name: (err as Error)?.name ?? 'Error',
  message: (err as Error)?.message ?? String(err),
});

let store: ProjectionStore | undefined;
try {
  store = new ProjectionStore(dbPath, retentionPerSource);
  port.postMessage({ ready: true } satisfies WriterReady);
} catch (err) {
  port.postMessage({ ready: false, error: describe(err) } satisfies WriterReady);
}

/**
 * Requests that arrived while the previous transaction ran (every partition's batches of every group queue up
 * here during a catch-up) are taken together: their applies share one transaction and one fsync (group commit).
 * Each is answered only once that transaction is on disk, so every batch is still durable before its offsets
 * are committed; if the shared transaction fails, each batch is tried alone, so one bad batch fails only itself.
 */
const queued: WriterRequest[] = [];
port.on('message', (request: WriterRequest) => {
  if (queued.push(request) === 1) setImmediate(flush);
});

function flush(): void {
  const requests = queued.splice(0);
  for (const group of groupCommits(requests)) {
    if (group.op === 'apply') applyTogether(group.requests);
    else for (const request of group.requests) port.postMessage(runOne(request));
  }
}

function applyTogether(requests: (WriterRequest & { op: 'apply' })[]): void {
  if (requests.length > 1 && store) {
    const startedAt = performance.now();
    try {
      const outcomes = store.applyBatch(requests.flatMap(recordsOf));
      const commitMs = performance.now() - startedAt;
      let from = 0;
      for (const r of requests) {
        port.postMessage({ id: r.id, ok: true, outcomes: outcomes.slice(from, (from += r.offsets.length)), commitMs });
      }
      return;
    } catch {
      // Rolled back as a whole: each batch alone, so the error goes to the batch that has it.
    }
  }
  for (const request of requests) port.postMessage(runOne(request));
}

function runOne(request: WriterRequest): WriterReply {
  const startedAt = performance.now();
  try {
    if (!store) throw new Error('the projection file could not be opened');
    let reply: WriterReply;
    if (request.op === 'apply') {
      reply = { id: request.id, ok: true, outcomes: store.applyBatch(recordsOf(request)), commitMs: 0 };
    } else if (request.op === 'markUnapplied') {
      for (const position of request.positions) store.markUnapplied(position);
      reply = { id: request.id, ok: true, commitMs: 0 };
    } else {
      store.close();
      reply = { id: request.id, ok: true, commitMs: 0 };
    }
    reply.commitMs = performance.now() - startedAt;
    return reply;
  } catch (err) {
    return { id: request.id, ok: false, error: describe(err) };
  }
}
