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
import { PlatformaticAdmin } from './platformatic-admin.js';
import { PlatformaticGroupConsumer } from './platformatic-group-consumer.js';
import { PlatformaticProducer } from './platformatic-producer.js';
import { PlatformaticTopicFetcher } from './platformatic-topic-fetcher.js';

/**
 * The `@platformatic/kafka` driver (`kafka.driver: 'platformatic'`): one client per role. The client library is
 * loaded on the first `connect` / `start` of a port (see platformatic-module.ts).
 */
export class PlatformaticDriver implements KafkaDriver {
  readonly name = 'platformatic';

  constructor(private readonly options: ResolvedDualStreamOptions) {}

  producer(purpose: ProducerPurpose, role: string): KafkaProducerPort {
    return new PlatformaticProducer(this.options, purpose, role);
  }

  groupConsumer(settings: GroupConsumerSettings, events: GroupConsumerEvents, role: string): KafkaGroupConsumerPort {
    return new PlatformaticGroupConsumer(this.options, settings, events, role);
  }

  topicFetcher(topic: string, settings: TopicFetcherSettings, role: string): KafkaTopicFetcherPort {
    return new PlatformaticTopicFetcher(this.options, topic, settings, role);
  }

  admin(role: string, tuning?: ClientTuning): KafkaAdminPort {
    return new PlatformaticAdmin(this.options, role, tuning);
  }
}
