import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { KafkaDriver } from './kafka-port.interface.js';
import { KafkajsDriver } from './kafkajs/kafkajs.driver.js';
import { PlatformaticDriver } from './platformatic/platformatic.driver.js';

const drivers = new WeakMap<ResolvedDualStreamOptions, KafkaDriver>();

/**
 * The Kafka driver of a module instance (`kafka.driver`): one per resolved options object, so the publisher,
 * the transport, replay and topic setup of one module share it (each still creates its own clients). Neither
 * driver loads its client library before a client is created, so only the chosen one must be installed.
 */
export function kafkaDriverFor(options: ResolvedDualStreamOptions): KafkaDriver {
  let driver = drivers.get(options);
  if (!driver) {
    driver = options.kafka.driver === 'platformatic' ? new PlatformaticDriver(options) : new KafkajsDriver(options);
    drivers.set(options, driver);
  }
  return driver;
}
