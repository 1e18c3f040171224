import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import { kafkaDriverFor } from '../kafka/kafka-driver.factory.js';
import type { KafkaConnectionState, KafkaDriver, KafkaProducerPort } from '../kafka/kafka-port.interface.js';
import { recordHeaders } from './kafka-records.js';
import type { PendingEvent } from './pending-group.js';

const MESSAGE_MAX_BYTES = 'message.max.bytes';

export type KafkaLaneState = KafkaConnectionState;

/**
 * The publisher's idempotent producer (through the Kafka port). Callers must not overlap `send()` calls (the
 * publisher sends one batch at a time): concurrent idempotent sends lose messages in kafkajs (issue 1005).
 *
 * After any failed send the producer is replaced: kafkajs rolls its sequence numbers back on failure even
 * when the broker may have written the batch, and the broker would then silently drop the next batch as a
 * "duplicate". A fresh producer id makes that impossible. That is also why the producer's retries may be
 * bounded (kafkajs' idempotent default is to retry forever, which would keep a dead-Kafka send — and the
 * process — alive forever).
 */
export class KafkaLane {
  private readonly driver: KafkaDriver;
  private producer: KafkaProducerPort | undefined;
  private connecting: Promise<KafkaProducerPort> | undefined;
  private current: KafkaLaneState = 'disconnected';

  constructor(private readonly options: ResolvedDualStreamOptions) {
    this.driver = kafkaDriverFor(options);
  }

  get state(): KafkaLaneState {
    return this.current;
  }

  /** Connects (once; concurrent callers share the attempt). Rejects with the port's `KafkaPortError`. */
  connect(): Promise<KafkaProducerPort> {
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
    const records = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i];
      records[i] = {
        topic: pending.topic,
        key: pending.key,
        value: pending.prepared.json,
        headers: recordHeaders(pending),
      };
    }
    return producer.send(records, { timeoutMs: Math.min(this.options.durable.timeoutMs, 30_000) });
  }

  /**
   * The smallest `message.max.bytes` among the brokers (each broker's effective value), read with a short-lived
   * admin client. Rejects when the brokers cannot be asked (down, or no DescribeConfigs permission).
   */
  async readMessageMaxBytes(): Promise<number> {
    const admin = this.driver.admin('publisher');
    try {
      await admin.connect();
      return await admin.minBrokerConfig(MESSAGE_MAX_BYTES);
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

  private createProducer(): KafkaProducerPort {
    const producer = this.driver.producer('publisher', 'publisher');
    producer.onStateChange((state) => {
      if (this.producer === producer) this.current = state;
    });
    return producer;
  }
}
