import type { Consumer, FetchOptions } from '@platformatic/kafka';
import type { KafkaRecord } from '../kafka-port.interface.js';
import { toPortError } from './platformatic-errors.js';
import { decodeBatches } from './platformatic-records.js';

export type BufferConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
type FetchRequestTopic = FetchOptions<Buffer, Buffer, Buffer, Buffer>['topics'][number];
type FetchResponse = Awaited<ReturnType<BufferConsumer['fetch']>>;

/** One partition the loop reads: where from, and whether it may be fetched now. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to fetch; undefined: not fetched until it is set. */
  offset: bigint | undefined;
  paused: boolean;
  /** A batch of it is being handled: only its next batch is fetched meanwhile (`ahead`), and held. */
  busy: boolean;
  /** Bumped by every seek: a fetch that started before it is dropped. */
  epoch: number;
  /** Where the batch being handled ends: the one read-ahead fetch while it is handled starts there. */
  ahead?: bigint;
  /** The batch read ahead, handed over at `release` if the handler resolved up to its start. */
  prefetched?: ReadAhead;
}

/** Records fetched from `from` while the batch before them was being handled. */
interface ReadAhead {
  from: bigint;
  records: KafkaRecord[];
  nextOffset: bigint;
}

export interface FetchLoopSettings {
  maxWaitMs: number;
  minBytes?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
}

export interface FetchLoopEvents {
  /** Records of `state` fetched at `fetchedOffset`; `nextOffset` is one past the response's last offset. */
  onRecords(state: PartitionState, records: KafkaRecord[], fetchedOffset: bigint, nextOffset: bigint): void;
  /** A fetch failed after the client's own retries; `fatal` ends the loop. */
  onError(error: Error, fatal: boolean): void;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_BYTES_PER_PARTITION = 1024 * 1024;
/** Pause after a failed fetch before the next one (the client already retried with its own delay). */
const RETRY_DELAY_MS = 500;
const OFFSET_OUT_OF_RANGE = 1;
/**
 * How long a fetch may block while a partition of its broker is left out because a batch of it is being
 * handled: a broker answers the requests of one connection in order, so that partition's next fetch waits for
 * this one; an idle partition next to it must not hold it for the full `maxWaitMs` (1 s by default).
 */
const BUSY_WAIT_MS = 10;

/**
 * Fetches a set of partitions with `@platformatic/kafka`'s `Consumer.fetch` (one request in flight per broker,
 * every eligible partition the broker leads in it) and hands each partition's records over as one batch: the
 * per-partition control (pause, seek, one batch at a time) the port needs, which the client's message stream
 * does not offer. Never commits; positions are the caller's.
 */
export class PartitionFetchLoop {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly inflight = new Set<number>();
  private scheduled = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumer: BufferConsumer,
    private readonly settings: FetchLoopSettings,
    private readonly events: FetchLoopEvents,
  ) {}

  get(topic: string, partition: number): PartitionState | undefined {
    return this.partitions.get(`${topic}|${partition}`);
  }

  all(): IterableIterator<PartitionState> {
    return this.partitions.values();
  }

  /** Adds (or replaces) a partition. */
  add(topic: string, partition: number, offset: bigint | undefined, paused: boolean): PartitionState {
    this.consumer.topics.track(topic);
    const state: PartitionState = { topic, partition, offset, paused, busy: false, epoch: 0 };
    this.partitions.set(`${topic}|${partition}`, state);
    this.schedule();
    return state;
  }

  remove(topic: string, partition: number): void {
    const state = this.get(topic, partition);
    if (state) {
      state.epoch++;
      state.ahead = state.prefetched = undefined;
    }
    this.partitions.delete(`${topic}|${partition}`);
  }

  seek(state: PartitionState, offset: bigint): void {
    state.offset = offset;
    state.epoch++;
    state.ahead = state.prefetched = undefined;
    this.schedule();
  }

  setPaused(state: PartitionState, paused: boolean): void {
    state.paused = paused;
    if (paused) state.ahead = state.prefetched = undefined;
    else this.schedule();
  }

  /**
   * A batch of `state` was handled: hands over the batch read ahead meanwhile when it starts where the handler
   * left off (`state.offset`), else drops it and fetches from `state.offset`.
   */
  release(state: PartitionState): void {
    state.busy = false;
    const next = state.prefetched;
    state.prefetched = undefined;
    // A seek, a pause or a removal drops what was read ahead, so what is left here is still this partition's.
    if (next && next.from === state.offset) {
      this.handOver(state, next.records, next.from, next.nextOffset);
    }
    this.schedule();
  }

