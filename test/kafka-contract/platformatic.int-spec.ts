import { kafkaPortContract } from './kafka-port.contract.js';

// The Kafka port's contract on the @platformatic/kafka driver (the broker-kill part: broker-restart.int-spec.ts).
describe('Kafka port contract: platformatic', () => {
  kafkaPortContract('platformatic');
});
