import { SignJWT } from 'jose';
import { canSubscribe, canSubscribePattern } from './gateway-principal.js';
import { JwtTokenVerifier, signGatewayToken } from './jwt-token.verifier.js';

const SECRET = 'unit-test-secret-0123456789abcdef-0123';
const alice = { sub: 'alice', channels: ['events:user:alice'], patterns: ['events:order:*'] };

describe('JwtTokenVerifier', () => {
  it('returns the principal with the token’s expiry in epoch ms', async () => {
    const before = Date.now();
    const principal = await new JwtTokenVerifier({ secret: SECRET }).verify(await signGatewayToken(SECRET, alice, 60));
    expect(principal).toMatchObject(alice);
    expect(principal.expiresAt! - before).toBeGreaterThan(58_000);
    expect(principal.expiresAt! - before).toBeLessThanOrEqual(61_000);
  });

  it('refuses forged, expired and exp-less tokens', async () => {
    const verifier = new JwtTokenVerifier({ secret: SECRET });
    await expect(verifier.verify(await signGatewayToken(`${SECRET}-other`, alice))).rejects.toThrow();
    const key = new TextEncoder().encode(SECRET);
    const expired = await new SignJWT({ channels: ['events:*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    await expect(verifier.verify(expired)).rejects.toThrow();
    const forever = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(key);
    await expect(verifier.verify(forever)).rejects.toThrow();
  });

  it('checks audience and issuer when configured', async () => {
    const strict = new JwtTokenVerifier({ secret: SECRET, audience: 'dash', issuer: 'idp' });
    await expect(strict.verify(await signGatewayToken(SECRET, alice, 60))).rejects.toThrow();
    await expect(
      strict.verify(await signGatewayToken(SECRET, alice, 60, { audience: 'dash', issuer: 'other' })),
    ).rejects.toThrow();
    await expect(strict.verify(await strict.sign(alice, 60))).resolves.toMatchObject({ sub: 'alice' });
  });

  it('authorizes channels and patterns by the claims', () => {
    expect(canSubscribe(alice, 'events:user:alice')).toBe(true);
    expect(canSubscribe(alice, 'events:user:bob')).toBe(false);
    expect(canSubscribe(undefined, 'events:user:alice')).toBe(false);
    expect(canSubscribePattern(alice, 'events:order:*')).toBe(true);
    expect(canSubscribePattern(alice, 'events:*')).toBe(false);
  });
});
