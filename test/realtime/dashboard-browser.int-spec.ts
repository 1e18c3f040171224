import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
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
  /** Types a source into the page's form, then waits until its row is there and the page is live on it. */
  const subscribeTo = async (page: Page, source: string) => {
    await page.fill('#target', source);
    await page.press('#target', 'Enter');
    await page.waitForSelector(`#subs li[data-target="events:${source}"]`, { timeout: 20_000 });
    await eventually(async () => (await page.getAttribute('body', 'data-state')) === 'live', 20_000);
  };

  it('subscribes, shows an event published through the ingester, resumes after a reconnect', async () => {
    const { type } = stack;
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(stack.gateway.url);
    await page.waitForSelector('body[data-state="live"]', { timeout: 20_000 });

    await subscribeTo(page, `${type}:o-1`);

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

  it('in SSE mode (?transport=sse): shows an event published through the ingester, under the strict CSP', async () => {
    const { type } = stack;
    const page = await stack.browser.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    page.on('pageerror', (error) => violations.push(error.stack ?? error.message));
    await page.goto(`${stack.gateway.url}/?transport=sse`);
    expect(await page.inputValue('#transport')).toBe('sse');
    await page.waitForSelector('body[data-state="live"]', { timeout: 20_000 });

    await subscribeTo(page, `${type}:s-1`);
    expect(await post('s-1', 1)).toBe(202);
    expect(await post('s-2', 2)).toBe(202); // not subscribed yet: must not show up
    await eventually(async () => (await page.textContent('#total')) === '1', 20_000);
    expect(await page.textContent('#events')).toContain(`${type}:s-1`);

    // A second channel means a new stream carrying the first one's cursor: the first event is not shown twice.
    await subscribeTo(page, `${type}:s-2`);
    expect(await post('s-1', 3)).toBe(202);
    expect(await post('s-2', 4)).toBe(202);
    await eventually(async () => (await page.textContent('#total')) === '3', 20_000);
    expect(await page.textContent('#duplicates')).toBe('0');
    expect(violations).toEqual([]);
  });
});

describe('dashboard in a real browser, with dev tokens that live 4 s', () => {
  const TTL_S = 4;
  let stack: DashboardStack;

  beforeAll(async () => {
    stack = await startDashboardStack('rt-ui-ttl', () => ({ GATEWAY_DEV_TOKEN_TTL_S: String(TTL_S) }));
  });

  afterAll(() => stack?.stop());

  it.each(['sse', 'socket.io'])('%s: events published after several token lifetimes arrive once each', async (mode) => {
    const { type } = stack;
    const id = `ttl-${mode === 'sse' ? 's' : 'w'}`;
    const page = await stack.browser.newPage();
    const tokens: string[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/dev/token') tokens.push(req.url());
    });
    await page.goto(`${stack.gateway.url}/?transport=${mode === 'sse' ? 'sse' : 'socket'}`);
    await page.waitForSelector('body[data-state="live"]', { timeout: 20_000 });
    await page.fill('#target', `${type}:${id}`);
    await page.press('#target', 'Enter');
    await page.waitForSelector(`#subs li[data-target="events:${type}:${id}"]`, { timeout: 20_000 });
    await eventually(async () => (await page.getAttribute('body', 'data-state')) === 'live', 20_000);

    let sent = 0;
    for (let lifetime = 0; lifetime < 3; lifetime++) {
      expect((await stack.post(id, { n: ++sent })).status).toBe(202);
      await eventually(async () => (await page.textContent('#total')) === String(sent), 20_000);
      // Past the token's expiry before the next event: it must reach the page through a renewed token.
      await new Promise((r) => setTimeout(r, TTL_S * 1000));
    }
    expect((await stack.post(id, { n: ++sent })).status).toBe(202);
    await eventually(async () => (await page.textContent('#total')) === String(sent), 20_000);
    expect(await page.textContent('#duplicates')).toBe('0');
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    const notices = (await page.textContent('#notices')) ?? '';
    // SSE renews the cookie and reopens before `exp`, so the gateway never has to end a stream for expiry; a
    // socket.io connection is ended at `exp` and the SDK reconnects with a new token (and resumes).
    if (mode === 'sse') expect(notices).not.toContain('token-expired');
    else expect(notices).toContain('token-expired');
    await page.close();
  });
});
