import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { signGatewayToken } from '@app/service-kit';
import { eventually, uniqueName } from '../support/infra.js';
import { ensureBuilt, http, runUntilExit, startService, type ServiceProcess } from './support/service-process.js';

const SECRET = 'e2e-security-secret-0123456789abcdef-0123';
const API_KEY = 'k-sec-8d1f07c2a9';
const METRICS_TOKEN = 'metrics-scrape-token-5a0c';
const token = (channels: string[], ttl = 600, secret = SECRET) =>
  signGatewayToken(secret, { sub: 'e2e', channels, patterns: [] }, ttl);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, error: string): void {
  expect({ status: res.status, error: res.body?.error }).toEqual({ status, error });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: `urn:dual-stream:problem:${error.replaceAll('_', '-')}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
}

/**
 * The attacker's view: every way around the catch-up API's authorization and the ingester's API keys is tried
 * against the real services over HTTP.
 */
describe('security of the HTTP APIs', () => {
  const prefix = `${uniqueName('e2e-sec')}-`;
  const dbDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-sec-'));
  const env = {
    TOPIC_PREFIX: prefix,
    CHANNEL_PREFIX: prefix,
    SOURCE_TYPES: 'user,order',
    CONSUMER_DB_PATH: path.join(dbDir, 'projection.sqlite'),
    AUTH_JWT_SECRET: SECRET,
    INGESTER_API_KEYS: API_KEY,
    METRICS_TOKEN,
  };
  let ingester: ServiceProcess;
  let consumer: ServiceProcess;
  let aliceEvent: { id: string };

  beforeAll(async () => {
    await ensureBuilt();
    [ingester, consumer] = await Promise.all([startService('ingester', env), startService('consumer', env)]);
    const res = await http(`${ingester.url}/events`, {
      body: { type: 'user.updated', source: { type: 'user', id: 'alice' }, data: { email: 'alice@example.test' } },
      headers: { 'x-api-key': API_KEY },
    });
    expect(res.status).toBe(202);
    aliceEvent = res.body;
    const alice = await token(['events:user:alice']);
    await eventually(
      async () => (await http(`${consumer.url}/events/${aliceEvent.id}`, { headers: bearer(alice) })).status === 200,
      60_000,
      200,
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([ingester?.stop(), consumer?.stop()]);
    rmSync(dbDir, { recursive: true, force: true });
  }, 60_000);

  it("catch-up without a token: 401 problem, nobody's events", async () => {
    for (const url of [`/sources/user/alice/events`, `/events/${aliceEvent.id}`, '/SOURCES/user/alice/events']) {
      const res = await http(`${consumer.url}${url}`);
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.text).not.toContain('alice@example.test');
    }
    for (const authorization of ['Basic YWxpY2U6eA==', 'Bearer', 'Bearer a b', `Bearer ${'x'.repeat(10_000)}`]) {
      expectProblem(
        await http(`${consumer.url}/sources/user/alice/events`, { headers: { authorization } }),
        401,
        'unauthorized',
      );
    }
  });

  it('a token that may not subscribe to events:user:alice may not read her events: 403 / 404', async () => {
    const bob = await token(['events:user:bob', 'events:order:*']);
    const list = await http(`${consumer.url}/sources/user/alice/events`, { headers: bearer(bob) });
    expectProblem(list, 403, 'forbidden');
    expect(list.text).not.toContain('alice@example.test');
    const byId = await http(`${consumer.url}/events/${aliceEvent.id}`, { headers: bearer(bob) });
    expectProblem(byId, 404, 'not_found');
    expect(byId.text).not.toContain('alice@example.test');
    // Her own token reads them; a glob that covers her channel does too.
    for (const channels of [['events:user:alice'], ['events:user:*']]) {
      const page = await http(`${consumer.url}/sources/user/alice/events`, { headers: bearer(await token(channels)) });
      expect(page.status).toBe(200);
      expect(page.body.events.map((e: { id: string }) => e.id)).toEqual([aliceEvent.id]);
    }
  });

  it('forged, expired and exp-less tokens: 401', async () => {
    const key = new TextEncoder().encode(SECRET);
    const expired = await new SignJWT({ channels: ['events:*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('e2e')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    const noExp = await new SignJWT({ channels: ['events:*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('e2e')
      .sign(key);
    const forged = await token(['events:*'], 600, `${SECRET}-attacker`);
    const [h, p] = (await token(['events:user:bob'])).split('.');
    const widened = `${h}.${Buffer.from(JSON.stringify({ sub: 'e2e', channels: ['events:*'], exp: 9e9 })).toString('base64url')}.${p}`;
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', channels: ['events:*'], exp: 9e9 })).toString('base64url')}.`;
    for (const bad of [expired, noExp, forged, widened, unsigned, 'not-a-jwt']) {
      const res = await http(`${consumer.url}/sources/user/alice/events`, { headers: bearer(bad) });
      expectProblem(res, 401, 'unauthorized');
    }
    expect(consumer.output()).not.toContain(forged);
  });

  it('health stays open; /metrics needs METRICS_TOKEN', async () => {
    expect((await http(`${consumer.url}/health/live`)).status).toBe(200);
    expect((await http(`${consumer.url}/health/ready`)).status).toBe(200);
    expectProblem(await http(`${consumer.url}/metrics`), 401, 'unauthorized');
    expectProblem(await http(`${ingester.url}/metrics`, { headers: bearer('wrong') }), 401, 'unauthorized');
    const scrape = await http(`${consumer.url}/metrics`, { headers: bearer(METRICS_TOKEN) });
    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('consumer_projected_events_total');
  });

  it('the API-key guard covers every spelling Express routes: mixed case, trailing slash', async () => {
    const event = { type: 'order.created', source: { type: 'order', id: 'case' }, data: 1 };
    for (const route of ['/EVENTS', '/Events/', '/events/', '/events/BATCH', '/Events/Batch/']) {
      const body = route.toLowerCase().includes('batch') ? [event] : event;
      const res = await http(`${ingester.url}${route}`, { body });
      expectProblem(res, 401, 'unauthorized');
      const ok = await http(`${ingester.url}${route}`, { body, headers: { 'x-api-key': API_KEY } });
      expect({ route, status: ok.status }).toEqual({ route, status: 202 });
    }
    // The single-event route's smaller body limit applies to its other spellings too.
    const big = { ...event, data: 'x'.repeat(2 * 1024 * 1024) };
    expectProblem(
      await http(`${ingester.url}/EVENTS`, { body: big, headers: { 'x-api-key': API_KEY } }),
      413,
      'payload_too_large',
    );
    expect(ingester.output()).not.toContain(API_KEY);
  });

  it('unknown routes answer a not_found problem', async () => {
    expectProblem(await http(`${consumer.url}/nope`), 404, 'not_found');
  });
});

