import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { connect, ConnectionRefusedError, type ChannelEvent, type DualStreamClient } from '@dual-stream/client';
import { channelFor, type EventSource } from '@dual-stream/nestjs';
import { REPO_ROOT } from '../support/local-infra/proc.mjs';
import { http } from '../e2e/support/service-process.js';
import { launchChromium } from '../support/chromium.js';
import { eventually, sleep, uniqueName } from '../support/infra.js';
import { SdkStack, type Receipt } from './support/sdk-stack.js';

const ids = (receipts: Receipt[]) => receipts.map((r) => r.id);

/** Per channel, what one SDK client handed over, in order. */
function collector() {
  const byChannel = new Map<string, ChannelEvent[]>();
  const onEvent = (event: ChannelEvent, info: { channel: string }) => {
    let list = byChannel.get(info.channel);
    if (!list) byChannel.set(info.channel, (list = []));
    list.push(event);
  };
  const of = (source: EventSource) => byChannel.get(channelFor('', source)) ?? [];
  return { onEvent, of };
}

describe('@dual-stream/client against the real gateway (processes, Kafka, Redis)', () => {
  // A small outbound queue makes a frozen client "slow" quickly; a reading client never comes near it.
  const stack = new SdkStack({ GATEWAY_MAX_QUEUED_MESSAGES: '200' });
  const clients: DualStreamClient[] = [];
  const open = (options: Omit<Parameters<typeof connect>[0], 'url'>) => {
    const client = connect({
      url: stack.url('gateway'),
      reconnectDelayMs: 200,
      reconnectDelayMaxMs: 1000,
      socketOptions: { transports: ['websocket'] },
      ...options,
    } as Parameters<typeof connect>[0]);
    clients.push(client);
    return client;
  };

  beforeAll(() => stack.start(['gateway', 'ingester']), 240_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  }, 60_000);

  it('resumes every channel after the gateway is killed and another instance starts: each event once, in order', async () => {
    const sources = [0, 1, 2].map(() => ({ type: 'order', id: uniqueName('kill') }));
    const { onEvent, of } = collector();
    const client = open({ token: await stack.token(sources) });
    for (const source of sources) client.subscribe(channelFor('', source), { onEvent });
    await eventually(() => client.status === 'live', 30_000);

    const sent = new Map<EventSource, Receipt[]>(sources.map((s) => [s, []]));
    let publishing = true;
    const publisher = (async () => {
      for (let round = 0; publishing; round++) {
        for (const source of sources) sent.get(source)!.push(...(await stack.publish(source, 3, `r${round}`)));
        await sleep(20);
      }
    })();
    await eventually(() => sources.every((s) => of(s).length > 10), 30_000);
    await stack.down('gateway', 'SIGKILL');
    await eventually(() => client.status === 'offline', 30_000);
    await sleep(1000); // events published while no gateway runs: only the Kafka replay can deliver them
    await stack.up('gateway');
    await eventually(() => client.status === 'live', 60_000);
    await sleep(1000);
    publishing = false;
    await publisher;

    for (const source of sources) {
      await eventually(() => of(source).length >= sent.get(source)!.length, 60_000);
    }
    await sleep(300);
    for (const source of sources) expect(of(source).map((e) => e.id)).toEqual(ids(sent.get(source)!));
    expect(client.metrics().reconnects).toBe(1);
  }, 180_000);

  it('a client the gateway disconnects as slow reconnects by itself and resumes from its last delivered event', async () => {
    const source = { type: 'order', id: uniqueName('frozen') };
    const child: ChildProcess = fork(
      path.join(REPO_ROOT, 'test', 'client', 'support', 'sdk-child.mjs'),
      [stack.url('gateway'), await stack.token([source]), channelFor('', source)],
      {
        execPath: path.join(REPO_ROOT, 'node_modules', '.bin', 'node'),
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const events: { id: string; offset: string }[] = [];
    const reasons: string[] = [];
    let status = 'offline';
    let metrics: { reconnects: number; duplicatesDropped: number } | undefined;
    child.on('message', (m: any) => {
      if (m.event) events.push(m.event);
      if (m.status) status = m.status;
      if (m.disconnect) reasons.push(m.disconnect);
      if (m.metrics) metrics = m.metrics;
    });
    try {
      await eventually(() => status === 'live', 30_000);
      const sent = await stack.publish(source, 10, 'before');
      await eventually(() => events.length === 10, 30_000);

      // Frozen: it reads nothing while the gateway keeps sending, until the gateway gives up on it.
      child.kill('SIGSTOP');
      const slowBefore = await stack.metric('gateway', 'dual_stream_hub_slow_disconnects_total');
      for (let round = 0; round < 60; round++) {
        sent.push(...(await stack.publish(source, 1000, `burst-${round}`)));
        if ((await stack.metric('gateway', 'dual_stream_hub_slow_disconnects_total')) > slowBefore) break;
      }
      expect(await stack.metric('gateway', 'dual_stream_hub_slow_disconnects_total')).toBeGreaterThan(slowBefore);
      child.kill('SIGCONT');

      sent.push(...(await stack.publish(source, 10, 'after')));
      await eventually(() => events.length >= sent.length && status === 'live', 120_000, 200);
      await sleep(300);
      child.send('metrics');
      await eventually(() => metrics, 10_000);
      expect(events.map((e) => e.id)).toEqual(ids(sent));
      expect(reasons.length).toBeGreaterThanOrEqual(1);
      expect(metrics!.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  }, 240_000);

  it('retries a refused handshake with a fresh token from getToken', async () => {
    const source = { type: 'order', id: uniqueName('token') };
    const good = await stack.token([source]);
    const handed: string[] = [];
    const errors: Error[] = [];
    const { onEvent, of } = collector();
    const client = open({ getToken: () => (handed.push(handed.length === 0 ? 'expired' : good), handed.at(-1)!) });
    client.on('error', (err) => errors.push(err));
    client.subscribe(channelFor('', source), { onEvent });
    await eventually(() => client.status === 'live', 30_000);
    const sent = await stack.publish(source, 3, 'token');
    await eventually(() => of(source).length === 3, 30_000);
    expect(of(source).map((e) => e.id)).toEqual(ids(sent));
    expect(handed).toEqual(['expired', good]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConnectionRefusedError);
    expect((errors[0] as ConnectionRefusedError).reason).toMatch(/^unauthorized/);
  });

  it('pattern subscriptions get the live events of every matching channel', async () => {
    const group = uniqueName('grp');
    const [a, b] = [`${group}-a`, `${group}-b`].map((id) => ({ type: 'order', id }));
    const seen: string[] = [];
    const client = open({ token: await stack.token([], [`events:order:${group}-*`]) });
    client.subscribePattern(`events:order:${group}-*`, { onEvent: (e, info) => seen.push(`${info.channel}:${e.id}`) });
    await eventually(() => client.status === 'live', 30_000);
    await sleep(200); // the pattern's ack came before `live`; give Redis' PSUBSCRIBE a moment
    const sent = [...(await stack.publish(a!, 2, 'p')), ...(await stack.publish(b!, 1, 'p'))];
    await eventually(() => seen.length === 3, 30_000);
    expect(seen.sort()).toEqual(
      [
        `${channelFor('', a!)}:${sent[0]!.id}`,
        `${channelFor('', a!)}:${sent[1]!.id}`,
        `${channelFor('', b!)}:${sent[2]!.id}`,
      ].sort(),
    );
  });

  describe('the browser build at /client.js', () => {
    let browser: Browser | undefined;
    afterAll(() => browser?.close());

    it('is an ES module the gateway serves, and works in Chromium', async () => {
      const res = await http(`${stack.url('gateway')}/client.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(res.text).toMatch(/export\s*\{/);

      browser = await launchChromium();
      const source = { type: 'order', id: uniqueName('browser') };
      const page = await browser.newPage();
      await page.goto(`${stack.url('gateway')}/client.js`);
      await page.evaluate(
        async ({ token, channel, bundle }) => {
          const sdk = await import(bundle);
          const state = { events: [] as string[], status: 'offline' };
          (globalThis as any).sdkState = state;
          const client = sdk.connect({ url: location.origin, token });
          client.on('status', (s: string) => (state.status = s));
          client.subscribe(channel, { onEvent: (e: { id: string }) => state.events.push(e.id) });
        },
        { token: await stack.token([source]), channel: channelFor('', source), bundle: '/client.js' },
      );
      await page.waitForFunction(() => (globalThis as any).sdkState.status === 'live', undefined, { timeout: 30_000 });
      const sent = await stack.publish(source, 2, 'browser');
      await page.waitForFunction(() => (globalThis as any).sdkState.events.length === 2, undefined, {
        timeout: 30_000,
      });
      expect(await page.evaluate(() => (globalThis as any).sdkState.events)).toEqual(ids(sent));
    }, 120_000);
  });
});
