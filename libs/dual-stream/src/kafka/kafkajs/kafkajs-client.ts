import type { LoggerService } from '@nestjs/common';
import type { Kafka, KafkaConfig, LogEntry, SASLOptions } from 'kafkajs';
import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import type { ClientTuning } from '../kafka-port.interface.js';
import { kafkajs } from './kafkajs-module.js';

/**
 * kafkajs logs through the module's logger; its config (with SASL secrets) is never logged. kafkajs warns on
 * every idempotent producer with bounded retries that they "may invalidate EoS guarantees": the publisher's
 * producer is replaced after a failed send, which is what keeps them, so that one line is dropped.
 */
function kafkaLogCreator(logger: LoggerService) {
  const { logLevel } = kafkajs();
  return () =>
    ({ level, label, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      const line = `kafkajs ${label}: ${message} ${JSON.stringify(extra)}`;
      // An error *response* (e.g. a new topic's leader not elected yet) is retried by kafkajs itself; what is
      // still failing after its retries reaches our code as a thrown error and is reported there.
      if (level === logLevel.ERROR && message.startsWith('Response ')) logger.debug?.(line);
      else if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
    };
}

/** A kafkajs client for one role of the module (`clientId-role`); the user's `kafka.config` wins. */
export function createKafkajsClient(
  options: ResolvedDualStreamOptions,
  role: string,
  tuning: ClientTuning = {},
): Kafka {
  const { kafka } = options;
  const { Kafka, logLevel } = kafkajs();
  const tuned: Partial<KafkaConfig> = {
    ...(tuning.connectionTimeoutMs !== undefined && { connectionTimeout: tuning.connectionTimeoutMs }),
    ...(tuning.requestTimeoutMs !== undefined && { requestTimeout: tuning.requestTimeoutMs }),
    ...(tuning.retries !== undefined && { retry: { retries: tuning.retries } }),
  };
  return new Kafka({
    clientId: `${kafka.clientId}-${role}`,
    brokers: kafka.brokers,
    ssl: kafka.ssl,
    // The module's own description of kafkajs' SASL union (interfaces/kafka-client-options.interface.ts).
    sasl: kafka.sasl as SASLOptions | undefined,
    logLevel: tuning.silent ? logLevel.NOTHING : logLevel.WARN,
    ...(tuning.silent ? {} : { logCreator: kafkaLogCreator(options.logger) }),
    ...(kafka.config as Partial<KafkaConfig>),
    ...tuned,
  });
}
