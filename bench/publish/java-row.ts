// The broker-ceiling row of `npm run bench:publish`: Kafka's own Java producer (ProducerPerformance from the
// kafka-tools artifact, resolved by Maven from bench/java/pom.xml), acks=all, idempotent, 512-byte values,
// no headers, against the same broker and a fresh 3-partition topic.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { resolveMavenClasspath } from '../../test/support/local-infra/kafka-launcher.mjs';
import { round, type BenchRow } from '../support/bench-report.js';
import { freshSourceType } from './publish-rows.js';

/** Records per run: about as many as the Node rows send in their ~8 s on this machine. */
const RECORDS = Number(process.env.BENCH_JAVA_RECORDS ?? 200_000);
const RECORD_BYTES = 512;

/** `N records sent, R records/sec (… MB/sec), A ms avg latency, M ms max latency, p50 ms 50th, p95 …, p99 …` */
const SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec .*?, ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/;

export async function javaRow(kafkaBrokers: string[]): Promise<BenchRow> {
  const { classpath } = await resolveMavenClasspath({
    // From the repository root, where npm runs the benches (as bench-report writes bench/results/).
    pom: path.resolve('bench', 'java', 'pom.xml'),
    name: 'kafka-tools',
  });
  const { topic } = await freshSourceType();
  // `/usr/bin/time` reports the JVM's own CPU (user, system seconds): the client's CPU per event, JVM start
  // and JIT included (~1 s of CPU, a few µs per event at this record count).
  const { stdout, stderr, code } = await run('/usr/bin/time', [
    '-f',
    'cpu %U %S',
    'java',
    '-cp',
    classpath,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(RECORDS),
    '--record-size',
    String(RECORD_BYTES),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${kafkaBrokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
  ]);
  const summary = SUMMARY.exec(stdout.trim().split('\n').at(-1) ?? '');
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  if (code !== 0 || !summary || !cpu) {
    throw new Error(`ProducerPerformance failed (exit ${code}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  }
  const sent = Number(summary[1]);
  return {
    id: 'java',
    label: `Kafka ProducerPerformance (Java client), acks=all, idempotent, ${RECORD_BYTES} B, no headers`,
    eventsPerSec: round(Number(summary[2]), 0),
    p50Ms: Number(summary[5]),
    p99Ms: Number(summary[7]),
    events: sent,
    cpuUsPerEvent: round(((Number(cpu[1]) + Number(cpu[2])) * 1e6) / sent, 1),
  };
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}
