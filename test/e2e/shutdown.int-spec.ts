import { sleep, uniqueName, withAdmin } from '../support/infra.js';
import { ensureBuilt, http, startService } from './support/service-process.js';

const event = (n: number) => ({ type: 'order.created', source: { type: 'order', id: `s-${n % 5}` }, data: { n } });

describe('graceful shutdown on SIGTERM', () => {
  beforeAll(() => ensureBuilt());

  it('the ingester answers what it accepted, everything acknowledged is in Kafka, and it exits by itself', async () => {
    const prefix = `${uniqueName('e2e-term')}-`;
    const ingester = await startService('ingester', {
      TOPIC_PREFIX: prefix,
    });
    expect((await http(`${ingester.url}/events`, { body: event(0) })).status).toBe(202);

    // Requests in flight while SIGTERM arrives: each either gets its receipt or a clean refusal / reset.
    const inflight = Array.from({ length: 200 }, (_, i) =>
      http(`${ingester.url}/events`, { body: event(i + 1) }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    await sleep(20);
    const exit = ingester.stop('SIGTERM');
    const statuses = await Promise.all(inflight);
    expect(await exit).toEqual(expect.anything());
    expect(ingester.exited).toBe(true);
    expect(statuses.every((s) => s === 202 || s === 503 || s === 0)).toBe(true);

    const accepted = statuses.filter((s) => s === 202).length + 1;
    const inKafka = await withAdmin(async (admin) => {
      const offsets = await admin.fetchTopicOffsets(`${prefix}events.order`);
      return offsets.reduce((n, p) => n + Number(p.high), 0);
    });
    expect(inKafka).toBeGreaterThanOrEqual(accepted);
    // kafkajs reports the broker auto-creating the new topic as an error; anything else would be ours.
    const errors = ingester
      .output()
      .split('\n')
      .filter((l) => /"level":"(error|fatal)"/.test(l) && !l.includes('"message":"kafkajs'));
    expect(errors).toEqual([]);
    expect(ingester.output()).not.toContain('graceful shutdown after');
  }, 60_000);
});
