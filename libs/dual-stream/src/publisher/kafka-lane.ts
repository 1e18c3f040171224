import kafkajs, { Partitioners, logLevel, type Kafka, type LogEntry, type Producer } from 'kafkajs';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import { createKafkaClient } from '../kafka-client.factory.js';
import { positionsOf, recordingPartitioner, toTopicMessages } from './kafka-records.js';
import { memoizedKeyPartitioner } from './memoized-key-partitioner.js';
import type { PendingEvent } from './pending-group.js';

const MESSAGE_MAX_BYTES = 'message.max.bytes';
// Through the default export: Node's named exports of this CommonJS module stop before `ConfigResourceTypes`.
const { ConfigResourceTypes } = kafkajs;

export type KafkaLaneState = 'disconnected' | 'connecting' | 'connected';

/**
 * The publisher's idempotent producer. Callers must not overlap `send()` calls (the publisher sends one
 * batch at a time): concurrent idempotent sends lose messages in kafkajs (issue 1005).
 *
 * After any failed send the producer is replaced: kafkajs rolls its sequence numbers back on failure even
 * when the broker may have written the batch, and the broker would then silently drop the next batch as a
 * "duplicate". A fresh producer id makes that impossible. That is also why the producer's retries may be
 * bounded (kafkajs' idempotent default is to retry forever, which would keep a dead-Kafka send — and the
 * process — alive forever).
 */
export class KafkaLane {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private current: KafkaLaneState = 'disconnected';

  constructor(private readonly options: ResolvedDualStreamOptions) {
    this.kafka = createKafkaClient(withQuietRetryWarning(options), 'publisher');
  }

  get state(): KafkaLaneState {
    return this.current;
  }

  /** Connects (once; concurrent callers share the attempt). Rejects with kafkajs' error. */
  connect(): Promise<Producer> {
    if (this.producer && this.current === 'connected') return Promise.resolve(this.producer);
    if (this.connecting) return this.connecting;
    const producer = this.createProducer();
    this.producer = producer;
    this.current = 'connecting';
    const attempt = producer.connect().then(
      () => {
        if (this.producer === producer) this.current = 'connected';
        return producer;
      },
      (err: unknown) => {
        if (this.producer === producer) {
          this.producer = undefined;
          this.current = 'disconnected';
        }
        throw err;
      },
    );
    this.connecting = attempt;
    const clear = () => {
      if (this.connecting === attempt) this.connecting = undefined;
    };
    attempt.then(clear, clear);
    return attempt;
  }

  /** Writes the batch with `acks=-1`; resolves with each event's position, in batch order. */
  async send(batch: readonly PendingEvent[]): Promise<KafkaPosition[]> {
    const producer = await this.connect();
    const { topicMessages, messages } = toTopicMessages(batch);
    const metadata = await producer.sendBatch({
      topicMessages,
      acks: -1,
      timeout: Math.min(this.options.durable.timeoutMs, 30_000),
    });
    return positionsOf(batch, messages, metadata);
  }

  /**
   * The smallest `message.max.bytes` among the brokers (each broker's effective value), read with a short-lived
   * admin client. Rejects when the brokers cannot be asked (down, or no DescribeConfigs permission).
   */
  async readMessageMaxBytes(): Promise<number> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: brokers.map((broker) => ({
          type: ConfigResourceTypes.BROKER,
          name: String(broker.nodeId),
          configNames: [MESSAGE_MAX_BYTES],
        })),
      });
      const values = resources
        .flatMap((resource) => resource.configEntries)
        .filter((entry) => entry.configName === MESSAGE_MAX_BYTES)
        .map((entry) => Number(entry.configValue))
        .filter((value) => Number.isSafeInteger(value) && value > 0);
      if (values.length === 0) throw new Error(`the brokers reported no ${MESSAGE_MAX_BYTES}`);
      return Math.min(...values);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Drops the current producer (after a failed send) so the next send starts with a new producer id. */
  reset(): void {
    const old = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    this.current = 'disconnected';
    if (old) old.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.current = 'disconnected';
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private createProducer(): Producer {
    // The resolved `kafka.producer`: ours (idempotent, one request in flight, bounded retries) merged with the user's.
    const config = this.options.kafka.producer;
    const producer = this.kafka.producer({
      ...config,
      createPartitioner: recordingPartitioner(
        config.createPartitioner ?? memoizedKeyPartitioner(Partitioners.DefaultPartitioner),
      ),
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.current = 'disconnected';
    });
    producer.on(producer.events.CONNECT, () => {
      if (this.producer === producer) this.current = 'connected';
    });
    return producer;
  }
}

/**
 * kafkajs warns on every producer that bounded retries "may invalidate EoS guarantees"; the lane's reset
 * after a failed send is what keeps them, so that one line is noise. A user `logCreator` still wins.
 */
function withQuietRetryWarning(options: ResolvedDualStreamOptions): ResolvedDualStreamOptions {
  const logger = options.logger;
  const logCreator =
    () =>
    ({ level, label, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      const line = `kafkajs ${label}: ${message} ${JSON.stringify(extra)}`;
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
    };
  return { ...options, kafka: { ...options.kafka, config: { logCreator, ...options.kafka.config } } };
}
