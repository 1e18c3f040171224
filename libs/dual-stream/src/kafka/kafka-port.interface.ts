import type { KafkaPosition } from '../interfaces/dual-stream-event.interface.js';

/**
 * The Kafka port: the narrow interface the publisher, the durable transport, the replay reader, the dead-letter
 * producer, topic setup and health use. Everything the library does with Kafka goes through it, so a driver
 * (an adapter over one client library, e.g. `kafka/kafkajs/`) is the only code that knows a client's API.
 */

/** A record header value as read: one value, or several when the header repeats. */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

/** A record as read from a partition. */
export interface KafkaRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: KafkaHeaders;
  /** Decimal string (offsets may exceed 2^53). */
  offset: string;
  /** Record timestamp, epoch ms as a decimal string. */
  timestamp: string;
}

/** A record to write. Records of one key keep their order; the partition is chosen by key (murmur2, see key-partition.ts). */
export interface OutgoingRecord {
  topic: string;
  key: string | Buffer | null;
  value: string | Buffer | null;
  /** A header given an array is written once per value, in order. */
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
}

export type KafkaConnectionState = 'disconnected' | 'connecting' | 'connected';

/** What a producer is for: the publisher's (idempotent, `kafka.producer`) or the dead-letter one (plain). */
export type ProducerPurpose = 'publisher' | 'dead-letter';

export interface KafkaProducerPort {
  connect(): Promise<void>;
  /**
   * Writes `records` with `acks=-1`; resolves with each record's position, in `records` order. A producer of
   * purpose `publisher` must not be given overlapping calls (one request in flight keeps per-key order).
   */
  send(records: readonly OutgoingRecord[], options: { timeoutMs: number }): Promise<KafkaPosition[]>;
  /** Called when the connection goes up or down after `connect()`. */
  onStateChange(listener: (state: Exclude<KafkaConnectionState, 'connecting'>) => void): void;
  disconnect(): Promise<void>;
  /** The client library's own producer object, for `unwrap()`. */
  readonly native: unknown;
}

/** One fetched batch of one partition. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  /** The offset the fetch asked for (records may start before it on compacted/aborted ranges). */
  fetchedOffset: string;
  records: KafkaRecord[];
}

/** What a group consumer's batch handler may do while it holds the batch. */
export interface BatchControls {
  /** Moves the fetch position past `offset` (not the committed offset). */
  resolveOffset(offset: string): void;
  /** The batch's partition was revoked by a rebalance since it was fetched. */
  isStale(): boolean;
}

export interface GroupConsumerSettings {
  groupId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** How long an idle fetch blocks. */
  maxWaitMs: number;
  /** Bytes a fetch waits for (up to `maxWaitMs`) before the broker answers; absent: the driver's default. */
  minBytes?: number;
  /** Upper bound of one fetch response; absent: the driver's default. */
  maxBytes?: number;
  /** Upper bound of one partition's share of a fetch response; absent: the driver's default. */
  maxBytesPerPartition?: number;
  /** Partitions whose batches may be handled at once. */
  partitionsConsumedConcurrently: number;
}

export interface GroupJoin {
  memberId: string;
  isLeader: boolean;
  durationMs: number;
  /** topic -> partitions this member holds now. */
  assignment: Record<string, number[]>;
}

export interface GroupConsumerEvents {
  onJoin(join: GroupJoin): void;
  /** A rebalance starts: the last chance to commit finished work of partitions that may move. */
  onRebalancing(): void;
  /** The consumer failed; `restart` says whether the driver restarts it by itself. */
  onCrash(error: Error, restart: boolean): void;
}

/**
 * A consumer group member with manual commits: nothing is committed unless `commit` is called. Batches of one
 * partition are handed over one at a time, in order; the next fetch of that partition waits for the handler.
 */
