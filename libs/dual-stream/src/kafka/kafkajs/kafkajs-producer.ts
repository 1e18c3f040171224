import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import type { KafkaPosition } from '../../interfaces/dual-stream-event.interface.js';
import type { KafkaProducerPort, OutgoingRecord, ProducerPurpose } from '../kafka-port.interface.js';
import { mapped } from './kafkajs-errors.js';
import { kafkajs } from './kafkajs-module.js';
import { positionsOf, recordingPartitioner, toTopicMessages } from './kafkajs-records.js';
import { memoizedKeyPartitioner } from './memoized-key-partitioner.js';

/**
 * A kafkajs producer behind the port. The publisher's (`purpose` publisher) takes the resolved `kafka.producer`
 * (idempotent, one request in flight, bounded retries, no topic auto-creation); its partitioner records the
 * partition of every message so `send` can answer each record's position (kafkajs reports one base offset per
 * partition). The dead-letter producer is not idempotent on purpose: its sends run concurrently and kafkajs
 * can lose messages on concurrent idempotent sends (kafkajs issue 1005); a duplicate dead letter is harmless.
 */
export class KafkajsProducer implements KafkaProducerPort {
  readonly native: Producer;

  constructor(kafka: Kafka, purpose: ProducerPurpose, publisherConfig: Partial<ProducerConfig>) {
    const config: ProducerConfig =
      purpose === 'publisher' ? publisherConfig : { allowAutoTopicCreation: publisherConfig.allowAutoTopicCreation };
    this.native = kafka.producer({
      ...config,
      createPartitioner: recordingPartitioner(
        config.createPartitioner ?? memoizedKeyPartitioner(kafkajs().Partitioners.DefaultPartitioner),
      ),
    });
  }

  connect(): Promise<void> {
    return mapped(this.native.connect());
  }

  async send(records: readonly OutgoingRecord[], { timeoutMs }: { timeoutMs: number }): Promise<KafkaPosition[]> {
    const { topicMessages, messages } = toTopicMessages(records);
    const metadata = await mapped(this.native.sendBatch({ topicMessages, acks: -1, timeout: timeoutMs }));
    return positionsOf(records, messages, metadata);
  }

  onStateChange(listener: (state: 'connected' | 'disconnected') => void): void {
    this.native.on(this.native.events.CONNECT, () => listener('connected'));
    this.native.on(this.native.events.DISCONNECT, () => listener('disconnected'));
  }

  disconnect(): Promise<void> {
    return mapped(this.native.disconnect());
  }
}
