import { kafkaPortContract } from './kafka-port.contract.js';

// The Kafka port's contract on the kafkajs driver (the default; the broker-kill part: broker-restart.int-spec.ts).
describe('Kafka port contract: kafkajs', () => {
  kafkaPortContract('kafkajs');
});
