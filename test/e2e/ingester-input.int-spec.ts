import { withAdmin } from '../support/infra.js';
import { ingesterFixture } from './support/ingester-fixture.js';
import { http } from './support/service-process.js';

const valid = (over: Record<string, unknown> = {}) => ({
  type: 'order.created',
  source: { type: 'order', id: 'o-1' },
  data: { n: 1 },
  ...over,
});
const src = (id: unknown) => valid({ source: { type: 'order', id } });

interface BadCase {
  name: string;
  path?: '/events' | '/events/batch';
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string | null;
  status: number;
  error: string;
  problemPath?: string;
}

const cases: BadCase[] = [
  {
    name: 'missing type',
    body: { source: { type: 'order', id: 'o' }, data: 1 },
    status: 400,
    error: 'invalid_event',
    problemPath: 'type',
  },
  { name: 'type is a number', body: valid({ type: 42 }), status: 400, error: 'invalid_event', problemPath: 'type' },
  {
    name: 'type has upper case',
    body: valid({ type: 'Order.Created' }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'type',
  },
  { name: 'missing source', body: { type: 'a', data: 1 }, status: 400, error: 'invalid_event', problemPath: 'source' },
  {
    name: 'source is a string',
    body: valid({ source: 'order:1' }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'source',
  },
  {
    name: 'source.type missing',
    body: valid({ source: { id: 'o' } }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'source.type',
  },
  {
    name: 'source.type with a colon',
    body: valid({ source: { type: 'or:der', id: 'o' } }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'source.type',
  },
  {
    name: 'source.id missing',
    body: valid({ source: { type: 'order' } }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'source.id',
  },
  { name: 'source.id empty', body: src(''), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'source.id is a number', body: src(7), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'glob *', body: src('o*'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'glob ?', body: src('o?'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'glob [', body: src('o[1'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'glob ]', body: src('o]1'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'backslash', body: src('o\\1'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'space in id', body: src('o 1'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'control character', body: src('o\u0001'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  { name: 'newline', body: src('o\n1'), status: 400, error: 'invalid_event', problemPath: 'source.id' },
  {
    name: 'zero-width format character',
    body: src('o\u200b1'),
    status: 400,
    error: 'invalid_event',
    problemPath: 'source.id',
  },
  {
    name: 'source.id too long',
    body: src('x'.repeat(257)),
    status: 400,
    error: 'invalid_event',
    problemPath: 'source.id',
  },
  {
    name: 'missing data',
    body: { type: 'a', source: { type: 'order', id: 'o' } },
    status: 400,
    error: 'invalid_event',
    problemPath: 'data',
  },
  {
    name: 'unknown top-level field',
    body: valid({ payload: 1 }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'payload',
  },
  {
    name: 'unknown source field',
    body: valid({ source: { type: 'order', id: 'o', tenant: 't' } }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'source.tenant',
  },
  {
    name: 'time is not ISO-8601',
    body: valid({ time: 'yesterday' }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'time',
  },
  {
    name: 'headers is an array',
    body: valid({ headers: ['a'] }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'headers',
  },
  {
    name: 'header value is a number',
    body: valid({ headers: { a: 1 } }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'headers.a',
  },
  {
    name: 'reserved ce_ header',
    body: valid({ headers: { ce_id: 'x' } }),
    status: 400,
    error: 'invalid_event',
    problemPath: 'headers.ce_id',
  },
  { name: 'id with a space', body: valid({ id: 'a b' }), status: 400, error: 'invalid_event', problemPath: 'id' },
  { name: 'array sent to /events', body: [valid()], status: 400, error: 'invalid_event' },
  { name: 'empty object', body: {}, status: 400, error: 'invalid_event', problemPath: 'type' },
  { name: 'JSON null', raw: 'null', status: 400, error: 'invalid_json' },
  { name: 'JSON number', raw: '42', status: 400, error: 'invalid_json' },
  { name: 'invalid JSON', raw: '{"type": "a", ', status: 400, error: 'invalid_json' },
  {
    name: 'event over maxEventBytes (1 MiB) but under the body limit',
    body: valid({ data: 'x'.repeat(1024 * 1024 + 10) }),
    status: 400,
    error: 'invalid_event',
    problemPath: '',
  },
  { name: '2 MB body', body: valid({ data: 'x'.repeat(2 * 1024 * 1024) }), status: 413, error: 'payload_too_large' },
  {
    name: 'text/plain',
    raw: JSON.stringify(valid()),
    contentType: 'text/plain',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'no content type',
    raw: JSON.stringify(valid()),
    contentType: null,
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'form encoded',
    raw: 'type=a',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'latin1 charset',
    raw: JSON.stringify(valid()),
    contentType: 'application/json; charset=latin1',
    status: 415,
    error: 'unsupported_media_type',
  },
  { name: 'batch is an object', path: '/events/batch', body: valid(), status: 400, error: 'invalid_batch' },
  { name: 'empty batch', path: '/events/batch', body: [], status: 400, error: 'invalid_batch' },
  {
    name: '1,001-event batch',
    path: '/events/batch',
    body: Array.from({ length: 1001 }, () => valid()),
    status: 400,
    error: 'invalid_batch',
  },
  {
    name: 'batch with one bad event',
    path: '/events/batch',
    body: [valid(), src('bad*'), valid()],
    status: 400,
    error: 'invalid_event',
    problemPath: 'source.id',
  },
  { name: 'batch invalid JSON', path: '/events/batch', raw: '[{]', status: 400, error: 'invalid_json' },
];

describe('ingester: bad input is refused with a clear problem list and reaches nothing', () => {
  const service = ingesterFixture('e2e-in');
  const { prefix } = service;

  it(`answers ${cases.length} malformed requests with the right 4xx and problems`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) {
      const headers: Record<string, string> = {};
      if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
      const raw = c.raw ?? JSON.stringify(c.body);
      const res = await http(`${service.ingester.url}${c.path ?? '/events'}`, { method: 'POST', raw, headers });
      const seen = `${c.name}: ${res.status} ${res.text.slice(0, 300)}`;
      expect({ case: c.name, status: res.status, error: res.body?.error }).toEqual({
        case: c.name,
        status: c.status,
        error: c.error,
      });
      expect(Array.isArray(res.body.problems) && res.body.problems.length > 0).toBe(true);
      for (const p of res.body.problems) {
        expect(typeof p.message === 'string' && p.message.length > 0 ? 'ok' : seen).toBe('ok');
      }
      if (c.problemPath !== undefined) {
        expect(res.body.problems.map((p: { path: string }) => p.path)).toContain(c.problemPath);
      }
    }
    // The batch error names the event by index.
    const batch = await http(`${service.ingester.url}/events/batch`, {
      body: [valid(), src('bad*'), valid({ type: 'X' })],
    });
    expect(batch.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, path: 'source.id' }),
        expect.objectContaining({ index: 2, path: 'type' }),
      ]),
    );
  });

  it('stays up and published nothing', async () => {
    expect(service.ingester.exited).toBe(false);
    expect((await http(`${service.ingester.url}/health/live`)).status).toBe(200);
    const topics = await withAdmin(async (admin) => {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      const counts = await Promise.all(
        mine.map(async (t) => (await admin.fetchTopicOffsets(t)).reduce((n, p) => n + Number(p.high), 0)),
      );
      return counts.reduce((a, b) => a + b, 0);
    });
    expect(topics).toBe(0);
    const metrics = (await http(`${service.ingester.url}/metrics`)).text;
    expect(metrics).toMatch(/ingester_requests_total\{[^}]*outcome="invalid_event"[^}]*\} \d+/);
    expect(metrics).not.toMatch(/ingester_events_total\{[^}]*outcome="accepted"/);
  });

  it('accepts a valid event afterwards (202 receipt with its Kafka position)', async () => {
    const res = await http(`${service.ingester.url}/events`, {
      body: valid({ source: { type: 'order', id: 'after-bad-input' } }),
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      topic: `${prefix}events.order`,
      partition: expect.any(Number),
      offset: expect.any(String),
      id: expect.any(String),
    });
  });
});

describe('ingester: API keys', () => {
  const keys = ['k-alpha-6f1d2c', 'k-beta-93ab0e'];
  const service = ingesterFixture('e2e-key', { INGESTER_API_KEYS: keys.join(',') });

  it('refuses a missing or wrong key with 401 and accepts either configured key', async () => {
    const post = (headers: Record<string, string>) =>
      http(`${service.ingester.url}/events`, { body: valid(), headers });
    const wrong: Record<string, string>[] = [
      {},
      { 'x-api-key': 'nope' },
      { authorization: 'Bearer nope' },
      { authorization: `Basic ${keys[0]}` },
      { 'x-api-key': `${keys[0]}x` },
    ];
    for (const headers of wrong) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        error: 'unauthorized',
        problems: [expect.objectContaining({ message: expect.stringContaining('API key') })],
      });
    }
    expect((await http(`${service.ingester.url}/events/batch`, { body: [valid()] })).status).toBe(401);
    expect((await post({ 'x-api-key': keys[1]! })).status).toBe(202);
    expect((await post({ authorization: `Bearer ${keys[0]}` })).status).toBe(202);
    // Operational endpoints stay open for probes and scrapers.
    expect((await http(`${service.ingester.url}/health/ready`)).status).toBe(200);
    expect((await http(`${service.ingester.url}/metrics`)).status).toBe(200);
  });

  it('never logs a key', () => {
    for (const key of keys) expect(service.ingester.output()).not.toContain(key);
  });
});

describe('ingester: only SOURCE_TYPES are accepted, and their topics exist before the first event', () => {
  const service = ingesterFixture('e2e-types', {
    SOURCE_TYPES: 'order,user',
    KAFKA_TOPIC_PARTITIONS: '2',
  });
  const { prefix } = service;

  it('created the topic of every accepted type at startup, with KAFKA_TOPIC_PARTITIONS partitions', async () => {
    const partitions = await withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [`${prefix}events.order`, `${prefix}events.user`] });
      return topics.map((t) => t.partitions.length);
    });
    expect(partitions).toEqual([2, 2]);
  });

  it('an unknown source type: 400 naming the accepted types, nothing published, no topic created', async () => {
    const one = await http(`${service.ingester.url}/events`, {
      body: valid({ source: { type: 'invoice', id: 'i-1' } }),
    });
    expect(one.status).toBe(400);
    expect(one.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(one.body).toMatchObject({
      type: 'urn:dual-stream:problem:unknown-source-type',
      error: 'unknown_source_type',
      allowed: ['order', 'user'],
      detail: expect.stringContaining('order, user'),
      problems: [{ path: 'source.type', message: expect.stringContaining('order, user') }],
    });
    const batch = await http(`${service.ingester.url}/events/batch`, {
      body: [
        valid(),
        valid({ source: { type: 'x-spam-1', id: 'a' } }),
        valid({ source: { type: 'x-spam-2', id: 'b' } }),
      ],
    });
    expect(batch.status).toBe(400);
    expect(batch.body.problems).toEqual([
      expect.objectContaining({ index: 1, path: 'source.type' }),
      expect.objectContaining({ index: 2, path: 'source.type' }),
    ]);
    const topics = await withAdmin(async (admin) => (await admin.listTopics()).filter((t) => t.startsWith(prefix)));
    expect(topics.sort()).toEqual([`${prefix}events.order`, `${prefix}events.user`]);
    const records = await withAdmin(async (admin) =>
      (await admin.fetchTopicOffsets(`${prefix}events.order`)).reduce((n, p) => n + Number(p.high), 0),
    );
    expect(records).toBe(0);
  });
});

describe('ingester: Kafka refusing events for good is not answered as retriable', () => {
  // The topic allows smaller records than the broker (whose message.max.bytes the publisher reads), so an
  // event the publisher validates as fitting is refused by the broker with MESSAGE_TOO_LARGE: non-retriable.
  const service = ingesterFixture('e2e-refused', {}, (prefix) =>
    withAdmin((admin) =>
      admin.createTopics({
        topics: [
          {
            topic: `${prefix}events.order`,
            numPartitions: 1,
            configEntries: [{ name: 'max.message.bytes', value: '4096' }],
          },
        ],
        waitForLeaders: true,
      }),
    ),
  );

  it('answers 500 kafka_refused without Retry-After (single and batch), logs the cause, publishes nothing', async () => {
    const { ingester, prefix } = service;
    const topic = `${prefix}events.order`;
    const big = valid({ data: { note: 'x'.repeat(8_000) } });
    const one = await http(`${ingester.url}/events`, { body: big });
    const batch = await http(`${ingester.url}/events/batch`, { body: [big] });
    for (const res of [one, batch]) {
      expect({ status: res.status, error: res.body?.error, retryAfter: res.headers.get('retry-after') }).toEqual({
        status: 500,
        error: 'kafka_refused',
        retryAfter: null,
      });
      expect(res.body.type).toBe('urn:dual-stream:problem:kafka-refused');
      // kafkajs' text (the error type, broker addresses) stays in the log.
      expect(res.text).not.toMatch(/MESSAGE_TOO_LARGE|127\.0\.0\.1|9092/);
    }
    expect(ingester.output()).toContain('kafka_refused');
    const records = await withAdmin(async (admin) =>
      (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0),
    );
    expect(records).toBe(0);
    // A small event on the same topic still goes through: the refusal was about that event, not the service.
    const small = await http(`${ingester.url}/events`, { body: valid() });
    expect(small.status).toBe(202);
  });
});
