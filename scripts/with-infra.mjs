#!/usr/bin/env node
// Runs a command with Kafka and Redis available: node scripts/with-infra.mjs <command> [args...]
// Uses KAFKA_BROKERS / REDIS_URL or what already answers, else starts them; the command sees both variables.
// What this runner started is stopped when the command exits (set DUAL_STREAM_KEEP_INFRA=1 to keep it).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/support/local-infra/proc.mjs';
import { resolveInfra } from '../test/support/local-infra/resolve-infra.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-infra.mjs <command> [args...]');
  process.exit(2);
}
const log = (line) => console.error(`[infra] ${line}`);
const infra = await resolveInfra({ log });
const pom = readFileSync(path.join(REPO_ROOT, 'infra/kafka/pom.xml'), 'utf8');
const env = {
  ...process.env,
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  REDIS_URL: infra.redisUrl,
  KAFKA_VERSION: process.env.KAFKA_VERSION ?? /<kafka\.version>([^<]+)</.exec(pom)?.[1] ?? 'unknown',
};

const child = spawn(command, args, { stdio: 'inherit', env });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
if (process.env.DUAL_STREAM_KEEP_INFRA !== '1') {
  for (const handle of [infra.started.kafka, infra.started.redis]) if (handle) await handle.stop();
}
process.exit(code);
