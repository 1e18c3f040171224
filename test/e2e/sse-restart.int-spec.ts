import { EventSource } from 'eventsource';
import { signGatewayToken } from '@app/service-kit';
import { eventually, kafkaBrokers, redisUrl, uniqueName } from '../support/infra.js';
import { ensureBuilt, http, startService, type ServiceProcess } from './support/service-process.js';

interface Receipt {
  id: string;
  partition: number;
  offset: string;
}

interface StreamEvent {
  channel: string;
  event: { id: string; offset: string; partition: number };
}

const SECRET = 'e2e-sse-secret-0123456789abcdef-0123456';

/**
 * The gateway process is SIGKILLed under a live two-channel stream read by the `eventsource` package (a client
 * this project did not write) and started again on the same port: the client reconnects by itself with
 * `Last-Event-ID`, and ends with every event of both channels, in order, none twice.
 */
describe('SSE across a gateway crash (eventsource client, real processes)', () => {
  const prefix = `${uniqueName('e2e-sse')}-`;
  const env = {
    KAFKA_BROKERS: kafkaBrokers().join(','),
    REDIS_URL: redisUrl(),
    TOPIC_PREFIX: prefix,
    CHANNEL_PREFIX: prefix,
    SOURCE_TYPES: 'order',
    AUTH_JWT_SECRET: SECRET,
    GATEWAY_SSE_RETRY_MS: '300',
  };
  let ingester: ServiceProcess;
  let gateway: ServiceProcess;
  let outputs = '';

  beforeAll(async () => {
    await ensureBuilt();
    [ingester, gateway] = await Promise.all([startService('ingester', env), startService('gateway', env)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([ingester?.stop(), gateway?.stop()]);
  }, 60_000);

  it('reconnects by itself with Last-Event-ID and ends with every event of both channels in order, no duplicate', async () => {
    const token = await signGatewayToken(SECRET, { sub: 'sse-e2e', channels: ['events:order:*'], patterns: [] }, 600);
    const channels = ['events:order:crash-a', 'events:order:crash-b'];
    const url = `${gateway.url}/sse?${channels.map((c) => `channel=${c}`).join('&')}`;
    const source = new EventSource(url, {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token}`);
        return fetch(input, { ...init, headers });
      },
    });
    const received: StreamEvent[] = [];
    const lastEventIds: string[] = [];
    let opens = 0;
    let acks = 0;
    source.addEventListener('open', () => opens++);
    source.addEventListener('status', (e) => {
      if ((JSON.parse(e.data) as { ok?: boolean }).ok !== undefined) acks++;
    });
    source.addEventListener('event', (e) => {
      received.push(JSON.parse(e.data) as StreamEvent);
      lastEventIds.push(e.lastEventId);
    });
    try {
      await eventually(() => acks === 2, 60_000);

      const sent = new Map<string, Receipt[]>(channels.map((c) => [c, []]));
      const total = 60;
      let posted = 0;
      const posting = (async () => {
        for (; posted < total; posted++) {
          const channel = channels[posted % 2]!;
          const res = await http(`${ingester.url}/events`, {
            body: { type: 'order.updated', source: { type: 'order', id: channel.split(':')[2] }, data: { n: posted } },
          });
          if (res.status !== 202) throw new Error(`POST /events answered ${res.status}: ${res.text}`);
          sent.get(channel)!.push(res.body);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();

      await eventually(() => received.length >= 10, 60_000);
      gateway.child.kill('SIGKILL');
      await eventually(() => gateway.exited, 10_000);
      outputs += gateway.output();
      // Events keep coming while no gateway runs: they are in Kafka only.
      const postedWhileDown = posted;
      await eventually(() => posted >= postedWhileDown + 10, 30_000);
      gateway = await startService('gateway', env, gateway.port);
      await posting;

      const expected = (channel: string) => sent.get(channel)!.map((r) => r.offset);
      const got = (channel: string) => received.filter((m) => m.channel === channel).map((m) => m.event.offset);
      await eventually(() => channels.every((c) => got(c).length >= expected(c).length), 60_000);
      for (const channel of channels) expect(got(channel)).toEqual(expected(channel));
      expect(received).toHaveLength(total);
      expect(opens).toBeGreaterThanOrEqual(2);
      expect(lastEventIds.every((id) => /^1(\.[A-Za-z0-9_-]+){2}$/.test(id))).toBe(true);
    } finally {
      source.close();
    }

    // A refused token is logged by its error's name, never by its text.
    const refused = await http(`${gateway.url}/sse?channel=${channels[0]}`, {
      headers: { authorization: 'Bearer forged.token-text.zzz' },
    });
    expect(refused.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    outputs += gateway.output() + ingester.output();
    expect(outputs).not.toContain(token);
    expect(outputs).not.toContain('forged.token-text.zzz');
  });
});
