// The kafkajs settings the module options pass through as they are (kafka.ssl / sasl / config / producer):
// the only place outside the adapter that names kafkajs types is these aliases.
import type { KafkaConfig, ProducerConfig, SASLOptions } from 'kafkajs';

/** kafkajs' SASL settings. */
export type KafkajsSaslOptions = SASLOptions;
/** Any kafkajs client setting (retry, connectionTimeout, ...). */
export type KafkajsClientConfig = Partial<KafkaConfig>;
/** kafkajs producer settings. */
export type KafkajsProducerConfig = Partial<ProducerConfig>;
