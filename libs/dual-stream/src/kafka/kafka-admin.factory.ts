import { resolveDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { DualStreamModuleOptions } from '../interfaces/dual-stream-options.interface.js';
import { kafkaDriverFor } from './kafka-driver.factory.js';
import type { ClientTuning, KafkaAdminPort } from './kafka-port.interface.js';

/**
 * An admin client of the Kafka port (through `kafka.driver`'s client library) for apps that read topic offsets,
 * committed offsets or the cluster (lag metrics, readiness probes) without naming a client library. Not
 * connected yet: call `connect()`, and `disconnect()` when done.
 *
 * @param options the module's options (only `kafka` is used).
 * @param role suffix of the client id (`{clientId}-{role}`). @default 'admin'
 * @param tuning timeouts and retries of this client, e.g. short ones for a probe. @default {} (the client's own)
 */
export function createKafkaAdmin(
  options: Pick<DualStreamModuleOptions, 'kafka' | 'logger'>,
  role = 'admin',
  tuning: ClientTuning = {},
): KafkaAdminPort {
  return kafkaDriverFor(resolveDualStreamOptions({ logger: false, ...options })).admin(role, tuning);
}
