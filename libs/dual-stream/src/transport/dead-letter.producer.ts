import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { kafkaDriverFor } from '../kafka/kafka-driver.factory.js';
import type { KafkaProducerPort } from '../kafka/kafka-port.interface.js';
import { deadLetterMessage, type DeadLetterSource } from './dead-letter.js';

/**
 * One producer per server for every dead-letter topic, connected on first use. Not idempotent on purpose:
 * dead-letter sends run concurrently (key-level parallelism) and kafkajs can lose messages on concurrent
 * idempotent sends (kafkajs issue 1005); a duplicate in a dead-letter topic is harmless, a lost record is not.
 */
export class DeadLetterProducer {
  private producer: KafkaProducerPort | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: ResolvedDualStreamOptions) {}

  /** The client library's producer, once it was needed. */
  get instance(): unknown {
    return this.producer?.native;
  }

  async send(topic: string, source: DeadLetterSource): Promise<void> {
    const producer = await this.connected();
    await producer.send([deadLetterMessage(topic, source)], { timeoutMs: 30_000 });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    await producer?.disconnect();
  }

  private async connected(): Promise<KafkaProducerPort> {
    if (!this.producer) {
      this.producer = kafkaDriverFor(this.options).producer('dead-letter', 'server');
      this.connecting = this.producer.connect();
    }
    const producer = this.producer;
    try {
      await this.connecting;
    } catch (err) {
      if (this.producer === producer) this.producer = undefined;
      throw err;
    }
    return producer;
  }
}
