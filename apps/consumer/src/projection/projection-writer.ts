import { Worker } from 'node:worker_threads';
import type { KafkaPosition } from '@dual-stream/nestjs';
import type { ApplyOutcome, StoredEvent } from './projected-event.js';
import type { WriterData, WriterReady, WriterReply, WriterRequest } from './projection-writer.protocol.js';

type Pending = { resolve: (reply: WriterReply & { ok: true }) => void; reject: (err: Error) => void };
interface WriterThread {
  thread: Worker;
  ready: Promise<void>;
  pending: Map<number, Pending>;
}
type Request = WriterRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** A batch written by the writer's thread: the outcome per record, and how long the transaction took. */
export interface WrittenBatch {
  outcomes: ApplyOutcome[];
  commitMs: number;
}

/**
 * The main thread's side of the projection writer: records go to a worker thread that owns the SQLite write
 * connection (`projection-writer.worker.ts`) and the promise resolves once their transaction is on disk. A
 * thread that dies fails what it had in hand (the transport retries it) and is started again on the next call.
 */
export class ProjectionWriter {
  private worker?: WriterThread;
  private nextId = 1;

  constructor(private readonly data: WriterData) {}

  /** Writes `events` (at `offsets` of one partition, in order) in one transaction; resolves once it is on disk. */
  async apply(topic: string, partition: number, offsets: string[], events: StoredEvent[]): Promise<WrittenBatch> {
    const reply = await this.send({ op: 'apply', topic, partition, offsets, eventsJson: JSON.stringify(events) });
    return { outcomes: reply.outcomes ?? [], commitMs: reply.commitMs };
  }

  async markUnapplied(positions: KafkaPosition[]): Promise<void> {
    await this.send({ op: 'markUnapplied', positions });
  }

  /** Closes the database in the writer's thread and ends it. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.send({ op: 'close' }).catch(() => undefined);
    this.worker = undefined;
    await worker.thread.terminate();
  }

  private async send(request: Request): Promise<WriterReply & { ok: true }> {
    const { thread, ready, pending } = this.start();
    await ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread.postMessage({ ...request, id } as WriterRequest);
    });
  }

  private start(): WriterThread {
    if (this.worker) return this.worker;
    const thread = new Worker(new URL('./projection-writer.worker.js', import.meta.url), { workerData: this.data });
    const pending = new Map<number, Pending>();
    const fail = (err: Error) => {
      if (this.worker?.thread === thread) this.worker = undefined;
      for (const waiting of pending.values()) waiting.reject(err);
      pending.clear();
    };
    const ready = new Promise<void>((resolve, reject) => {
      thread.once('message', (message: WriterReady) => {
        if (message.ready) return resolve();
        // A file that cannot be opened now may open on the next try (disk space freed, permissions fixed).
        fail(asError(message.error));
        void thread.terminate();
        reject(asError(message.error));
      });
    });
    ready.catch(() => undefined);
    thread.on('message', (reply: WriterReply | WriterReady) => {
      if (!('id' in reply)) return;
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply);
      else waiting?.reject(asError(reply.error));
    });
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`the projection writer thread exited (code ${code})`)));
    this.worker = { thread, ready, pending };
    return this.worker;
  }
}

/** An error as it crossed the thread boundary: its name and message (the writer's log line has the rest). */
function asError(error: { name: string; message: string }): Error {
  return Object.assign(new Error(error.message), { name: error.name });
}
