// Diagnostic (not part of `npm run bench:*`): the publisher child's own cost at a rate, alone — CPU, GC
// pauses (run with --trace-gc) and allocation — so publisher changes can be compared without the fan-out.
import 'reflect-metadata';
import { PerformanceObserver } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { defaultTopic, DualStreamModule, DualStreamPublisher } from '@dual-stream/nestjs';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { createTopicsAndWait } from '../../test/support/kafka-topics.js';
import { runAtRate } from './bench-clock.js';
import { benchSource } from './bench-fixtures.js';

const rate = Number(process.argv[2] ?? 5000);
const seconds = Number(process.argv[3] ?? 10);
// Latencies count only after this warm-up (the rate step's transient is not the steady state).
const warmupMs = Number(process.argv[4] ?? 3000);
const { kafkaBrokers: brokers, redisUrl } = infraFromEnv();
const type = `gcprobe_${Date.now().toString(36)}`;
await createTopicsAndWait(brokers, [{ topic: defaultTopic({ source: benchSource(type, 0) }), numPartitions: 3 }]);
const app = await NestFactory.createApplicationContext(
  DualStreamModule.forRoot({
    kafka: { brokers, clientId: 'gc-probe' },
    redis: { url: redisUrl, channelPrefix: `gcprobe-${type}:` },
    realtime: { inlineData: true },
    logger: false,
  }),
  { logger: ['error'] },
);
const publisher = app.get(DualStreamPublisher);
const pauses: number[] = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
new PerformanceObserver((list) =>
  list.getEntries().forEach((e) => e.startTime - t0 >= warmupMs && pauses.push(e.duration)),
).observe({ entryTypes: ['gc'] });
const latencies: number[] = [];
const inflight = new Set<Promise<unknown>>();
await runAtRate(rate, seconds * 1000, (seq) => {
  const start = performance.now();
  const measured = start - t0 >= warmupMs;
  const p = publisher
    .publish({ type: 'bench.tick', source: benchSource(type, seq % 50), data: { t0: start, seq } })
    .then(() => {
      if (measured) latencies.push(performance.now() - start);
    });
  inflight.add(p);
  void p.finally(() => inflight.delete(p));
});
await Promise.all(inflight);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
latencies.sort((a, b) => a - b);
pauses.sort((a, b) => a - b);
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]?.toFixed(2);
console.log(
  `rate ${rate}/s: cpu ${((100 * (cpu.user + cpu.system)) / 1000 / wall).toFixed(1)}% · publish p50 ${q(latencies, 0.5)} p99 ${q(latencies, 0.99)} ms · ` +
    `gc ${pauses.length} pauses, total ${pauses.reduce((a, b) => a + b, 0).toFixed(0)} ms, max ${pauses.at(-1)?.toFixed(1)} ms, p50 ${q(pauses, 0.5)} ms`,
);
await app.close();
process.exit(0);