  private handOver(state: PartitionState, records: KafkaRecord[], from: bigint, nextOffset: bigint): void {
    state.ahead = nextOffset;
    this.events.onRecords(state, records, from, nextOffset);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /** Fetches, on the next tick, every eligible partition whose broker has no fetch in flight. */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.fetchAll();
    });
  }

  private fetchAll(): void {
    if (this.stopped) return;
    const topics = new Set<string>();
    for (const state of this.partitions.values()) if (this.eligible(state)) topics.add(state.topic);
    if (topics.size === 0) return;
    this.consumer.metadata({ topics: [...topics] }, (error, metadata) => {
      if (this.stopped) return;
      if (error || !metadata) return this.failed(error ?? new Error('no metadata'));
      const byNode = new Map<number, PartitionState[]>();
      const busyNodes = new Set<number>();
      for (const state of this.partitions.values()) {
        const leader = metadata.topics.get(state.topic)?.partitions[state.partition]?.leader;
        if (state.busy && leader !== undefined) busyNodes.add(leader);
        if (!this.eligible(state)) continue;
        if (leader === undefined || leader < 0 || this.inflight.has(leader)) continue;
        let list = byNode.get(leader);
        if (!list) byNode.set(leader, (list = []));
        list.push(state);
      }
      for (const [node, list] of byNode) {
        const topicIds = new Map<string, string>();
        for (const state of list) topicIds.set(metadata.topics.get(state.topic)!.id, state.topic);
        const waitMs = busyNodes.has(node) ? Math.min(BUSY_WAIT_MS, this.settings.maxWaitMs) : this.settings.maxWaitMs;
        this.fetchNode(node, list, topicIds, waitMs);
      }
    });
  }

  /**
   * Fetched now: an idle partition from its offset, or a busy one once from where its batch ends, so its next
   * batch is on hand when the handler finishes instead of a fetch round trip later.
   */
  private eligible(state: PartitionState): boolean {
    if (state.offset === undefined || state.paused) return false;
    return !state.busy || (state.ahead !== undefined && state.prefetched === undefined);
  }

  private fetchOffset(state: PartitionState): bigint {
    return state.busy ? state.ahead! : state.offset!;
  }

  private fetchNode(node: number, list: PartitionState[], topicNames: Map<string, string>, waitMs: number): void {
    this.inflight.add(node);
    const requested = new Map(
      list.map((s) => [`${s.topic}|${s.partition}`, { state: s, offset: this.fetchOffset(s), epoch: s.epoch }]),
    );
    // One read-ahead per handled batch: a busy partition whose read-ahead came back empty waits for `release`.
    for (const s of list) if (s.busy) s.ahead = undefined;
    const topicIdOf = new Map([...topicNames].map(([id, name]) => [name, id]));
    const topics = new Map<string, FetchRequestTopic>();
    for (const s of list) {
      const topicId = topicIdOf.get(s.topic)!;
      let topic = topics.get(topicId);
      if (!topic) topics.set(topicId, (topic = { topicId, partitions: [] }));
      topic.partitions.push({
        partition: s.partition,
        fetchOffset: requested.get(`${s.topic}|${s.partition}`)!.offset,
        partitionMaxBytes: this.settings.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
    }
    this.consumer.fetch(
      {
        node,
        topics: [...topics.values()],
        maxWaitTime: waitMs,
        minBytes: this.settings.minBytes ?? 1,
        maxBytes: this.settings.maxBytes ?? DEFAULT_MAX_BYTES,
      },
      (error, response) => {
        this.inflight.delete(node);
        if (this.stopped) return;
        if (error) {
          const failedResponse = (error as { response?: FetchResponse }).response;
          if (failedResponse && this.resetOutOfRange(failedResponse, topicNames, requested)) return this.schedule();
          return this.failed(error);
        }
        if (response) this.deliver(response, topicNames, requested);
        this.schedule();
      },
    );
  }

  private deliver(
    response: FetchResponse,
    topicNames: Map<string, string>,
    requested: Map<string, { state: PartitionState; offset: bigint; epoch: number }>,
  ): void {
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId);
      for (const p of topicResponse.partitions) {
        const asked = requested.get(`${topic}|${p.partitionIndex}`);
        // Partitions seeked, paused or removed since the fetch started: their data is stale.
        if (!asked || asked.state.epoch !== asked.epoch || asked.state.paused) continue;
        if (this.get(asked.state.topic, asked.state.partition) !== asked.state) continue;
        const state = asked.state;
        const { records, nextOffset } = decodeBatches(p.records, asked.offset);
        if (nextOffset === undefined) continue;
        if (state.busy) {
          if (records.length > 0) state.prefetched = { from: asked.offset, records, nextOffset };
          continue;
        }
        // A read-ahead that came back after its batch was released: only if the handler resolved up to it.
        if (asked.offset !== state.offset) continue;
        if (records.length === 0) {
          state.offset = nextOffset;
          continue;
        }
        this.handOver(state, records, asked.offset, nextOffset);
      }
    }
  }

  /** Partitions asked for below their log start (retention deleted it) go on from the oldest kept record. */
  private resetOutOfRange(
    response: FetchResponse,
    topicNames: Map<string, string>,
    requested: Map<string, { state: PartitionState; offset: bigint; epoch: number }>,
  ): boolean {
    let reset = false;
    for (const topicResponse of response.responses ?? []) {
      const topic = topicNames.get(topicResponse.topicId);
      for (const p of topicResponse.partitions) {
        if (p.errorCode !== OFFSET_OUT_OF_RANGE || p.logStartOffset < 0n) continue;
        const asked = requested.get(`${topic}|${p.partitionIndex}`);
        // A read-ahead past the end is dropped: the handler's release decides where the partition goes on.
        if (!asked || asked.state.epoch !== asked.epoch || asked.state.busy) continue;
        asked.state.offset = asked.offset < p.logStartOffset ? p.logStartOffset : p.highWatermark;
        reset = true;
      }
    }
    return reset;
  }

  private failed(error: Error): void {
    const portError = toPortError(error);
    this.events.onError(portError, !portError.retriable);
    if (!portError.retriable) return this.stop();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.schedule(), RETRY_DELAY_MS);
  }
}
