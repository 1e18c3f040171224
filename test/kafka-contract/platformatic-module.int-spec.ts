import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DurableContext, OnDurable, type NormalizedEvent, type PublishReceipt } from '@dual-stream/nestjs';
import { eventually, kafkaBrokers, uniqueName } from '../support/infra.js';
import { channelOf, freshSourceType, positionOf, publishOne } from '../support/realtime-publishing.js';
import { startGateway, token, type GatewayInstance } from '../support/realtime-stack.js';
import { collect, connectClient, subscribe, type ClientSocket } from '../support/socket-client.js';
import { startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

/**
 * The real module on `kafka.driver: 'platformatic'`, end to end: the publisher writes to Kafka and announces on
 * Redis, an @OnDurable handler gets every event once in key order with its position, and a gateway on the same
 * driver replays a reconnecting client's missed events from Kafka (group-less reads) before the live ones.
 */
describe("the module on kafka.driver: 'platformatic'", () => {
  const prefix = `${uniqueName('plt')}:`;
  let type: string;
  const durable: { event: NormalizedEvent; ctx: DurableContext }[] = [];
  let harness: HandlerApp;
  let gateway: GatewayInstance;
  let client: ClientSocket | undefined;

  beforeAll(async () => {
    type = await freshSourceType();

    @Controller()
    class Handlers {
      @OnDurable(`events.${type}`)
      onEvent(@Payload() event: NormalizedEvent, @Ctx() ctx: DurableContext) {
        durable.push({ event, ctx });
      }
    }

    [harness, gateway] = await Promise.all([
      startHandlerApp([Handlers], {
        kafka: { brokers: kafkaBrokers(), driver: 'platformatic' },
        redis: { channelPrefix: prefix },
      }),
      startGateway({ prefix, driver: 'platformatic' }),
    ]);
  });
  afterAll(async () => {
    client?.close();
    await Promise.all([harness?.close(), gateway?.app.close()]);
  });

  it('publishes, delivers to the durable handler once in order, and replays from Kafka to a client', async () => {
    expect(harness.server.unwrap<{ driver: string }>().driver).toBe('platformatic');
    const source = { type, id: 'o-1' };
    const other = { type, id: 'o-2' };
    const sent: PublishReceipt[] = [];
    for (let i = 0; i < 30; i++) sent.push(await publishOne(harness.publisher, i % 3 === 2 ? other : source, i));
    const mine = sent.filter((_, i) => i % 3 !== 2);

    // Durable: each event once, per-key order, at the position the publisher answered.
    await eventually(() => durable.length === sent.length, 30_000);
    const handled = durable.filter((d) => d.event.source.id === 'o-1');
    expect(handled.map((d) => d.event.id)).toEqual(mine.map((r) => r.id));
    expect(handled.map((d) => d.ctx.getOffset())).toEqual(mine.map((r) => r.offset));
    expect(new Set(durable.map((d) => d.event.id)).size).toBe(sent.length);

    // Realtime: a client that saw up to the 5th event of o-1 resumes from there: replay, then live.
    const channel = channelOf(source);
    client = await connectClient(gateway.url, await token([channel]));
    const received = collect(client);
    const ack = await subscribe(client, { channel, from: positionOf(mine[4]) });
    expect(ack).toMatchObject({ ok: true, channel, recovered: true, replayed: mine.length - 5 });
    const live: PublishReceipt[] = [];
    for (let i = 0; i < 5; i++) live.push(await publishOne(harness.publisher, source, 100 + i));
    const expected = [...mine.slice(5), ...live].map((r) => r.id);
    await eventually(() => (received.get(channel)?.length ?? 0) >= expected.length, 30_000);
    expect(received.get(channel)!.map((e) => e.id)).toEqual(expected);
  });
});
