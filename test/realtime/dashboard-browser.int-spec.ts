import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startDashboardStack, type DashboardStack } from '../e2e/support/dashboard-stack.js';
import { eventually } from '../support/infra.js';

const ARTIFACTS = path.resolve('test-artifacts');

describe('dashboard in a real browser', () => {
  let stack: DashboardStack;

  beforeAll(async () => {
    stack = await startDashboardStack('rt-ui');
  });

  afterAll(() => stack?.stop());

  const post = async (id: string, n: number) => (await stack.post(id, { n })).status;

  it('subscribes, shows an event published through the ingester, resumes after a reconnect', async () => {
    const { type } = stack;
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(stack.gateway.url);
    await page.waitForSelector('body[data-state="live"]', { timeout: 20_000 });

    await page.fill('#target', `${type}:o-1`);
    await page.press('#target', 'Enter');
    await page.waitForSelector('#subs li', { timeout: 20_000 });
    await eventually(async () => (await page.getAttribute('body', 'data-state')) === 'live', 20_000);

    expect(await post('o-1', 1)).toBe(202);
    expect(await post('o-2', 2)).toBe(202); // another source: must not show up
    await page.waitForSelector('#events td.type', { timeout: 20_000 });
    await eventually(async () => (await page.textContent('#total')) === '1', 10_000);
    expect(await page.textContent('#events')).toContain(`${type}:o-1`);

    // Reconnect: events published while the page was away arrive once, through the Kafka replay.
    await page.click('#reconnect');
    for (let n = 3; n <= 5; n++) expect(await post('o-1', n)).toBe(202);
    await eventually(async () => (await page.textContent('#total')) === '4', 20_000);
    await eventually(async () => (await page.getAttribute('body', 'data-state')) === 'live', 20_000);

    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'realtime-dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
  });
});
