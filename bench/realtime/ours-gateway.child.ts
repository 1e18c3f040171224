// Child process: one real gateway (GatewayModule) on PORT, announcing on PREFIX. Answers `rss` over IPC.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { GatewayModule } from '../../apps/gateway/src/gateway.module.js';
import { BENCH_SECRET, reply, memoryAfterGc, cpuMicros, watchLoopDelay, type ParentMessage } from './bench-clock.js';
void watchLoopDelay('ours-gateway');

const [port, prefix] = process.argv.slice(2);
const app = await NestFactory.create(
  GatewayModule.forRoot({
    dualStream: {
      kafka: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'bench-gateway' },
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', channelPrefix: prefix },
      logger: false,
    },
    jwtSecret: BENCH_SECRET,
    devTokens: false,
  }),
  { logger: ['error'] },
);
await app.listen(Number(port), '127.0.0.1');
process.on('message', (message: ParentMessage) => {
  if (message.type === 'rss') reply({ type: 'rss', ...memoryAfterGc() });
  if (message.type === 'cpu') reply({ type: 'cpu', micros: cpuMicros() });
  if (message.type === 'stop') void app.close().then(() => process.exit(0));
});
reply({ type: 'ready' });
