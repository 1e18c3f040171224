import type { Producer } from '@platformatic/kafka';
import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import type { KafkaPosition } from '../../interfaces/dual-stream-event.interface.js';
import { KafkaPortError } from '../kafka-port.error.js';
import type { KafkaProducerPort, OutgoingRecord, ProducerPurpose } from '../kafka-port.interface.js';
import { platformaticBaseOptions } from './platformatic-client.js';
import { mapped, toPortError } from './platformatic-errors.js';
import { loadPlatformatic } from './platformatic-module.js';
import { positionsOf, toMessages } from './platformatic-records.js';

type BufferProducer = Producer<Buffer, Buffer, Buffer, Buffer>;

/** Retries of a metadata look-up for a topic's partition count: a missing topic fails within about a second. */
const METADATA_RETRIES = 1;

/**
 * A `@platformatic/kafka` producer behind the port. The publisher's (`purpose` publisher) is idempotent
 * (`acks=-1`; the client then keeps one request in flight per broker) with the retries of `kafka.producer.retry`
 * (at least 2, the client's own floor for idempotence): the same guarantees as the kafkajs driver's, and like
 * there the publisher replaces the producer after a failed send, so a new producer id starts clean. The
 * dead-letter producer is plain (concurrent sends; a duplicate dead letter is harmless).
 *
 * Partitions are chosen here, by `keyPartition`, so both drivers place a key on the same partition; each
 * record's position is its partition's base offset plus its index in the send.
 */
export class PlatformaticProducer implements KafkaProducerPort {
  private producer: BufferProducer | undefined;
  private readonly listeners: ((state: 'connected' | 'disconnected') => void)[] = [];
  private readonly roundRobin = new Map<string, number>();

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly purpose: ProducerPurpose,
    private readonly role: string,
  ) {}

  get native(): unknown {
    return this.producer;
  }

  async connect(): Promise<void> {
    const { Producer } = await loadPlatformatic();
    const idempotent = this.purpose === 'publisher' && this.options.kafka.producer.idempotent !== false;
    const retries = Math.max(this.options.kafka.producer.retry?.retries ?? 5, idempotent ? 2 : 0);
    const producer: BufferProducer = new Producer({
      ...platformaticBaseOptions(this.options, this.role),
      idempotent,
      acks: -1,
      retries,
      autocreateTopics: this.options.kafka.producer.allowAutoTopicCreation === true,
    });
    this.producer = producer;
    try {
      // A broker must answer now (as kafkajs' connect), and the idempotent producer gets its id up front.
      await producer.metadata({ topics: [] });
      if (idempotent) await producer.initIdempotentProducer({});
    } catch (err) {
      this.producer = undefined;
      await producer.close(true).catch(() => undefined);
      throw toPortError(err);
    }
    // As kafkajs' producer events: up once connected, down once disconnected. A dropped broker connection is
    // not "down" (the client reconnects on the next request; a send that cannot fails and the lane resets).
    this.emit('connected');
  }

  async send(records: readonly OutgoingRecord[], { timeoutMs }: { timeoutMs: number }): Promise<KafkaPosition[]> {
    const producer = this.producer;
    if (!producer) throw new KafkaPortError('the producer is not connected', 'closed', false);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KafkaPortError(`the send did not complete within ${timeoutMs} ms`, 'timeout', true)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.write(producer, records), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  onStateChange(listener: (state: 'connected' | 'disconnected') => void): void {
    this.listeners.push(listener);
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (!producer) return;
    try {
      await mapped(producer.close(true));
    } finally {
      this.emit('disconnected');
    }
  }

  private async write(producer: BufferProducer, records: readonly OutgoingRecord[]): Promise<KafkaPosition[]> {
    const counts = await mapped(this.partitionCounts(producer, records));
    const messages = toMessages(records, counts, this.roundRobin);
    const result = await mapped(producer.send({ messages, acks: -1 }));
    return positionsOf(messages, result.offsets);
  }

  /** Each topic's partition count, from the client's metadata cache (asked for only when it lacks a topic). */
  private async partitionCounts(producer: BufferProducer, records: readonly OutgoingRecord[]) {
    const counts = new Map<string, number>();
    let missing: string[] | undefined;
    const known = producer.currentMetadata?.topics;
    for (const { topic } of records) {
      if (counts.has(topic)) continue;
      const count = known?.get(topic)?.partitionsCount;
      if (count) counts.set(topic, count);
      else if (!missing?.includes(topic)) (missing ??= []).push(topic);
    }
    if (missing) {
      const metadata = await producer.metadata({ topics: missing, retries: METADATA_RETRIES });
      for (const topic of missing) counts.set(topic, metadata.topics.get(topic)!.partitionsCount);
    }
    return counts;
  }

  private emit(state: 'connected' | 'disconnected'): void {
    for (const listener of this.listeners) listener(state);
  }
}
