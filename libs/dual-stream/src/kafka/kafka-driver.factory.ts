import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { KafkaDriver } from './kafka-port.interface.js';
import { KafkajsDriver } from './kafkajs/kafkajs.driver.js';

const drivers = new WeakMap<ResolvedDualStreamOptions, KafkaDriver>();

/**
 * The Kafka driver of a module instance: one per resolved options object, so the publisher, the transport,
 * replay and topic setup of one module share it (each still creates its own clients).
 */
export function kafkaDriverFor(options: ResolvedDualStreamOptions): KafkaDriver {
  let driver = drivers.get(options);
  if (!driver) drivers.set(options, (driver = new KafkajsDriver(options)));
  return driver;
}
