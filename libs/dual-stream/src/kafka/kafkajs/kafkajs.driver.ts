import type { ProducerConfig } from 'kafkajs';
import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import type {
  ClientTuning,
  GroupConsumerEvents,
  GroupConsumerSettings,
  KafkaAdminPort,
  KafkaDriver,
  KafkaGroupConsumerPort,
  KafkaProducerPort,
  KafkaTopicFetcherPort,
  ProducerPurpose,
  TopicFetcherSettings,
} from '../kafka-port.interface.js';
import { KafkajsAdmin } from './kafkajs-admin.js';
import { createKafkajsClient } from './kafkajs-client.js';
import { KafkajsGroupConsumer } from './kafkajs-group-consumer.js';
import { KafkajsProducer } from './kafkajs-producer.js';
import { KafkajsTopicFetcher } from './kafkajs-topic-fetcher.js';

/** The kafkajs driver (the default): one kafkajs client per role, as before the port existed. */
export class KafkajsDriver implements KafkaDriver {
  readonly name = 'kafkajs';

  constructor(private readonly options: ResolvedDualStreamOptions) {}

  producer(purpose: ProducerPurpose, role: string): KafkaProducerPort {
    const config = this.options.kafka.producer as Partial<ProducerConfig>;
    return new KafkajsProducer(createKafkajsClient(this.options, role), purpose, config);
  }

  groupConsumer(settings: GroupConsumerSettings, events: GroupConsumerEvents, role: string): KafkaGroupConsumerPort {
    return new KafkajsGroupConsumer(
      createKafkajsClient(this.options, role),
      settings,
      events,
      this.options.kafka.producer.allowAutoTopicCreation === true,
    );
  }

  topicFetcher(topic: string, settings: TopicFetcherSettings, role: string): KafkaTopicFetcherPort {
    return new KafkajsTopicFetcher(createKafkajsClient(this.options, role), topic, settings);
  }

  admin(role: string, tuning?: ClientTuning): KafkaAdminPort {
    return new KafkajsAdmin(createKafkajsClient(this.options, role, tuning));
  }
}
