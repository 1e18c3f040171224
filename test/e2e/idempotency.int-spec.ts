import { uniqueName, withAdmin } from '../support/infra.js';
import { ingesterFixture } from './support/ingester-fixture.js';
import { http } from './support/service-process.js';

const KEYS = ['k-idem-alpha-31f0', 'k-idem-beta-77c2'];
const event = (n: number, id = 'o-idem') => ({ type: 'order.created', source: { type: 'order', id }, data: { n } });

/** Records in the topic, all partitions. */
const recordsIn = (topic: string) =>
  withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0));

describe('ingester: retried POSTs with an Idempotency-Key (or the same event id) publish once', () => {
  const service = ingesterFixture('e2e-idem', {
    SOURCE_TYPES: 'order',
    INGESTER_API_KEYS: KEYS.join(','),
  });
  const { prefix } = service;
  const topic = `${prefix}events.order`;
  const post = (body: unknown, headers: Record<string, string> = {}, route = '/events') =>
    http(`${service.ingester.url}${route}`, { body, headers: { 'x-api-key': KEYS[0]!, ...headers } });

  it('a retry returns the original receipt, and Kafka has one record', async () => {
    const before = await recordsIn(topic);
    const first = await post(event(1), { 'idempotency-key': 'order-1-create' });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    for (let i = 0; i < 3; i++) {
      const retry = await post(event(1), { 'idempotency-key': '"order-1-create"' }); // structured-field form
      expect(retry.status).toBe(202);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
    }
    expect((await recordsIn(topic)) - before).toBe(1);
  });

  it('concurrent requests with one key publish once: the others get 409 or the same receipt', async () => {
    const before = await recordsIn(topic);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => post(event(2), { 'idempotency-key': 'concurrent-key' })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => a.body.id)).size).toBe(1);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body).toMatchObject({ error: 'idempotency_key_in_use' });
      expect(refused.headers.get('retry-after')).toBe('1');
    }
    expect((await recordsIn(topic)) - before).toBe(1);
  });

  it('the same key with a different body: 422, nothing published', async () => {
    expect((await post(event(3), { 'idempotency-key': 'reused-key' })).status).toBe(202);
    const before = await recordsIn(topic);
    const reused = await post(event(4), { 'idempotency-key': 'reused-key' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({
      error: 'idempotency_key_reused',
      type: 'urn:dual-stream:problem:idempotency-key-reused',
    });
    expect(await recordsIn(topic)).toBe(before);
  });

  it('keys are per caller: another API key with the same Idempotency-Key is another request', async () => {
    const mine = await post(event(5), { 'idempotency-key': 'shared-name' });
    const theirs = await post(event(5), { 'idempotency-key': 'shared-name', 'x-api-key': KEYS[1]! });
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a client-chosen event id works as the key on POST /events', async () => {
    const before = await recordsIn(topic);
    const withId = { ...event(6), id: `client-${uniqueName('id')}` };
    const first = await post(withId);
    const again = await post(withId);
    expect(first.status).toBe(202);
    expect(first.body.id).toBe(withId.id);
    expect(again.body).toEqual(first.body);
    expect((await post({ ...withId, data: { n: 7 } })).status).toBe(422);
    expect((await recordsIn(topic)) - before).toBe(1);
  });

  it('a batch retried with its key returns the original receipts', async () => {
    const before = await recordsIn(topic);
    const batch = [event(8, 'b-1'), event(9, 'b-2'), event(10, 'b-3')];
    const first = await post(batch, { 'idempotency-key': 'batch-key-1' }, '/events/batch');
    const again = await post(batch, { 'idempotency-key': 'batch-key-1' }, '/events/batch');
    expect(first.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect((await recordsIn(topic)) - before).toBe(3);
  });

  it('refuses a malformed key', async () => {
    for (const key of ['', 'has space', 'x'.repeat(256), 'quote"inside']) {
      const res = await post(event(11), { 'idempotency-key': key });
      expect({ key, status: res.status, error: res.body?.error }).toEqual({
        key,
        status: 400,
        error: 'invalid_idempotency_key',
      });
    }
  });
});

describe('ingester: idempotency while Redis is unreachable', () => {
  const service = ingesterFixture('e2e-idem-noredis', {
    REDIS_URL: 'redis://127.0.0.1:1',
    SOURCE_TYPES: 'order',
  });
  const { prefix } = service;

  it("falls back to the process's memory: a retry still answers the original receipt, one record in Kafka", async () => {
    const post = () =>
      http(`${service.ingester.url}/events`, { body: event(1), headers: { 'idempotency-key': 'no-redis' } });
    const first = await post();
    expect(first.status).toBe(202);
    expect(first.body.realtime).not.toBe('published');
    const again = await post();
    expect(again.body).toEqual(first.body);
    expect(await recordsIn(`${prefix}events.order`)).toBe(1);
    const metrics = (await http(`${service.ingester.url}/metrics`)).text;
    expect(metrics).toMatch(
      /^ingester_idempotent_requests_total\{[^}]*outcome="replayed"[^}]*store="memory"[^}]*\} 1$/m,
    );
  });
});
