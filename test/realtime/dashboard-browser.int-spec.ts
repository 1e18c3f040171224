import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureBuilt, startService, type ServiceProcess } from '../e2e/support/service-process.js';
import { launchChromium } from '../support/chromium.js';
import { createTopic, eventually, uniqueName, uniqueSourceType } from '../support/infra.js';

const ARTIFACTS = path.resolve('test-artifacts');

describe('dashboard in a real browser', () => {
  const prefix = `${uniqueName('rt-ui')}:`;
  const type = uniqueSourceType('ui');
  let gateway: ServiceProcess;
  let ingester: ServiceProcess;
  let browser: Browser | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    await createTopic(`events.${type}`, 3);
    const env = {
      CHANNEL_PREFIX: prefix,
      GATEWAY_JWT_SECRET: 'dashboard-test-secret-0123456789abcdef',
      GATEWAY_DEV_TOKENS: '1',
    };
    [gateway, ingester] = await Promise.all([
      startService('gateway', env),
      startService('ingester', { CHANNEL_PREFIX: prefix, SOURCE_TYPES: type }),
    ]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([gateway?.stop(), ingester?.stop()]);
  });

  const post = (id: string, n: number) =>
    fetch(`${ingester.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'order.created', source: { type, id }, data: { n } }),
    });

  it('subscribes, shows an event published through the ingester, resumes after a reconnect', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(gateway.url);
    await page.waitForSelector('body[data-state="live"]', { timeout: 20_000 });

    await page.fill('#target', `${type}:o-1`);
    await page.press('#target', 'Enter');
    await page.waitForSelector('#subs li', { timeout: 20_000 });
    await eventually(async () => (await page.getAttribute('body', 'data-state')) === 'live', 20_000);

    expect((await post('o-1', 1)).status).toBe(202);
    expect((await post('o-2', 2)).status).toBe(202); // another source: must not show up
    await page.waitForSelector('#events td.type', { timeout: 20_000 });
    await eventually(async () => (await page.textContent('#total')) === '1', 10_000);
    expect(await page.textContent('#events')).toContain(`${type}:o-1`);

    // Reconnect: events published while the page was away arrive once, through the Kafka replay.
    await page.click('#reconnect');
    for (let n = 3; n <= 5; n++) expect((await post('o-1', n)).status).toBe(202);
    await eventually(async () => (await page.textContent('#total')) === '4', 20_000);
    await eventually(async () => (await page.getAttribute('body', 'data-state')) === 'live', 20_000);

    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'realtime-dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
  });
});
