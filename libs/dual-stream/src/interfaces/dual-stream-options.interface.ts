import type { LoggerService } from '@nestjs/common';
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import type { DualStreamEvent } from './dual-stream-event.interface.js';
import type {
  KafkajsClientConfig,
  KafkajsProducerConfig,
  KafkajsSaslOptions,
  PlatformaticClientOptions,
} from './kafka-client-options.interface.js';

export interface DualStreamKafkaOptions {
  /** Bootstrap brokers, e.g. `['127.0.0.1:9092']`. @default required, no default */
  brokers: string[];
  /**
   * The Kafka client library behind the module (docs/architecture.md "Kafka drivers"). `'kafkajs'` is the client
   * the project was specified with; `'platformatic'` (`@platformatic/kafka`) spends ~40 % less CPU per published
   * event (docs/benchmarks.md), reads replays without a consumer group, and needs Node >= 22.22
   * / 24.6. Each is an optional peer dependency: install the one you choose (`npm i kafkajs` or
   * `npm i @platformatic/kafka`). Both place keys on the same partitions and keep the same per-key order and
   * idempotence. `ssl`, `sasl` (plain, scram-sha-256/512), `clientId` and `producer` (idempotent, retry.retries,
   * allowAutoTopicCreation) apply to both; `config` is kafkajs only, `platformatic` is platformatic only.
   * @default 'kafkajs'
   */
  driver?: 'kafkajs' | 'platformatic';
  /** @default 'dual-stream' */
  clientId?: string;
  /** TLS of both drivers, passed to the client as is. @default undefined (plaintext) */
  ssl?: boolean | ConnectionOptions;
  /** SASL of both drivers (platformatic: plain and scram only); never logged. @default undefined */
  sasl?: KafkajsSaslOptions;
  /** Any other kafkajs client setting (retry, connectionTimeout, ...); wins over the fields above. @default {} */
  config?: KafkajsClientConfig;
  /**
   * Any other `@platformatic/kafka` client setting (`timeout`, `connectTimeout`, `retries`, `retryDelay`,
   * `metadataMaxAge`, `sasl`, `tls`, ...), given to every client of the `platformatic` driver as is; wins over
   * the fields above. @default {}
   */
  platformatic?: PlatformaticClientOptions;
  /**
   * Producer settings of the publisher, merged field by field over the default. `idempotent` and
   * `maxInFlightRequests: 1` are what keep per-key order and exactly-one write per send; change them only if you
   * know why. `allowAutoTopicCreation` also applies to the consumers and the dead-letter producer: off, a topic
   * must exist before it is used (create topics with `ensureTopics` / `DualStreamTopics.ensure`).
   * @default { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 5 } }
   */
  producer?: KafkajsProducerConfig;
  /**
   * Topic for an event; must return a legal Kafka topic name (1–249 characters of `[a-zA-Z0-9._-]`).
   * @default (event) => `events.${event.source.type}`
   */
  topic?: (event: DualStreamEvent) => string;
  /**
   * The largest record batch the brokers accept: their `message.max.bytes`, or the smallest `max.message.bytes`
   * of the topics the publisher writes when a topic overrides it lower. The publisher keeps every produce request
   * under it (a larger `publishBatch` goes out as consecutive requests) and refuses a single event that could
   * never fit with `InvalidEventError`. `'broker'` reads `message.max.bytes` from the brokers at startup (Kafka's
   * default 1048588 is used until that succeeds).
   * @default 'broker'
   */
  messageMaxBytes?: number | 'broker';
  /** How `ensureTopics` / `DualStreamTopics.ensure` create topics. @default see DualStreamTopicOptions */
  topics?: DualStreamTopicOptions;
}

/**
 * Settings of the topics the module creates (`ensureTopics`, `DualStreamTopics.ensure`); a topic given as a
 * spec may override them. Topics that exist already are never changed.
 */
export interface DualStreamTopicOptions {
  /** Partitions of a new topic: the unit of consumer parallelism (one consumer per partition at most). @default 3 */
  partitions?: number;
  /** Replicas of each partition; `-1` takes the brokers' `default.replication.factor`. @default -1 */
  replicationFactor?: number;
  /**
   * The topic's `min.insync.replicas`: with `acks=-1` a write succeeds only once this many replicas have it.
   * Use `replicationFactor - 1` (e.g. 2 of 3) for durability across a broker loss; `-1` keeps the brokers'
   * default. @default -1
   */
  minInsyncReplicas?: number;
  /** How long creating topics may wait for their partitions to get leaders. @default 30000 */
  timeoutMs?: number;
}

