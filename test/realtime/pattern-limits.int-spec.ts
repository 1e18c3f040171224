import { eventually } from '../support/infra.js';
import { realtimeStack } from '../support/realtime-stack.js';
import { subscribe, type ClientSocket } from '../support/socket-client.js';

/**
 * Every PSUBSCRIBE makes Redis match each PUBLISH against it: patterns have a simple grammar (a `*` only at
 * the end of a segment, at most two of them) and caps per connection and per gateway (docs/protocol.md
 * "Socket protocol").
 */
describe('pattern subscriptions are bounded', () => {
  const stack = realtimeStack('rt-pat', { gateways: [{ hub: { maxPatternsPerConnection: 2, maxPatterns: 3 } }] });
  const clients: ClientSocket[] = [];
  const connect = async () => {
    const client = await stack.connectWith([], ['events:*']);
    clients.push(client);
    return client;
  };

  it('refuses patterns outside the grammar', async () => {
    const client = await connect();
    for (const pattern of [
      `events:${'*a'.repeat(100)}`,
      'events:a*b',
      'events:**',
      'events:*a',
      'events:order:*x',
      'events:*:*:*',
      'events:',
      'events::*',
      'events:order:?',
      'events:[ab]:*',
      'events:a\\*',
      `events:${'a'.repeat(200)}*`,
    ]) {
      const ack = await subscribe(client, { pattern });
      expect(ack).toMatchObject({ ok: false, error: expect.stringMatching(/Invalid pattern/) });
    }
    expect(stack.gateway.hub.metrics().redisPatterns).toBe(0);
    for (const pattern of ['events:order:*', 'events:*:vip-*']) {
      expect(await subscribe(client, { pattern })).toMatchObject({ ok: true, pattern });
    }
  });

  it('caps patterns per connection and distinct patterns per gateway; held patterns stay free to join', async () => {
    const [a, b] = [await connect(), await connect()];
    // `clients[0]` of the previous test holds two distinct patterns already; a third connection may add one.
    expect(await subscribe(a, { pattern: 'events:user:*' })).toMatchObject({ ok: true });
    expect(await subscribe(a, { pattern: 'events:order:*' })).toMatchObject({ ok: true });
    expect(await subscribe(a, { pattern: 'events:*' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/pattern limit reached \(2 per connection\)/),
    });
    expect(await subscribe(b, { pattern: 'events:shop:*' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/gateway holds 3 distinct patterns/),
    });
    expect(await subscribe(b, { pattern: 'events:order:*' })).toMatchObject({ ok: true });
    expect(stack.gateway.hub.metrics().redisPatterns).toBe(3);
    for (const client of [...clients]) client.close();
    await eventually(() => stack.gateway.hub.metrics().connections === 0, 20_000);
    expect(stack.gateway.hub.metrics()).toMatchObject({ redisPatterns: 0, patternSubscriptions: 0 });
  });
});
