// Child process: the real DualStreamPublisher (Kafka first, then Redis) publishing at a rate on 50 sources, on
// the Kafka driver DRIVER (argument 4, default kafkajs). Answers `cpu` over IPC (its CPU per published event).
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DualStreamModule, DualStreamPublisher } from '@dual-stream/nestjs';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { runAtRate, windowCounter } from './bench-clock.js';
import { benchSource, redisOf } from './bench-fixtures.js';
import { reply, type ParentMessage } from './child-protocol.js';
import { watchLoopDelay } from './diagnostics.js';
import { cpuMicros } from './process-usage.js';
void watchLoopDelay('publisher');

const [prefix, type, channels, driver = 'kafkajs'] = process.argv.slice(2);
const { kafkaBrokers, redisUrl } = infraFromEnv();
const app = await NestFactory.createApplicationContext(
  DualStreamModule.forRoot({
    kafka: { brokers: kafkaBrokers, clientId: 'bench-publisher', driver: driver as 'kafkajs' | 'platformatic' },
    redis: redisOf(redisUrl, prefix),
    // The latency stamp travels in `data`, so the notification must carry it.
    realtime: { inlineData: true },
    logger: false,
  }),
  { logger: ['error'] },
);
const publisher = app.get(DualStreamPublisher);
let failed = 0;

process.on('message', (message: ParentMessage) => void onMessage(message));

async function onMessage(message: ParentMessage): Promise<void> {
  if (message.type === 'cpu') reply({ type: 'cpu', micros: cpuMicros() });
  if (message.type === 'run') {
    const count = Number(channels);
    const window = windowCounter(message.windowFrom, message.windowTo);
    const inflight = new Set<Promise<unknown>>();
    const sent = await runAtRate(message.rate, message.durationMs, (seq) => {
      const p = publisher
        .publish({ type: 'bench.tick', source: benchSource(type, seq % count), data: { t0: window.stamp(), seq } })
        .catch(() => failed++);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    });
    await Promise.all(inflight);
    if (failed > 0) console.error(`publisher: ${failed} publishes failed`);
    reply({ type: 'done', sent, inWindow: window.count() });
  }
  if (message.type === 'stop') void app.close().then(() => process.exit(0));
}
reply({ type: 'ready' });
