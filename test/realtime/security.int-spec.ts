import { signGatewayToken } from '@app/service-kit';
import { realtimeStack, TEST_SECRET, token } from '../support/realtime-stack.js';
import { connectClient, subscribe } from '../support/socket-client.js';

describe('gateway security', () => {
  const stack = realtimeStack('rt-sec', { gateways: [{ hub: { maxSubscriptionsPerConnection: 3 } }] });
  const connect = (auth?: string) => stack.connect(auth);

  it('refuses a handshake without a token, with a bad signature or an expired token', async () => {
    // `data.error` is what clients read (docs/protocol.md "Socket protocol"); the message is for people.
    const refusal = { message: expect.stringMatching(/^unauthorized: /), data: { error: 'unauthorized' } };
    await expect(connectClient(stack.gateway.url)).rejects.toMatchObject(refusal);
    await expect(connectClient(stack.gateway.url, 'not-a-jwt')).rejects.toMatchObject(refusal);
    const forged = await signGatewayToken('another-secret-0123456789abcdefghijkl', {
      sub: 'x',
      channels: ['events:*'],
      patterns: [],
    });
    await expect(connectClient(stack.gateway.url, forged)).rejects.toMatchObject(refusal);
    const expired = await signGatewayToken(TEST_SECRET, { sub: 'x', channels: ['events:*'], patterns: [] }, -60);
    await expect(connectClient(stack.gateway.url, expired)).rejects.toMatchObject(refusal);
  });

  it('answers { ok: false } for channels the token does not allow', async () => {
    const client = await connect(await token(['events:order:*']));
    expect(await subscribe(client, { channel: 'events:order:o-1' })).toMatchObject({ ok: true });
    expect(await subscribe(client, { channel: 'events:user:octocat' })).toEqual({
      ok: false,
      channel: 'events:user:octocat',
      error: 'forbidden',
    });
    expect(await subscribe(client, { pattern: 'events:order:*' })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(stack.gateway.hub.metrics().subscriptions).toBe(1);
  });

  it('refuses glob characters, over-long and malformed channels, and foreign replay topics', async () => {
    const client = await connect(await token(['events:*'], ['events:order:*']));
    for (const channel of [
      'events:order:*',
      'events:order:o?',
      'events:order:[ab]',
      'events:order:a\\b',
      'events:order:a b',
      `events:order:${'x'.repeat(300)}`,
      'orders:o-1',
      'events:order',
      42,
    ]) {
      const ack = await subscribe(client, { channel: channel as string });
      expect(ack.ok).toBe(false);
      expect((ack as { error: string }).error).toMatch(/Invalid channel/);
    }
    expect(await subscribe(client, { pattern: 'events:order:[a]*' })).toMatchObject({ ok: false });
    expect(await subscribe(client, { pattern: 'events:user:*' })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await subscribe(client, { pattern: 'events:order:eu-*' })).toMatchObject({
      ok: true,
      pattern: 'events:order:eu-*',
    });
    const foreign = await subscribe(client, {
      channel: 'events:order:o-9',
      from: { topic: '__consumer_offsets', partition: 0, offset: '0' },
    });
    expect(foreign).toMatchObject({ ok: false, error: expect.stringMatching(/from.topic/) });
    const badOffset = await subscribe(client, {
      channel: 'events:order:o-9',
      from: { topic: 'events.order', partition: 0, offset: '-5' },
    });
    expect(badOffset).toMatchObject({ ok: false });
    expect(stack.gateway.hub.metrics().redisPatterns).toBe(1);
  });

  it('enforces the subscription cap per connection', async () => {
    const client = await connect(await token(['events:*']));
    for (const id of ['a', 'b', 'c']) {
      expect(await subscribe(client, { channel: `events:cap:${id}` })).toMatchObject({ ok: true });
    }
    expect(await subscribe(client, { channel: 'events:cap:d' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/subscription limit reached \(3/),
    });
    expect(await client.timeout(5000).emitWithAck('unsubscribe', { channel: 'events:cap:a' })).toEqual({
      ok: true,
      channel: 'events:cap:a',
    });
    expect(await subscribe(client, { channel: 'events:cap:d' })).toMatchObject({ ok: true });
  });
});
