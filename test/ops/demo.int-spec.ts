import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, freePort } from '../support/local-infra/proc.mjs';
import { eventually, kafkaBrokers, redisUrl, uniqueName } from '../support/infra.js';
import { E2E_DIST, ensureBuilt } from '../e2e/support/service-process.js';
import { ensureClientBundle } from '../client/support/client-bundle.js';
import { launchChromium } from '../support/chromium.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('npm run demo', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the three services and the load, prints the dashboard URL, the page shows the load at once, and Ctrl-C stops everything it started', async () => {
    await Promise.all([ensureBuilt(), ensureClientBundle()]);
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

      // Opened as a new user would: no typing, the load's sources are subscribed and their events show up.
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        await tab.goto(`http://127.0.0.1:${gateway}/`);
        await eventually(async () => (await tab.$$('#channels tr[data-target]')).length === 5, 30_000);
        const targets = await tab.$$eval('#channels tr[data-target]', (rows) =>
          rows.map((r) => (r as HTMLElement).dataset.target),
        );
        expect(targets).toEqual(expect.arrayContaining(['events:order:o-1001', 'events:sensor:greenhouse-1']));
        await eventually(async () => (await tab.$$('#events tr[data-id]')).length >= 3, 30_000);
        await eventually(async () => (await tab.getAttribute('body', 'data-state')) === 'live', 20_000);
      } finally {
        await browser.close();
      }
    } finally {
      demo.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/done: \{"sent":\d+,"accepted":[1-9]/);
    for (const port of [ingester, gateway, consumer]) expect(await canConnect('127.0.0.1', port, 500)).toBe(false);
  }, 180_000);
});