export interface KafkaGroupConsumerPort {
  connect(): Promise<void>;
  /** Rejects with a `KafkaPortError` of kind `unknown-topic` (retriable) while a topic does not exist. */
  subscribe(topics: string[], fromBeginning: boolean): Promise<void>;
  run(eachBatch: (batch: FetchedBatch, controls: BatchControls) => Promise<void>): Promise<void>;
  /** Commits `offset` (the next one to read) of a partition. Rejects before the first batch was seen. */
  commit(topic: string, partition: number, offset: string): Promise<void>;
  /** Tells the coordinator the member is alive (a no-op before the first batch). */
  heartbeat(): Promise<void>;
  pause(topic: string, partitions: number[]): void;
  resume(topic: string, partitions: number[]): void;
  disconnect(): Promise<void>;
  readonly native: unknown;
}

export interface TopicFetcherSettings {
  /** How long an idle fetch blocks. */
  maxWaitMs: number;
  /** Prefix of any group id the driver needs to read (one without group-less reads). */
  groupPrefix: string;
}

export interface TopicFetcherEvents {
  /** Records of `partition` fetched at `fetchedOffset`; must not block (copy what is needed and return). */
  onBatch(partition: number, fetchedOffset: bigint, records: KafkaRecord[]): void;
  /** Every partition is paused and without position again (e.g. after a rejoin): seek before resuming. */
  onReset(): void;
  /** The fetcher stopped for good; reads in progress should end. */
  onFatal(error: Error): void;
}

/**
 * Assign-and-seek reads of one topic for replays: every partition starts paused; `seek` then `resume` one to
 * fetch from an offset, `pause` it when nothing wants records. Never commits.
 */
export interface KafkaTopicFetcherPort {
  /** Resolves once every partition can be sought. */
  start(events: TopicFetcherEvents): Promise<void>;
  seek(partition: number, offset: bigint): void;
  pause(partition: number): void;
  resume(partition: number): void;
  close(): Promise<void>;
}

/** One partition's offsets: `low` the oldest kept record, `high` the offset the next record will get. */
export interface PartitionOffsets {
  partition: number;
  low: bigint;
  high: bigint;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1: the brokers' `default.replication.factor`. */
  replicationFactor: number;
  /** Topic-level configs, e.g. `min.insync.replicas`. */
  configs?: Record<string, string>;
}

export interface KafkaAdminPort {
  connect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics; one that exists already is not an error. Resolves once every partition has a leader. */
  createTopics(topics: TopicSpec[], timeoutMs: number): Promise<void>;
  /** Partitions of `topic`; 0 when it does not exist. */
  partitionCount(topic: string): Promise<number>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition, the first offset whose record timestamp is at or after `timestampMs` (high when none). */
  offsetsAtTime(topic: string, timestampMs: number): Promise<{ partition: number; offset: bigint }[]>;
  /** The group's committed offsets (next to read) of `topic`; -1 when nothing is committed. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /** The brokers and the controller's id: the health probe's question. */
  describeCluster(): Promise<{ brokers: number; controller: number | null }>;
  /** The smallest value of a numeric broker config over every broker (e.g. `message.max.bytes`). */
  minBrokerConfig(name: string): Promise<number>;
  onDisconnect(listener: () => void): void;
  disconnect(): Promise<void>;
}

/** Per-client tuning the roles may ask for (a health probe wants short timeouts and no retries). */
export interface ClientTuning {
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retries?: number;
  /** Log nothing from the client library (probes that fail on purpose while Kafka is down). */
  silent?: boolean;
}

/** One client library behind the port. Each call creates a new client object; callers own and close it. */
export interface KafkaDriver {
  readonly name: string;
  producer(purpose: ProducerPurpose, role: string): KafkaProducerPort;
  groupConsumer(settings: GroupConsumerSettings, events: GroupConsumerEvents, role: string): KafkaGroupConsumerPort;
  topicFetcher(topic: string, settings: TopicFetcherSettings, role: string): KafkaTopicFetcherPort;
  admin(role: string, tuning?: ClientTuning): KafkaAdminPort;
}
