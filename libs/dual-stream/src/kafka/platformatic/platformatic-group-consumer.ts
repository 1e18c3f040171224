import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import { KafkaPortError } from '../kafka-port.error.js';
import type {
  BatchControls,
  FetchedBatch,
  GroupConsumerEvents,
  GroupConsumerSettings,
  KafkaGroupConsumerPort,
  KafkaRecord,
} from '../kafka-port.interface.js';
import { PartitionFetchLoop, type BufferConsumer, type PartitionState } from './partition-fetch-loop.js';
import { platformaticBaseOptions } from './platformatic-client.js';
import { mapped, toPortError } from './platformatic-errors.js';
import { loadPlatformatic } from './platformatic-module.js';

type EachBatch = (batch: FetchedBatch, controls: BatchControls) => Promise<void>;

/** How long a failed (re)join waits before the next attempt. */
const REJOIN_DELAY_MS = 1000;

/**
 * A member of one consumer group with manual commits, on `@platformatic/kafka`'s `Consumer`: the client runs the
 * group membership (join, sync, background heartbeats, rejoin on a rebalance); the records come from a
 * `PartitionFetchLoop` over the assigned partitions, one batch per partition at a time (the client's message
 * stream is one stream for every partition, without per-partition pause or batch hand-over).
 *
 * After a rejoin, a partition this member kept from the previous generation goes on from where its fetch
 * position was (its handlers still hold what was fetched); one that is new starts at the group's committed
 * offset (or the earliest / latest one without a commit, as `subscribe(…, fromBeginning)` said). A batch of a
 * partition that moved away is stale.
 */
