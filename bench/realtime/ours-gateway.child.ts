// Child process: one real gateway (GatewayModule) on PORT, announcing on PREFIX, on the Kafka driver DRIVER
// (argument 3, default kafkajs: replays read Kafka through it). Answers `rss` over IPC.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { GatewayModule } from '../../apps/gateway/src/gateway.module.js';
import { SSE_DEFAULTS } from '../../apps/gateway/src/gateway.config.js';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { BENCH_SECRET, redisOf } from './bench-fixtures.js';
import { reply, type ParentMessage } from './child-protocol.js';
import { watchLoopDelay } from './diagnostics.js';
import { cpuMicros, memoryAfterGc } from './process-usage.js';
void watchLoopDelay('ours-gateway');

const [port, prefix, driver = 'kafkajs'] = process.argv.slice(2);
const { kafkaBrokers, redisUrl } = infraFromEnv();
const app = await NestFactory.create(
  GatewayModule.forRoot({
    dualStream: {
      kafka: { brokers: kafkaBrokers, clientId: 'bench-gateway', driver: driver as 'kafkajs' | 'platformatic' },
      redis: redisOf(redisUrl, prefix),
      // As on the publisher: events replayed after a gap marker carry the latency stamp too.
      realtime: { inlineData: true },
      logger: false,
    },
    jwtSecret: BENCH_SECRET,
    devTokens: false,
    // Every benchmark client holds the same token: the per-principal stream cap must not refuse them.
    sse: { ...SSE_DEFAULTS, maxStreamsPerPrincipal: 10_000 },
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
