import { kafkaPortContract } from './kafka-port.contract.js';

// The Kafka port's contract on the kafkajs driver (the default).
describe('Kafka port contract: kafkajs', () => {
  kafkaPortContract('kafkajs');
});