export class PlatformaticGroupConsumer implements KafkaGroupConsumerPort {
  private consumer: BufferConsumer | undefined;
  private loop: PartitionFetchLoop | undefined;
  private topics: string[] = [];
  private fromBeginning = false;
  private eachBatch: EachBatch | undefined;
  private joinedAt = 0;
  private generation = 0;
  private joined = false;
  private running = false;
  private rejoinTimer: NodeJS.Timeout | undefined;
  /** Assignments are applied one after the other (each awaits committed offsets). */
  private assigning: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly settings: GroupConsumerSettings,
    private readonly events: GroupConsumerEvents,
    private readonly role: string,
  ) {}

  get native(): unknown {
    return this.consumer;
  }

  async connect(): Promise<void> {
    const { Consumer } = await loadPlatformatic();
    const consumer: BufferConsumer = new Consumer({
      ...platformaticBaseOptions(this.options, this.role),
      groupId: this.settings.groupId,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: this.settings.heartbeatIntervalMs,
      rebalanceTimeout: this.settings.sessionTimeoutMs,
      autocommit: false,
      autocreateTopics: this.options.kafka.producer.allowAutoTopicCreation === true,
    });
    consumer.on('consumer:group:join', (payload) => this.onJoin(payload.memberId, payload.isLeader === true));
    consumer.on('consumer:group:rebalance', () => {
      this.joinedAt = Date.now();
      this.events.onRebalancing();
    });
    // A failed rejoin: the client stops heartbeating; join again after a pause (the kafkajs driver restarts too).
    consumer.on('error', (error: Error) => this.crashed(error));
    this.consumer = consumer;
    try {
      await consumer.metadata({ topics: [] });
    } catch (err) {
      this.consumer = undefined;
      await consumer.close(true).catch(() => undefined);
      throw toPortError(err);
    }
  }

  async subscribe(topics: string[], fromBeginning: boolean): Promise<void> {
    const consumer = this.connected();
    try {
      await consumer.metadata({ topics, forceUpdate: true, retries: 0 });
    } catch (err) {
      throw toPortError(err);
    }
    this.topics = topics;
    this.fromBeginning = fromBeginning;
  }

  async run(eachBatch: EachBatch): Promise<void> {
    const consumer = this.connected();
    this.eachBatch = eachBatch;
    this.running = true;
    this.loop = new PartitionFetchLoop(consumer, this.settings, {
      onRecords: (state, records, fetchedOffset) => this.handle(state, records, fetchedOffset),
      onError: (error, fatal) => this.events.onCrash(error, !fatal),
    });
    for (const topic of this.topics) consumer.topics.track(topic);
    this.joinedAt = Date.now();
    // As kafkajs' run(): resolves once the member joined the group (the other members rejoined with it), so a
    // second instance that has started holds its share of the partitions. A first join that fails is retried in
    // the background (reported through onCrash) and does not hold the start.
    await new Promise<void>((resolve) => this.join(resolve));
  }

  async commit(topic: string, partition: number, offset: string): Promise<void> {
    const consumer = this.connected();
    if (!this.joined) throw new KafkaPortError('not a member of the group yet', 'other', true);
    await mapped(consumer.commit({ offsets: [{ topic, partition, offset: BigInt(offset), leaderEpoch: -1 }] }));
  }

  /** The client heartbeats on its own timer, whatever the handlers do. */
  heartbeat(): Promise<void> {
    return Promise.resolve();
  }

  pause(topic: string, partitions: number[]): void {
    for (const partition of partitions) {
      const state = this.loop?.get(topic, partition);
      if (state) this.loop!.setPaused(state, true);
    }
  }

  resume(topic: string, partitions: number[]): void {
    for (const partition of partitions) {
      const state = this.loop?.get(topic, partition);
      if (state) this.loop!.setPaused(state, false);
    }
  }

  async disconnect(): Promise<void> {
    this.running = false;
    clearTimeout(this.rejoinTimer);
    this.loop?.stop();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    this.joined = false;
    // Leaves the group (the partitions move at once, not after the session timeout), then closes.
    await mapped(consumer.close(true));
  }

  private connected(): BufferConsumer {
    if (!this.consumer) throw new KafkaPortError('the consumer is not connected', 'closed', false);
    return this.consumer;
  }

  private join(done?: () => void): void {
    const consumer = this.consumer;
    if (!consumer || !this.running) return done?.();
    consumer.joinGroup({}, (error) => {
      if (error) this.crashed(error);
      done?.();
    });
  }

  private crashed(error: Error): void {
    if (!this.running) return;
    const portError = toPortError(error);
    this.events.onCrash(portError, portError.retriable);
    if (!portError.retriable) return;
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = setTimeout(() => this.join(), REJOIN_DELAY_MS);
  }

  private onJoin(memberId: string, isLeader: boolean): void {
    const consumer = this.consumer;
    if (!consumer || !this.loop) return;
    const generation = ++this.generation;
    const assignment: Record<string, number[]> = {};
    for (const { topic, partitions } of consumer.assignments ?? []) assignment[topic] = [...partitions];
    this.joined = true;
    this.events.onJoin({ memberId, isLeader, durationMs: Date.now() - this.joinedAt, assignment });
    this.assigning = this.assigning
      .then(() => this.assign(consumer, generation, assignment))
      .catch((error: Error) => this.crashed(error));
  }

  /** Drops partitions that moved away, starts new ones at their committed offsets. */
  private async assign(consumer: BufferConsumer, generation: number, assignment: Record<string, number[]>) {
    const loop = this.loop!;
    const kept = new Set<string>();
    for (const state of [...loop.all()]) {
      if (assignment[state.topic]?.includes(state.partition)) kept.add(`${state.topic}|${state.partition}`);
      else loop.remove(state.topic, state.partition);
    }
    const added = Object.entries(assignment)
      .map(([topic, partitions]) => ({ topic, partitions: partitions.filter((p) => !kept.has(`${topic}|${p}`)) }))
      .filter((t) => t.partitions.length > 0);
    if (added.length === 0) return;
    const committed = await consumer.listCommittedOffsets({ topics: added });
    const missing = added
      .map(({ topic, partitions }) => ({
        topic,
        partitions: partitions.filter((p) => (committed.get(topic)?.[p] ?? -1n) < 0n),
      }))
      .filter((t) => t.partitions.length > 0);
    const fallback = missing.length
      ? await consumer.listOffsets({
          topics: missing.map((t) => t.topic),
          partitions: Object.fromEntries(missing.map((t) => [t.topic, t.partitions])),
          timestamp: this.fromBeginning ? -2n : -1n,
        })
      : new Map<string, bigint[]>();
    if (generation !== this.generation || !this.running) return;
    for (const { topic, partitions } of added) {
      for (const partition of partitions) {
        const offset = committed.get(topic)?.[partition] ?? -1n;
        loop.add(topic, partition, offset >= 0n ? offset : (fallback.get(topic)?.[partition] ?? 0n), false);
      }
    }
  }

  private handle(state: PartitionState, records: KafkaRecord[], fetchedOffset: bigint): void {
    const loop = this.loop!;
    const eachBatch = this.eachBatch!;
    state.busy = true;
    let resolved: bigint | undefined;
    const controls: BatchControls = {
      resolveOffset: (offset) => {
        resolved = BigInt(offset);
      },
      isStale: () => loop.get(state.topic, state.partition) !== state || !this.running,
    };
    const batch: FetchedBatch = {
      topic: state.topic,
      partition: state.partition,
      fetchedOffset: fetchedOffset.toString(),
      records,
    };
    const epoch = state.epoch;
    eachBatch(batch, controls)
      .catch((error: Error) => this.events.onCrash(toPortError(error), true))
      .finally(() => {
        // The next fetch of this partition starts after what the handler resolved (again at the batch otherwise).
        if (resolved !== undefined && state.epoch === epoch) state.offset = resolved + 1n;
        loop.release(state);
      });
  }
}
