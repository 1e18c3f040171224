import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { eventually } from '../support/infra.js';
import { channelOf, freshSourceType, publishOne } from '../support/realtime-publishing.js';
import { realtimeStack, token } from '../support/realtime-stack.js';

interface PageState {
  events: { lastEventId: string; data: { channel: string; event: { id: string } } }[];
  statuses: { ok?: boolean }[];
  cookie: string;
}

/**
 * A browser's own `EventSource` on a gateway page (same origin, no headers): the token goes through
 * `POST /sse/session` into an HttpOnly cookie, and the stream delivers a published event with its cursor.
 */
describe('SSE in a real browser (native EventSource)', () => {
  const stack = realtimeStack('rt-sse-ui', { publisher: true });
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('authenticates with the stream cookie and receives an event with its cursor as lastEventId', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'browser' };
    const channel = channelOf(source);
    const auth = await token([channel], [], 'sse-browser');
    const page = await browser!.newPage();
    await page.goto(stack.gateway.url);
    await page.evaluate(
      async ({ auth, channel }) => {
        const res = await fetch('/sse/session', { method: 'POST', headers: { authorization: `Bearer ${auth}` } });
        if (res.status !== 204) throw new Error(`POST /sse/session answered ${res.status}`);
        const state: PageState = { events: [], statuses: [], cookie: document.cookie };
        (window as unknown as { sse: PageState }).sse = state;
        const stream = new EventSource(`/sse?channel=${encodeURIComponent(channel)}`);
        stream.addEventListener('status', (e) => state.statuses.push(JSON.parse(e.data)));
        stream.addEventListener('event', (e) =>
          state.events.push({ lastEventId: e.lastEventId, data: JSON.parse(e.data) }),
        );
      },
      { auth, channel },
    );
    const read = () => page.evaluate(() => (window as unknown as { sse: PageState }).sse);
    await eventually(async () => (await read()).statuses.some((s) => s.ok === true), 30_000);
    const receipt = await publishOne(stack.publisher, source, 1);
    await eventually(async () => (await read()).events.length === 1, 30_000);
    const state = await read();
    expect(state.events[0]!.data).toMatchObject({ channel, event: { id: receipt.id } });
    expect(state.events[0]!.lastEventId).toMatch(/^1\.[A-Za-z0-9_-]+$/);
    // HttpOnly: page scripts never see the token.
    expect(state.cookie).not.toContain('ds_sse_token');
    await page.close();
  });
});
