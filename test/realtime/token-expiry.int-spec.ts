import type { ServerDisconnectMessage, SubscribeAck } from '@dual-stream/nestjs';
import { signGatewayToken } from '@app/service-kit';
import { eventually } from '../support/infra.js';
import { realtimeStack, TEST_SECRET } from '../support/realtime-stack.js';
import { connectClient } from '../support/socket-client.js';
import { RawSocketIo } from './support/raw-socket-io.js';

/** Tokens are checked at the handshake and again at `exp` (docs/protocol.md "Socket protocol"). */
describe('token expiry and audience/issuer', () => {
  const stack = realtimeStack('rt-exp', {
    gateways: [{}, { jwt: { audience: 'dual-stream-gateway', issuer: 'https://issuer.test' } }],
  });
  const principal = { sub: 'expiring', channels: ['events:*'], patterns: [] };

  it('disconnects a socket at its token expiry with reason token-expired and serves nothing after', async () => {
    const client = await RawSocketIo.connect(stack.gateway.url, await signGatewayToken(TEST_SECRET, principal, 2));
    const subscribed = client.emit('subscribe', { channel: 'events:exp:a' });
    await eventually(() => client.acks.has(subscribed), 20_000);
    expect(client.acks.get(subscribed)).toMatchObject({ ok: true });

    await eventually(() => client.eventsNamed('server_disconnect').length === 1, 20_000);
    expect(client.eventsNamed<ServerDisconnectMessage>('server_disconnect')).toEqual([{ reason: 'token-expired' }]);
    let late: number | undefined;
    if (!client.closed) late = client.emit('subscribe', { channel: 'events:exp:b' });
    await eventually(() => client.closed, 20_000);
    if (late !== undefined) expect((client.acks.get(late) as SubscribeAck | undefined)?.ok).not.toBe(true);
    await eventually(() => stack.gateway.hub.metrics().connections === 0, 20_000);
    expect(stack.gateway.hub.metrics()).toMatchObject({ subscriptions: 0, tokenExpiries: 1 });
  });

  it('checks aud and iss when the gateway is configured with them', async () => {
    const strict = stack.gateways[1];
    const sign = (options: { audience?: string; issuer?: string }) =>
      signGatewayToken(TEST_SECRET, principal, 600, options);
    const good = { audience: 'dual-stream-gateway', issuer: 'https://issuer.test' };
    for (const bad of [{}, { ...good, audience: 'another' }, { ...good, issuer: 'https://evil.test' }]) {
      await expect(connectClient(strict.url, await sign(bad))).rejects.toThrow(/unauthorized/);
    }
    const client = await connectClient(strict.url, await sign(good));
    expect(client.connected).toBe(true);
    client.close();
    // A gateway without the settings takes tokens with or without the claims.
    const lenient = await connectClient(stack.gateway.url, await sign(good));
    lenient.close();
  });
});
