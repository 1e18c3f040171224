import type { Kafka, Producer } from 'kafkajs';
import { deadLetterMessage, type DeadLetterSource } from './dead-letter.js';

/**
 * One producer per server for every dead-letter topic, connected on first use. Not idempotent on purpose:
 * dead-letter sends run concurrently (key-level parallelism) and kafkajs can lose messages on concurrent
 * idempotent sends (kafkajs issue 1005); a duplicate in a dead-letter topic is harmless, a lost record is not.
 */
export class DeadLetterProducer {
  private producer: Producer | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly kafka: Kafka) {}

  get instance(): Producer | undefined {
    return this.producer;
  }

  async send(topic: string, source: DeadLetterSource): Promise<void> {
    const producer = await this.connected();
    await producer.send({ topic, acks: -1, messages: [deadLetterMessage(source)] });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    await producer?.disconnect();
  }

  private async connected(): Promise<Producer> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: true });
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