describe('services refuse to start in production with unsafe settings', () => {
  const base = { NODE_ENV: 'production', KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' };
  const placeholder = 'change-me-change-me-change-me-0123456789';

  beforeAll(() => ensureBuilt());

  it.each([
    ['ingester', {}, /INGESTER_API_KEYS/],
    ['gateway', { AUTH_JWT_SECRET: SECRET, GATEWAY_DEV_TOKENS: '1' }, /GATEWAY_DEV_TOKENS/],
    ['gateway', { GATEWAY_JWT_SECRET: placeholder }, /AUTH_JWT_SECRET is a published placeholder/],
    ['consumer', { AUTH_JWT_SECRET: placeholder }, /AUTH_JWT_SECRET is a published placeholder/],
    ['consumer', {}, /AUTH_JWT_SECRET is not set/],
    ['gateway', {}, /AUTH_JWT_SECRET is not set/],
  ] as const)('%s with %p: exit 78 and says what to set', async (name, extra, message) => {
    const { code, output } = await runUntilExit(name, { ...base, ...extra });
    expect(code).toBe(78);
    expect(output).toMatch(message);
    expect(output).toMatch(/"level":"fatal"/);
    expect(output).not.toContain(placeholder);
  });

  it('the ingester starts without API keys in production only with INGESTER_ALLOW_ANONYMOUS=1', async () => {
    const ingester = await startService('ingester', {
      NODE_ENV: 'production',
      INGESTER_ALLOW_ANONYMOUS: '1',
      TOPIC_PREFIX: `${uniqueName('e2e-anon')}-`,
    });
    try {
      expect((await http(`${ingester.url}/health/live`)).status).toBe(200);
    } finally {
      await ingester.stop();
    }
  });
});
