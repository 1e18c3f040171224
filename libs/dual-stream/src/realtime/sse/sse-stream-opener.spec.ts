import { fakeSseResponse, testSubscriptions } from '../../../../../test/support/fake-realtime.js';
import { ConnectionRegistry } from '../connection-registry.js';
import { hubMetrics } from '../hub-metrics.js';
import type { SseStreamChannel } from './sse-stream-plan.js';
import { SseStreamOpener } from './sse-stream-opener.js';

const CHANNEL = 'events:order:o-1';
const SOURCE = { type: 'order', id: 'o-1' };
const OPTIONS = { heartbeatMs: 0, retryMs: 1500 };

function setup() {
  const t = testSubscriptions();
  const registry = new ConnectionRegistry(t.counters, (sub) => t.opener.drop(sub));
  const opener = new SseStreamOpener(registry, t.opener, t.replay, t.limits, t.counters);
  return { ...t, registry, opener };
}

const live: SseStreamChannel = { channel: CHANNEL, source: SOURCE, at: { channel: CHANNEL, since: 0 }, resume: false };
/** The `status` messages of a stream's body, parsed. */
const statuses = (body: string) =>
  [...body.matchAll(/event: status\ndata: (.*)\n/g)].map(([, json]) => JSON.parse(json) as unknown);

describe('SseStreamOpener (Redis faked at the ioredis boundary, the response in memory)', () => {
  let close: () => Promise<void>;
  afterEach(async () => close());

  it('writes the headers and retry hint, subscribes each channel and reports it in a status message', async () => {
    const t = setup();
    close = t.close;
    const { response, written } = fakeSseResponse();
    await t.opener.open(response, {}, { channels: [live] }, OPTIONS);
    await new Promise((r) => setImmediate(r));
    const body = written();
    expect(body).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(body).toContain('Content-Type: text/event-stream; charset=utf-8\r\n');
    expect(body).not.toMatch(/Transfer-Encoding/i);
    expect(body).toContain('retry: 1500\n');
    expect(statuses(body)).toEqual([{ ok: true, channel: CHANNEL, recovered: true, replayed: 0 }]);
    expect(hubMetrics({ ...t, entries: t.registry.values() })).toMatchObject({
      connections: 1,
      sseStreams: 1,
      subscriptions: 1,
      sseStreamsOpened: 1,
    });
    expect(t.fake.subscribed.has(`p:${CHANNEL}`)).toBe(true);
  });

  it('detaches the stream and releases its channels when the client goes away', async () => {
    const t = setup();
    close = t.close;
    const { response, hangUp } = fakeSseResponse();
    await t.opener.open(response, {}, { channels: [live] }, OPTIONS);
    hangUp();
    for (let i = 0; i < 50 && t.registry.size > 0; i++) await new Promise((r) => setImmediate(r));
    expect(t.registry.size).toBe(0);
    expect(t.fake.subscribed.size).toBe(0);
  });

  it('resumes from the Kafka position of a cursor offset, and says so when a since-time has no position', async () => {
    const t = setup();
    close = t.close;
    t.replay.replay.mockResolvedValue({ recovered: true, replayed: 2, scanned: 2 });
    const o2 = 'events:order:o-2';
    const { response, written } = fakeSseResponse();
    await t.opener.open(
      response,
      {},
      {
        channels: [
          { channel: CHANNEL, source: SOURCE, at: { channel: CHANNEL, partition: 1, offset: '7' }, resume: true },
          { channel: o2, source: { type: 'order', id: 'o-2' }, at: { channel: o2, since: 5 }, resume: true },
        ],
      },
      OPTIONS,
    );
    await new Promise((r) => setImmediate(r));
    expect(t.replay.replay.mock.calls[0].slice(0, 2)).toEqual([
      SOURCE,
      { topic: 'events.order', partition: 1, offset: '7' },
    ]);
    expect(t.replay.positionAt).toHaveBeenCalledWith({ type: 'order', id: 'o-2' }, 5);
    expect(statuses(written())).toEqual(
      expect.arrayContaining([
        { ok: true, channel: CHANNEL, recovered: true, replayed: 2 },
        { ok: true, channel: o2, recovered: false, replayed: 0, reason: 'error' },
      ]),
    );
  });

  it('ends every stream at shutdown, and only streams', async () => {
    const t = setup();
    close = t.close;
    const { response } = fakeSseResponse();
    await t.opener.open(response, {}, { channels: [live] }, OPTIONS);
    const socket = t.connect();
    t.registry.register(socket.entry.connection, {});
    t.opener.endAll();
    expect(response.writableEnded).toBe(true);
    expect(t.registry.size).toBe(1);
    expect(t.fake.subscribed.size).toBe(0);
  });
});
