import { spawn } from 'node:child_process';
import { encodeSseCursor, type EventSource as Source, type PublishReceipt } from '@dual-stream/nestjs';
import { signGatewayToken } from '@app/service-kit';
import { openSseStream, type SseStream } from '../support/sse-stream.js';
import { eventually, withAdmin } from '../support/infra.js';
import { channelOf, freshSourceType, publishOne } from '../support/realtime-publishing.js';
import { floodWhileSamplingQueue, realtimeStack, startGateway, TEST_SECRET, token } from '../support/realtime-stack.js';

const MAX_QUEUED_BYTES = 512 * 1024;
const PAYLOAD = 'x'.repeat(8000);
const HEARTBEAT_MS = 300;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const offsetsOf = (stream: SseStream, channel: string): string[] =>
  stream
    .data<{ channel: string; event: { offset: string } }>('event')
    .filter((m) => m.channel === channel)
    .map((m) => m.event.offset);

/**
 * `GET /sse` on the real gateway module with real Kafka and Redis: the wire format, resume by cursor, every
 * refusal, the slow-client cut, token expiry, the stream cookie and the per-principal cap (docs/sse.md).
 */
describe('Server-Sent Events from the gateway', () => {
  const stack = realtimeStack('rt-sse', {
    gateways: [
      {
        hub: { maxQueuedMessages: 200, maxQueuedBytes: MAX_QUEUED_BYTES },
        sse: { heartbeatMs: HEARTBEAT_MS, retryMs: 750, maxChannels: 4, maxStreamsPerPrincipal: 2 },
      },
    ],
    publisher: true,
  });
  const { prefix } = stack;
  const streams: SseStream[] = [];
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const stream = await openSseStream(`${stack.gateway.url}${path}`, headers);
    streams.push(stream);
    return stream;
  };
  const query = (...channels: string[]) => `/sse?${channels.map((c) => `channel=${encodeURIComponent(c)}`).join('&')}`;
  const acked = (stream: SseStream, n: number) =>
    eventually(() => stream.data<{ ok?: boolean }>('status').filter((s) => s.ok !== undefined).length >= n, 30_000);
  const publishEach = async (sources: Source[], n: number): Promise<Map<string, PublishReceipt[]>> => {
    const sent = new Map<string, PublishReceipt[]>(sources.map((s) => [channelOf(s), []]));
    for (let i = 0; i < n; i++) {
      for (const s of sources) sent.get(channelOf(s))!.push(await publishOne(stack.publisher, s, i));
    }
    return sent;
  };

  afterAll(() => {
    for (const s of streams) s.close();
  });

  it('streams two channels live with the headers, retry hint and a cursor on every message; the cursor resumes both', async () => {
    const type = await freshSourceType();
    const a = { type, id: 'a' };
    const b = { type, id: 'b' };
    const auth = bearer(await token([`events:${type}:*`], [], 'sse-live'));
    const first = await open(query(channelOf(a), channelOf(b)), auth);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-cache, no-transform');
    expect(first.headers['x-accel-buffering']).toBe('no');
    expect(first.headers['content-encoding']).toBeUndefined();
    // One write per message: no chunk framing, the body ends with the connection.
    expect(first.headers['transfer-encoding']).toBeUndefined();
    expect(first.headers.connection).toBe('close');
    await acked(first, 2);
    expect(first.text().startsWith('retry: 750\n\n')).toBe(true);
    expect(first.data('status')).toEqual(
      expect.arrayContaining([
        { ok: true, channel: channelOf(a), recovered: true, replayed: 0 },
        { ok: true, channel: channelOf(b), recovered: true, replayed: 0 },
      ]),
    );

    const live = await publishEach([a, b], 3);
    await eventually(() => first.data('event').length === 6, 30_000);
    for (const s of [a, b]) {
      expect(offsetsOf(first, channelOf(s))).toEqual(live.get(channelOf(s))!.map((r) => r.offset));
    }
    expect(first.messages.every((m) => m.id?.startsWith('1.'))).toBe(true);
    // The same JSON a socket.io client gets: { channel, event: notification }.
    expect(first.data('event')[0]).toMatchObject({
      channel: channelOf(a),
      event: { id: live.get(channelOf(a))![0]!.id },
    });
    const cursor = first.lastId()!;
    first.close();

    const missed = await publishEach([a, b], 2);
    for (const resumed of [
      await open(query(channelOf(a), channelOf(b)), { ...auth, 'last-event-id': cursor }),
      await open(`${query(channelOf(a), channelOf(b))}&lastEventId=${cursor}`, auth),
    ]) {
      await acked(resumed, 2);
      await eventually(() => resumed.data('event').length >= 4, 30_000);
      for (const s of [a, b]) {
        expect(offsetsOf(resumed, channelOf(s))).toEqual(missed.get(channelOf(s))!.map((r) => r.offset));
      }
      expect(resumed.data('status')).toEqual(
        expect.arrayContaining([
          { ok: true, channel: channelOf(a), recovered: true, replayed: 2 },
          { ok: true, channel: channelOf(b), recovered: true, replayed: 2 },
        ]),
      );
      resumed.close();
    }
  });

  it('a channel the stream delivered nothing on resumes from the time the stream opened', async () => {
    const type = await freshSourceType();
    const a = { type, id: 'a' };
    const quiet = { type, id: 'quiet' };
    const auth = bearer(await token([`events:${type}:*`], [], 'sse-since'));
    const first = await open(query(channelOf(a), channelOf(quiet)), auth);
    await acked(first, 2);
    await publishEach([a], 1);
    await eventually(() => first.data('event').length === 1, 30_000);
    const cursor = first.lastId()!;
    first.close();

    const missed = await publishEach([quiet], 2);
    const resumed = await open(query(channelOf(a), channelOf(quiet)), { ...auth, 'last-event-id': cursor });
    await eventually(() => resumed.data('event').length >= 2, 30_000);
    expect(offsetsOf(resumed, channelOf(quiet))).toEqual(missed.get(channelOf(quiet))!.map((r) => r.offset));
    expect(offsetsOf(resumed, channelOf(a))).toEqual([]);
    resumed.close();
  });

  it('a cursor older than retention answers status recovered:false, then goes live', async () => {
    const type = await freshSourceType();
    const a = { type, id: 'a' };
    const auth = bearer(await token([`events:${type}:*`], [], 'sse-retention'));
    const first = await open(query(channelOf(a)), auth);
    await acked(first, 1);
    const sent = (await publishEach([a], 3)).get(channelOf(a))!;
    await eventually(() => first.data('event').length === 3, 30_000);
    const oldCursor = first.messages.find((m) => m.event === 'event')!.id!;
    first.close();
    const { topic, partition } = sent[0]!;
    await withAdmin(async (admin) => {
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({
        topic,
        partitions: [{ partition, offset: String(BigInt(sent[2]!.offset) + 1n) }],
      });
    });

    const resumed = await open(query(channelOf(a)), { ...auth, 'last-event-id': oldCursor });
    await acked(resumed, 1);
    expect(resumed.data('status')).toContainEqual({
      ok: true,
      channel: channelOf(a),
      recovered: false,
      replayed: 0,
      reason: 'retention',
    });
    const next = (await publishEach([a], 1)).get(channelOf(a))!;
    await eventually(() => resumed.data('event').length === 1, 30_000);
    expect(offsetsOf(resumed, channelOf(a))).toEqual([next[0]!.offset]);
    resumed.close();
  });

  it('refuses every bad input with its problem before the stream starts, subscribing nothing', async () => {
    const type = await freshSourceType();
    const a = channelOf({ type, id: 'a' });
    const b = channelOf({ type, id: 'b' });
    const onlyA = bearer(await token([a], [], 'sse-bad'));
    const all = bearer(await token([`events:${type}:*`], [], 'sse-bad'));
    const receipt = await publishOne(stack.publisher, { type, id: 'a' }, 0);
    const cursorFor = (channel: string, partition: number, offset: string) =>
      encodeSseCursor([{ channel, partition, offset }]);
    const otherPartition = (receipt.partition + 1) % 3;
    const before = stack.gateway.hub.metrics();

    const cases: [string, Record<string, string>, number, string][] = [
      ['/sse', all, 400, 'invalid_channel'],
      [query('nope'), all, 400, 'invalid_channel'],
      [query(`events:${type}:*`), all, 400, 'invalid_channel'],
      [query(`events:${type}:[ab]`), all, 400, 'invalid_channel'],
      [query(a, a), all, 400, 'invalid_channel'],
      [query(a, b, 'events:x:1', 'events:x:2', 'events:x:3'), all, 400, 'invalid_channel'],
      [`${query(a)}&chanel=${b}`, all, 400, 'invalid_query'],
      [query(a), { ...all, 'last-event-id': 'garbage' }, 400, 'invalid_cursor'],
      [query(a), { ...all, 'last-event-id': `2.${cursorFor(a, 0, '1').slice(2)}` }, 400, 'invalid_cursor'],
      [`${query(a)}&lastEventId=x&lastEventId=y`, all, 400, 'invalid_cursor'],
      // Forged: the channel's events never go to that partition, or the partition never reached that offset.
      [query(a), { ...all, 'last-event-id': cursorFor(a, otherPartition, '0') }, 400, 'invalid_cursor'],
      [query(a), { ...all, 'last-event-id': cursorFor(a, receipt.partition, '99999') }, 400, 'invalid_cursor'],
      // A cursor never grants a channel: one naming B on a stream of A is refused, B itself is forbidden.
      [query(a), { ...onlyA, 'last-event-id': cursorFor(b, 0, '0') }, 400, 'invalid_cursor'],
      [query(b), { ...onlyA, 'last-event-id': cursorFor(b, 0, '0') }, 403, 'forbidden'],
      [query(a, b), onlyA, 403, 'forbidden'],
      [query(a), {}, 401, 'unauthorized'],
      [query(a), bearer('not-a-token'), 401, 'unauthorized'],
      [query(a), { cookie: 'ds_sse_token=not-a-token' }, 401, 'unauthorized'],
    ];
    for (const [path, headers, status, error] of cases) {
      const res = await open(path, headers);
      expect({ path, status: res.status, error: res.body?.error }).toEqual({ path, status, error });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const after = stack.gateway.hub.metrics();
    expect(after.connections).toBe(before.connections);
    expect(after.redisChannels).toBe(before.redisChannels);
    expect(after.sseStreamsOpened).toBe(before.sseStreamsOpened);
  });

  it('curl -N sees the headers, a heartbeat comment and an event', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'curl' };
    const auth = await token([channelOf(source)], [], 'sse-curl');
    const curl = spawn(
      'curl',
      [
        '-sS',
        '-N',
        '-i',
        '--max-time',
        '30',
        '-H',
        `Authorization: Bearer ${auth}`,
        `${stack.gateway.url}${query(channelOf(source))}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    curl.stdout.on('data', (d) => (out += String(d)));
    const exited = new Promise((resolve) => curl.once('exit', resolve));
    try {
      await eventually(() => out.includes('"ok":true'), 30_000);
      const receipt = await publishOne(stack.publisher, source, 1);
      await eventually(() => out.includes(': ping\n') && out.includes(receipt.id), 30_000);
    } finally {
      curl.kill();
      await exited;
    }
    const [head, body] = out.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toMatch(/\r\ncontent-type: text\/event-stream; charset=utf-8/i);
    expect(head).toMatch(/\r\nx-accel-buffering: no/i);
    expect(head).toMatch(/\r\ncache-control: no-cache/i);
    expect(head).not.toMatch(/content-encoding/i);
    expect(body).toMatch(/\nid: 1\.[A-Za-z0-9_.-]+\nevent: event\ndata: \{"channel":/);
  });

  it('a stream that never reads is cut as slow with its memory bounded, while a reading one gets everything', async () => {
    const channel = 'events:feed:sse-slow';
    const auth = bearer(await token([channel], [], 'sse-slow'));
    const [fast, slow] = [await open(query(channel), auth), await open(query(channel), auth)];
    await Promise.all([acked(fast, 1), acked(slow, 1)]);
    slow.pause();
    const slowBefore = stack.gateway.hub.metrics().slowDisconnects;
    const total = 4000; // 32 MB: well over what loopback TCP buffers hold
    const maxQueuedBytes = await floodWhileSamplingQueue(
      stack,
      channel,
      { type: 'feed', id: 'sse-slow' },
      {
        total,
        payload: PAYLOAD,
        delivered: () => fast.data('event').length === total,
      },
    );
    expect(fast.data<{ event: { id: string } }>('event').map((m) => m.event.id)).toEqual(
      Array.from({ length: total }, (_, j) => `e${j}`),
    );
    expect(stack.gateway.hub.metrics().slowDisconnects).toBe(slowBefore + 1);
    // Bounded: never more than the byte limit (plus the message that crossed it) queued in the hub.
    expect(maxQueuedBytes).toBeLessThanOrEqual(MAX_QUEUED_BYTES + PAYLOAD.length + 1024);
    slow.resume();
    await eventually(() => slow.ended, 30_000);
    expect(stack.gateway.hub.metrics().sseStreams).toBe(1);
    fast.close();
  });

  it('ends a stream at its token expiry with server_disconnect token-expired; the expired token is refused after', async () => {
    const channel = 'events:exp:sse';
    const short = await signGatewayToken(TEST_SECRET, { sub: 'sse-exp', channels: [channel], patterns: [] }, 2);
    const stream = await open(query(channel), bearer(short));
    expect(stream.status).toBe(200);
    await eventually(() => stream.ended, 20_000);
    expect(stream.data('server_disconnect')).toEqual([{ reason: 'token-expired' }]);
    const again = await open(query(channel), bearer(short));
    expect(again.status).toBe(401);
  });

  it('POST /sse/session sets an HttpOnly SameSite=Strict cookie scoped to /sse that authenticates a stream', async () => {
    const channel = 'events:cookie:c-1';
    const auth = await token([channel], [], 'sse-cookie');
    const res = await fetch(`${stack.gateway.url}/sse/session`, { method: 'POST', headers: bearer(auth) });
    expect(res.status).toBe(204);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ds_sse_token=[^;]+; Path=\/sse; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect((await fetch(`${stack.gateway.url}/sse/session`, { method: 'POST' })).status).toBe(401);
    const stream = await open(query(channel), { cookie: cookie.split(';')[0]! });
    expect(stream.status).toBe(200);
    await acked(stream, 1);
    stream.close();
    const cleared = await fetch(`${stack.gateway.url}/sse/session`, { method: 'DELETE' });
    expect(cleared.headers.get('set-cookie')).toMatch(/^ds_sse_token=; Path=\/sse; .*Max-Age=0/);
  });

  it('caps the streams one principal holds open; a closed stream frees its slot', async () => {
    const channel = 'events:cap:c-1';
    const auth = bearer(await token([channel], [], 'sse-cap'));
    const [one, two] = [await open(query(channel), auth), await open(query(channel), auth)];
    const third = await open(query(channel), auth);
    expect({ status: third.status, error: third.body?.error }).toEqual({ status: 429, error: 'too_many_streams' });
    expect(third.headers['retry-after']).toBe('1');
    one.close();
    await eventually(async () => {
      const retry = await open(query(channel), auth);
      retry.close();
      return retry.status === 200;
    }, 10_000);
    two.close();
  });

  it('a graceful shutdown ends open streams, so the HTTP server can close', async () => {
    const other = await startGateway({ prefix });
    const channel = 'events:shutdown:s-1';
    const stream = await openSseStream(`${other.url}${query(channel)}`, bearer(await token([channel], [], 'sse-down')));
    streams.push(stream);
    await acked(stream, 1);
    await other.app.close();
    await eventually(() => stream.ended, 10_000);
  });
});
