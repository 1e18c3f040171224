import { KAFKA_DRIVERS } from '../support/kafka-drivers.js';
import { kafkaPortKillContract } from './kafka-port.contract.js';

// The broker-kill part of the Kafka port's contract, every driver against one broker of this file's own.
describe('Kafka port contract: broker kill', () => {
  kafkaPortKillContract(KAFKA_DRIVERS);
});
