import type { LoggerService } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { ResolvedDualStreamOptions } from './dual-stream-options.resolver.js';

/** kafkajs logs through the module's logger; its config (with SASL secrets) is never logged. */
function kafkaLogCreator(logger: LoggerService) {
  return () =>
    ({ level, label, log }: LogEntry) => {
      const { message, ...extra } = log;
      const line = `kafkajs ${label}: ${message} ${JSON.stringify(extra)}`;
      // An error *response* (e.g. a new topic's leader not elected yet) is retried by kafkajs itself; what is
      // still failing after its retries reaches our code as a thrown error and is reported there.
      if (level === logLevel.ERROR && message.startsWith('Response ')) logger.debug?.(line);
      else if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
    };
}

export function createKafkaClient(options: ResolvedDualStreamOptions, clientIdSuffix?: string): Kafka {
  const { kafka } = options;
  return new Kafka({
    clientId: clientIdSuffix ? `${kafka.clientId}-${clientIdSuffix}` : kafka.clientId,
    brokers: kafka.brokers,
    ssl: kafka.ssl,
    sasl: kafka.sasl,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(options.logger),
    ...kafka.config,
  });
}
