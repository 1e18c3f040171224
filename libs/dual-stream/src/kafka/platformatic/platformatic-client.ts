import type { BaseOptions, SASLOptions } from '@platformatic/kafka';
import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import type { ClientTuning } from '../kafka-port.interface.js';

/** kafkajs' SASL mechanisms (the module's `kafka.sasl` shape) that map one to one onto `@platformatic/kafka`'s. */
const SASL_MECHANISMS: Record<string, SASLOptions['mechanism']> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

function saslOf(sasl: ResolvedDualStreamOptions['kafka']['sasl']): SASLOptions | undefined {
  if (!sasl) return undefined;
  const mechanism = SASL_MECHANISMS[sasl.mechanism];
  const { username, password } = sasl as { username?: string; password?: string };
  if (!mechanism) {
    throw new Error(
      `DualStreamModule: kafka.sasl mechanism '${sasl.mechanism}' is not mapped for kafka.driver 'platformatic'; ` +
        'set it in kafka.platformatic.sasl (@platformatic/kafka SASL options, e.g. OAUTHBEARER with a token).',
    );
  }
  return { mechanism, username, password };
}

/**
 * The settings every `@platformatic/kafka` client of one role gets (`clientId-role`): brokers, TLS and SASL from
 * the module's options, then the role's tuning, then the user's `kafka.platformatic` (which wins).
 */
export function platformaticBaseOptions(
  options: ResolvedDualStreamOptions,
  role: string,
  tuning: ClientTuning = {},
): BaseOptions {
  const { kafka } = options;
  const tls = kafka.ssl === true ? {} : kafka.ssl || undefined;
  return {
    clientId: `${kafka.clientId}-${role}`,
    bootstrapBrokers: kafka.brokers,
    ...(tls && { tls }),
    ...(kafka.sasl && { sasl: saslOf(kafka.sasl) }),
    ...(tuning.connectionTimeoutMs !== undefined && { connectTimeout: tuning.connectionTimeoutMs }),
    ...(tuning.requestTimeoutMs !== undefined && { timeout: tuning.requestTimeoutMs }),
    ...(tuning.retries !== undefined && { retries: tuning.retries }),
    ...(kafka.platformatic as Partial<BaseOptions>),
  };
}
