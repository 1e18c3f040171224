// The client settings the module options hand to a Kafka client library as they are (kafka.sasl / config /
// producer / platformatic), described here in the library's own terms. Both clients are optional peer
// dependencies, so the published types must not import either: an app that installed one of them still
// compiles with library checking on. The adapters (kafka/kafkajs/, kafka/platformatic/) map these onto the
// clients' own types.
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

/**
 * SASL of the Kafka connections, in kafkajs' shape. Both drivers take `plain` and `scram-sha-256/512`; `aws`
 * and `oauthbearer` are kafkajs only (with the `platformatic` driver use `kafka.platformatic.sasl`).
 */
export type KafkajsSaslOptions =
  | {
      /** @default required, no default */
      mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      /** @default required, no default */
      username: string;
      /** Never logged. @default required, no default */
      password: string;
    }
  | {
      /** @default required, no default */
      mechanism: 'aws';
      /** @default required, no default */
      authorizationIdentity: string;
      /** @default required, no default */
      accessKeyId: string;
      /** Never logged. @default required, no default */
      secretAccessKey: string;
      /** @default undefined */
      sessionToken?: string;
    }
  | {
      /** @default required, no default */
      mechanism: 'oauthbearer';
      /** Called for a token whenever a connection authenticates. @default required, no default */
      oauthBearerProvider: () => Promise<{ value: string }>;
    };

/** kafkajs' retry policy (exponential backoff with jitter), of the client (`kafka.config`) or the producer. */
export interface KafkajsRetryOptions {
  /** Longest total time a request is retried, ms. @default undefined (kafkajs: 30000) */
  maxRetryTime?: number;
  /** Delay before the first retry, ms. @default undefined (kafkajs: 300) */
  initialRetryTime?: number;
  /** Randomization of each delay. @default undefined (kafkajs: 0.2) */
  factor?: number;
  /** Growth of the delay per retry. @default undefined (kafkajs: 2) */
  multiplier?: number;
  /** Retries after the first try. @default undefined (kafkajs: 5) */
  retries?: number;
  /** Whether a consumer that failed for good restarts. @default undefined (kafkajs: always restarts) */
  restartOnFailure?: (error: Error) => Promise<boolean>;
}

/**
 * Any kafkajs client setting (`kafka.config`, kafkajs driver only): the fields of kafkajs' `KafkaConfig`, all
 * optional, passed to every kafkajs client of the module as they are; they win over `kafka.brokers` / `ssl` /
 * `sasl` / `clientId`.
 *
 * Callbacks take kafkajs' own types, so their parameters are typed `never` here: any function of that shape
 * is accepted.
 */
export interface KafkajsClientConfig {
  /** @default undefined (kafka.brokers) */
  brokers?: string[] | (() => string[] | Promise<string[]>);
  /** @default undefined (kafka.ssl) */
  ssl?: boolean | ConnectionOptions;
  /** A mechanism above, or a custom one with its own `authenticationProvider`. @default undefined (kafka.sasl) */
  sasl?: KafkajsSaslOptions | { mechanism: string; authenticationProvider: (args: never) => unknown };
  /** @default undefined (`${kafka.clientId}-${role}`) */
  clientId?: string;
  /** @default undefined (kafkajs: 1000) */
  connectionTimeout?: number;
  /** @default undefined (kafkajs: 10000) */
  authenticationTimeout?: number;
  /** @default undefined (kafkajs: 10000) */
  reauthenticationThreshold?: number;
  /** @default undefined (kafkajs: 30000) */
  requestTimeout?: number;
  /** @default undefined (kafkajs: true) */
  enforceRequestTimeout?: boolean;
  /** @default undefined (kafkajs' own retry policy) */
  retry?: KafkajsRetryOptions;
  /** @default undefined (kafkajs: a plain or TLS socket) */
  socketFactory?: (args: never) => Socket;
  /** kafkajs' `logLevel` (0 NOTHING, 1 ERROR, 2 WARN, 4 INFO, 5 DEBUG). @default undefined (2, WARN) */
  logLevel?: number;
  /** @default undefined (the module's logger) */
  logCreator?: (logLevel: never) => (entry: never) => void;
}

/**
 * The publisher's producer settings (`kafka.producer`): the fields of kafkajs' `ProducerConfig`, merged field by
 * field over the defaults below. Both drivers read `idempotent`, `retry.retries` and `allowAutoTopicCreation`;
 * the rest is kafkajs only.
 */
export interface KafkajsProducerConfig {
  /**
   * Exactly one write per send, in order. With `maxInFlightRequests: 1` what keeps per-key order; change only if
   * you know why. @default true
   */
  idempotent?: boolean;
  /** @default 1 */
  maxInFlightRequests?: number;
  /** Also applies to the consumers and the dead-letter producer. @default false */
  allowAutoTopicCreation?: boolean;
  /** @default { retries: 5 } */
  retry?: KafkajsRetryOptions;
  /**
   * A kafkajs partitioner factory. Keys then no longer land where `sourcePartition` says, which realtime
   * replay relies on (docs/protocol.md "Kafka record"). @default undefined (murmur2, as the Java client)
   */
  createPartitioner?: () => (args: never) => number;
  /** @default undefined (kafkajs: 300000) */
  metadataMaxAge?: number;
  /** @default undefined */
  transactionalId?: string;
  /** @default undefined (kafkajs: 60000) */
  transactionTimeout?: number;
}

/**
 * Any other `@platformatic/kafka` client setting (`kafka.platformatic`, platformatic driver only), given to every
 * client of the driver as is; wins over `kafka.brokers` / `ssl` / `sasl` / `clientId`. The fields below are the
 * common ones; any other (`sasl` with `OAUTHBEARER`, `maxInflights`, ...) passes through unchecked. The client
 * argument of `retryDelay` is typed `never` for the same reason as in `KafkajsClientConfig`.
 */
export interface PlatformaticClientOptions {
  /** Request timeout, ms. @default undefined (platformatic: 5000) */
  timeout?: number;
  /** Connection timeout, ms. @default undefined (platformatic: 5000) */
  connectTimeout?: number;
  /**
   * Retries of a failed request; `true` retries forever. Producers take `kafka.producer.retry.retries` instead.
   * @default undefined (platformatic: 3)
   */
  retries?: number | boolean;
  /** Delay between retries, ms, or a function of the attempt. @default undefined (platformatic: 1000) */
  retryDelay?:
    number | ((client: never, operationId: string, attempt: number, retries: number, error: Error) => number);
  /** How long cached metadata is used, ms. @default undefined (platformatic: 5000) */
  metadataMaxAge?: number;
  /** TLS settings; wins over `kafka.ssl`. @default undefined (kafka.ssl) */
  tls?: ConnectionOptions;
  [setting: string]: unknown;
}
