import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { eventually } from '../support/infra.js';
import { startDashboardStack, type DashboardStack } from './support/dashboard-stack.js';
import { http, startService } from './support/service-process.js';

const ARTIFACTS = path.resolve('test-artifacts');

/**
 * The dashboard (built on the SDK's browser bundle) against a real gateway and ingester: it opens on the
 * configured channels without any typing, and when the gateway process is SIGKILLed and started again it
 * resumes and shows every event exactly once, the ones posted during the outage included.
 */
describe('dashboard: configured channels, gateway SIGKILL and restart', () => {
  let stack: DashboardStack;
  let channels: string[];
  const posted: { id: string; channel: string }[] = [];

  beforeAll(async () => {
    stack = await startDashboardStack('dash', (type) => ({
      GATEWAY_DASHBOARD_CHANNELS: `events:${type}:o-1,events:${type}:o-2`,
    }));
    channels = [`events:${stack.type}:o-1`, `events:${stack.type}:o-2`];
  });

  afterAll(() => stack?.stop());

  const post = async (id: string) => {
    const { status, id: eventId } = await stack.post(id, { n: posted.length });
    expect(status).toBe(202);
    posted.push({ id: eventId, channel: `events:${stack.type}:${id}` });
  };
  const state = (page: Page) => page.getAttribute('body', 'data-state');
  /** Event ids in the events table, in the order shown (newest first). */
  const shownIds = (page: Page) =>
    page.$$eval('#events tr[data-id]', (rows) => rows.map((r) => (r as HTMLElement).dataset.id!));
  const countOf = (page: Page, channel: string) =>
    page.getAttribute(`#channels tr[data-target="${channel}"]`, 'data-count');

  it('serves the page with a strict CSP, static files only, and the configured channels', async () => {
    const page = await http(stack.gateway.url);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
    expect(page.text).not.toMatch(/\sstyle=/);
    expect((await http(`${stack.gateway.url}/dashboard/config`)).body).toEqual({ channels });
    const script = await http(`${stack.gateway.url}/dashboard/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const missing of ['index.html', '..%2Fsrc%2Fmain.ts', 'nope.js']) {
      expect((await http(`${stack.gateway.url}/dashboard/${missing}`)).status).toBe(404);
    }
  });

  it('shows events at once, then resumes after kill -9 of the gateway with every event exactly once', async () => {
    const page = await stack.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
    });
    await page.goto(stack.gateway.url);
    // Subscribed to the configured channels without any typing.
    await eventually(async () => (await page.$$('#channels tr[data-target]')).length === 2, 20_000);
    await eventually(async () => (await state(page)) === 'live', 20_000);

    await post('o-1');
    await post('o-2');
    await eventually(async () => (await shownIds(page)).length === 2, 20_000);

    expect(await stack.gateway.stop('SIGKILL')).toBe('SIGKILL');
    await eventually(async () => (await state(page)) === 'offline', 20_000);
    for (const id of ['o-1', 'o-2', 'o-1', 'o-1', 'o-2']) await post(id); // published while no gateway runs
    stack.gateway = await startService('gateway', stack.gatewayEnv, stack.gateway.port);

    await eventually(async () => (await shownIds(page)).length === 7, 60_000);
    await eventually(async () => (await state(page)) === 'live', 20_000);
    await post('o-2');
    await post('o-1');
    await eventually(async () => (await shownIds(page)).length === 9, 20_000);

    const shown = await shownIds(page);
    expect(new Set(shown).size).toBe(shown.length); // each event once
    expect([...shown].sort()).toEqual(posted.map((p) => p.id).sort());
    for (const channel of channels) {
      const ids = posted.filter((p) => p.channel === channel).map((p) => p.id);
      // The channel table is redrawn twice a second.
      await eventually(async () => (await countOf(page, channel)) === String(ids.length), 5_000);
      // Per channel, newest first on the page = publish order reversed.
      const rows = await page.$$eval(`#events tr[data-channel="${channel}"]`, (trs) =>
        trs.map((r) => (r as HTMLElement).dataset.id!),
      );
      expect(rows).toEqual([...ids].reverse());
    }
    expect(await page.textContent('#duplicates')).toBe('0');
    expect(await page.textContent('#holes')).toBe('0');
    const notices = await page.$$eval('#notices li[data-kind]', (lis) =>
      lis.map((l) => (l as HTMLElement).dataset.kind),
    );
    expect(notices).toEqual(expect.arrayContaining(['status-offline', 'status-recovering', 'status-live']));
    expect(problems).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-gateway-restart.png'), fullPage: true });
  });
});