/**
 * A Redis Cluster: seed nodes (any reachable node; the rest is discovered) plus any ioredis `ClusterOptions`
 * (`redisOptions` for password/TLS of every node, `natMap`, `slotsRefreshInterval`, ...). The library forces
 * `enableOfflineQueue: false` and re-reads the slot map every `slotsRefreshInterval` ms (1000 unless you set
 * it; its own loop, which stops when the connection closes, instead of ioredis').
 */
export interface DualStreamRedisClusterOptions extends ClusterOptions {
  /** Seed nodes, e.g. `[{ host: '10.0.0.1', port: 7000 }]` or `['10.0.0.1:7000']`. */
  nodes: ClusterNode[];
}

export interface DualStreamRedisOptions {
  /** `redis://[:password@]host:port[/db]`; used when `options` has no host. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** ioredis options merged over the URL; `enableOfflineQueue` is always forced off for the publisher. @default undefined */
  options?: RedisOptions;
  /** Prepended to every channel: `{prefix}events:{type}:{id}`. @default '' */
  channelPrefix?: string;
  /**
   * Use a Redis Cluster (Redis 7+) instead of the one server at `url`/`options`. Notifications then travel by
   * sharded Pub/Sub (see `sharded`): each channel lives on the shard owning its slot, so Pub/Sub scales out with
   * the cluster (classic PUBLISH in a cluster is broadcast to every node). See docs/production.md.
   * @default undefined (one server at url)
   */
  cluster?: DualStreamRedisClusterOptions;
  /**
   * Sharded Pub/Sub: `SPUBLISH` grouped per owning master and pipelined, `SSUBSCRIBE` on each master's own
   * connection, resubscribed after a failover or resharding, and the gap recovered from Kafka as after a
   * reconnect. It is the only mode with `cluster` (and needs it): pattern subscriptions have no sharded
   * equivalent, so with it the hub refuses `pattern` subscribes and `@OnRealtime` patterns fail at startup.
   * @default true with cluster, else false
   */
  sharded?: boolean;
}

export interface DualStreamRealtimeOptions {
  /** Announce events on Redis at all. With `false` receipts say `realtime: 'skipped'`. @default true */
  enabled?: boolean;
  /** Put `data` into the notification when its JSON is at most `maxInlineBytes`. @default false */
  inlineData?: boolean;
  /** @default 4096 */
  maxInlineBytes?: number;
  /** How long `publish()` waits for the Redis pipeline before answering `realtime: 'failed'`. @default 250 */
  timeoutMs?: number;
  /** Consecutive Redis failures that open the circuit breaker. @default 3 */
  breakerThreshold?: number;
  /** How often an open breaker probes Redis with PING. @default 1000 */
  breakerProbeMs?: number;
  /** At most one Redis warning per interval, with a count of what was suppressed. @default 10000 */
  warnIntervalMs?: number;
}

export interface DualStreamBatchOptions {
  /**
   * How long the first call of a batch waits for company while no batch is in flight. `0` still gathers
   * every call made in the same event-loop turn (setImmediate); while a batch is in flight, calls gather
   * anyway. Raise it (e.g. 2–5) to trade a little latency for bigger batches under thin, steady traffic.
   * @default 0
   */
  lingerMs?: number;
  /**
   * Events gathered into one Kafka request from separate calls; a single `publishBatch` with more still goes
   * out in one request when the broker's limit allows. @default 500
   */
  maxEvents?: number;
  /**
   * Record bytes (envelope, key, headers and framing) gathered into one Kafka request from separate calls; never
   * more than the broker accepts (`kafka.messageMaxBytes`). @default 1048576 (1 MiB)
   */
  maxBytes?: number;
}

export interface DualStreamBufferOptions {
  /** Events accepted but not yet acknowledged by Kafka. @default 10000 */
  maxEvents?: number;
  /** Their Kafka record bytes (envelope, key, headers and framing). @default 33554432 (32 MiB) */
  maxBytes?: number;
  /** How long a call waits for room before `BackpressureError`. @default 1000 */
  maxBlockMs?: number;
}

