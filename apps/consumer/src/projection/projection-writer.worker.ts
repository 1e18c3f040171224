// The projection writer's thread: owns the write connection of the SQLite file, so a batch's inserts and its
// fsync (`synchronous=FULL`) never block the consumer's event loop (Kafka fetches, heartbeats, the catch-up API).
import { parentPort, workerData } from 'node:worker_threads';
import type { WriterData, WriterReady, WriterReply, WriterRequest } from './projection-writer.protocol.js';
import { ProjectionStore } from './projection.store.js';

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

port.on('message', (request: WriterRequest) => {
  const startedAt = performance.now();
  let reply: WriterReply;
  try {
    if (!store) throw new Error('the projection file could not be opened');
    if (request.op === 'apply') {
      reply = { id: request.id, ok: true, outcomes: store.applyBatch(request.records), commitMs: 0 };
    } else if (request.op === 'markUnapplied') {
      for (const position of request.positions) store.markUnapplied(position);
      reply = { id: request.id, ok: true, commitMs: 0 };
    } else {
      store.close();
      reply = { id: request.id, ok: true, commitMs: 0 };
    }
    reply.commitMs = performance.now() - startedAt;
  } catch (err) {
    reply = { id: request.id, ok: false, error: describe(err) };
  }
  port.postMessage(reply);
});
