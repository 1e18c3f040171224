import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, freePort } from '../support/local-infra/proc.mjs';
import { eventually, kafkaBrokers, redisUrl, uniqueName } from '../support/infra.js';
import { E2E_DIST, ensureBuilt } from '../e2e/support/service-process.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('npm run demo', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the three services and the load, prints the dashboard URL, and Ctrl-C stops everything it started', async () => {
    await ensureBuilt();
    const [ingester, gateway, consumer] = [await freePort(), await freePort(), await freePort()];
    const demo = spawn(
      path.join(ROOT, 'node_modules', '.bin', 'node'),
      ['scripts/demo.mjs', '--no-build', '--dist', E2E_DIST, '--rate', '10'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          KAFKA_BROKERS: kafkaBrokers().join(','),
          REDIS_URL: redisUrl(),
          TOPIC_PREFIX: `${uniqueName('demo')}-`,
          CHANNEL_PREFIX: `${uniqueName('demo')}:`,
          CONSUMER_DB_PATH: path.join(dir, 'projection.sqlite'),
          INGESTER_PORT: String(ingester),
          GATEWAY_PORT: String(gateway),
          CONSUMER_PORT: String(consumer),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    demo.stdout.on('data', (d) => (out += d));
    demo.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => out.includes(`http://127.0.0.1:${gateway}/`), 90_000, 200);
      // The load generator's events flow through to the consumer's projection, read with the gateway's token.
      const token = ((await (await fetch(`http://127.0.0.1:${gateway}/dev/token`)).json()) as { token: string }).token;
      expect((await fetch(`http://127.0.0.1:${consumer}/sources/order/o-1001/events`)).status).toBe(401);
      const page = await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${consumer}/sources/order/o-1001/events?limit=10`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await res.json()) as { events: unknown[] };
          return body.events.length > 0 ? body : undefined;
        },
        60_000,
        500,
      );
      expect(page!.events.length).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${gateway}/`)).status).toBe(200);
    } finally {
      demo.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/done: \{"sent":\d+,"accepted":[1-9]/);
    for (const port of [ingester, gateway, consumer]) expect(await canConnect('127.0.0.1', port, 500)).toBe(false);
  }, 180_000);
});