export interface DualStreamDurableOptions {
  /**
   * How long after it was accepted (after waiting for buffer room, if it had to) a call is answered at the
   * latest: with receipts once Kafka acknowledged, otherwise with `DurablePublishError`. @default 10000
   */
  timeoutMs?: number;
}

export interface DualStreamConsumerOptions {
  /** Default group id prefix for `@OnDurable` handlers without `groupId`. @default clientId */
  groupIdPrefix?: string;
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** @default 3000 */
  heartbeatIntervalMs?: number;
  /** How long shutdown waits for in-flight handlers before leaving the group. @default 10000 */
  shutdownTimeoutMs?: number;
  /**
   * How long a consumer waits at startup for its topics to exist (created by another service's `ensureTopics`
   * meanwhile) before the application fails with `HandlerConfigurationError`.
   * @default 30000
   */
  topicWaitMs?: number;
  /** Default for `@OnDurable({ fromBeginning })`: a new group starts at the oldest record, so nothing published before the app's first start is skipped. @default true */
  fromBeginning?: boolean;
  /** Default for `@OnDurable({ concurrency })`: partitions processed in parallel per group. @default 1 */
  concurrency?: number;
  /** Default for `@OnDurable({ keyConcurrency })`: records in flight per partition (never two of one key). @default 1 */
  keyConcurrency?: number;
  /** Default retry policy of `@OnDurable` handlers (attempts include the first delivery). @default see DualStreamRetryOptions */
  retry?: DualStreamRetryOptions;
  /** At most one offset commit per partition per interval (of the contiguous finished prefix); shutdown and rebalances commit at once. @default 1000 */
  commitIntervalMs?: number;
  /** Default for `@OnDurable({ maxBatchSize })`: the largest array a `batch: true` handler receives. @default 500 */
  maxBatchSize?: number;
  /**
   * Most bytes of records one fetch of a group brings back (kafkajs `maxBytes`; a record larger than this still
   * comes alone). kafkajs decodes a whole fetch response in one event-loop task, so this bounds that task: lower
   * it for an app whose HTTP answers must not wait behind a catch-up (the demo consumer uses 256 KiB).
   * @default 10485760 (10 MiB)
   */
  fetchMaxBytes?: number;
  /** Most bytes of records of one partition in one fetch (kafkajs `maxBytesPerPartition`). @default 1048576 (1 MiB) */
  fetchMaxBytesPerPartition?: number;
  /**
   * Bytes of records the broker waits for before it answers a fetch (kafkajs `minBytes`), at most
   * `fetchMaxWaitMs`. Above 1, a consumer that keeps up under load fetches (and commits) fewer, larger batches
   * instead of one round trip per produce request, at the cost of up to `fetchMaxWaitMs` more delay when quiet.
   * @default 1
   */
  fetchMinBytes?: number;
  /** Longest the broker holds a fetch waiting for `fetchMinBytes`; also how soon shutdown sees an idle fetch. @default 1000 */
  fetchMaxWaitMs?: number;
}

/** Exponential backoff with full jitter: wait random(0, min(maxBackoffMs, backoffMs * 2^(attempt-1))). */
export interface DualStreamRetryOptions {
  /** Deliveries in total, the first included; `1` means no retry. @default 5 */
  attempts?: number;
  /** @default 200 */
  backoffMs?: number;
  /** @default 10000 */
  maxBackoffMs?: number;
}

/**
 * The realtime hub used by socket.io gateways (`RealtimeHub`): subscriptions, authorization and the slow-client
 * policy. Client-facing channel names never carry `redis.channelPrefix`.
 */
export interface DualStreamHubOptions {
  /** Channels plus patterns one connection may hold at once. @default 100 */
  maxSubscriptionsPerConnection?: number;
  /**
   * Pattern subscriptions one connection may hold at once (they count towards `maxSubscriptionsPerConnection`
   * too). @default 10
   */
  maxPatternsPerConnection?: number;
  /**
   * Distinct patterns this gateway instance may PSUBSCRIBE at once, over all connections. Redis matches every
   * PUBLISH against every pattern of every client, so this bounds what one gateway adds to each publish;
   * joining a pattern another connection already holds is always allowed. @default 1000
   */
  maxPatterns?: number;
  /** Messages queued for one connection before it is disconnected with reason `slow`. @default 1000 */
  maxQueuedMessages?: number;
  /** Bytes queued for one connection before it is disconnected with reason `slow`. @default 1048576 (1 MiB) */
  maxQueuedBytes?: number;
  /**
   * Packets handed to socket.io but not yet written to the socket (engine.io's `writeBuffer`); beyond it
   * messages wait in the hub's own queue, where they are counted, conflated and bounded. @default 64
   */
  socketWindow?: number;
  /**
   * Live notifications buffered per subscription while it replays from Kafka; over it the buffer is dropped
   * and the replay runs again from the last delivered position (Kafka has them all). @default 10000
   */
  maxRecoveryBuffer?: number;
  /**
   * May `principal` (what the gateway's handshake produced) subscribe to `channel` (`events:{type}:{id}`)?
   * @default () => true
   */
  canSubscribe?: (principal: unknown, channel: string) => boolean | Promise<boolean>;
  /**
   * May `principal` subscribe to a pattern (`events:order:*`; a `*` only at the end of a segment, see
   * docs/protocol.md "Socket protocol")? Patterns cost Redis work on every publish: keep them for dashboards
   * and tools. @default () => false
   */
  canSubscribePattern?: (principal: unknown, pattern: string) => boolean | Promise<boolean>;
}

/** Kafka replay of one source (resume and catch-up for realtime clients). */
export interface DualStreamReplayOptions {
  /** Records read from the source's partition (any key) before a replay gives up with `recovered: false`. @default 100000 */
  maxRecordsScanned?: number;
  /** Wall time one replay may take before it gives up with `recovered: false`. @default 10000 */
  timeoutMs?: number;
  /** Fetch wait of the replay consumers: how long an idle fetch blocks; bounds the latency to start a replay. @default 50 */
  maxWaitMs?: number;
  /** A topic's replay consumer leaves its (throwaway) group after being unused this long. @default 60000 */
  idleCloseMs?: number;
  /**
   * How long a replay (or the flush of live events buffered during it) waits for room in one socket's queue.
   * A client that does not read for this long is disconnected with reason `slow`, which ends its replay: a
   * replay never waits on a client without bound, and never makes another replay wait (each has its own
   * buffer and the partition's fetch cursor serves the others meanwhile).
   * @default 5000
   */
  clientWaitMs?: number;
  /**
   * Replays running at once in this process (every topic and client together). One more is answered at once
   * with `recovered: false`, reason `busy` (the subscription still goes live); recoveries nobody waits for (a
   * Redis reconnect, a gap marker) wait for a slot instead, within `timeoutMs`. With `maxBufferedBytes` it
   * bounds replay memory: at most `2 × maxConcurrent × maxBufferedBytes` (32 MiB by default).
   * @default 64
   */
  maxConcurrent?: number;
  /**
   * Bytes of Kafka records (the source's own, after filtering) one replay holds between the fetch and its
   * socket; a replay whose buffer is full stops being fetched for until its client took the buffer.
   * @default 262144 (256 KiB)
   */
  maxBufferedBytes?: number;
}

/** Options of `DualStreamModule.forRoot()` / `forRootAsync()`. */
export interface DualStreamModuleOptions {
  kafka: DualStreamKafkaOptions;
  /** Redis connection. `false` turns the realtime lane off entirely. @default { url: 'redis://127.0.0.1:6379', channelPrefix: '' } */
  redis?: DualStreamRedisOptions | false;
  realtime?: DualStreamRealtimeOptions;
  batch?: DualStreamBatchOptions;
  buffer?: DualStreamBufferOptions;
  durable?: DualStreamDurableOptions;
  consumer?: DualStreamConsumerOptions;
  /** Realtime hub of socket.io gateways. @default see DualStreamHubOptions */
  hub?: DualStreamHubOptions;
  /** Kafka replay for realtime resume. @default see DualStreamReplayOptions */
  replay?: DualStreamReplayOptions;
  /**
   * Largest serialized envelope accepted (`InvalidEventError` beyond). The event's whole Kafka record must also
   * fit `kafka.messageMaxBytes`. @default 1048576 (1 MiB)
   */
  maxEventBytes?: number;
  /** Where the module logs. `false` silences it. @default new Logger('DualStream') */
  logger?: LoggerService | false;
}
