import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, jwtVerify } from 'jose';
import { AUTH_CONFIG, type AuthConfig } from './auth-config.js';
import type { GatewayPrincipal } from './gateway-principal.js';
import { TokenVerifier } from './token-verifier.js';

const ALGORITHM = 'HS256';
const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length <= 300) : [];

/**
 * The demo's verifier: HS256 JWTs signed with `AUTH_JWT_SECRET`, claims `sub`, `exp`, `channels`, `patterns`,
 * and `aud` / `iss` when `AUTH_JWT_AUDIENCE` / `AUTH_JWT_ISSUER` are set (docs/configuration.md).
 */
@Injectable()
export class JwtTokenVerifier extends TokenVerifier {
  private readonly key: Uint8Array<ArrayBuffer>;
  /**
   * The secret imported once as a WebCrypto key: given raw bytes, jose imports them again on every `verify`
   * (an async `importKey` per catch-up request or stream connect).
   */
  private verifyKey?: Promise<CryptoKey>;

  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {
    super();
    this.key = new TextEncoder().encode(config.secret);
  }

  async verify(token: string): Promise<GatewayPrincipal> {
    this.verifyKey ??= crypto.subtle.importKey('raw', this.key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const { payload } = await jwtVerify(token, await this.verifyKey, {
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'exp'],
      ...(this.config.audience && { audience: this.config.audience }),
      ...(this.config.issuer && { issuer: this.config.issuer }),
    });
    return {
      sub: String(payload.sub),
      channels: stringList(payload.channels),
      patterns: stringList(payload.patterns),
      expiresAt: payload.exp! * 1000,
    };
  }

  /** Issues a token for this verifier's audience and issuer (dev endpoint, tests, benchmarks). */
  sign(principal: GatewayPrincipal, ttlSeconds = 3600): Promise<string> {
    return signGatewayToken(this.key, principal, ttlSeconds, this.config);
  }
}

/**
 * Signs a token the verifier accepts. `claims.audience` / `claims.issuer` set `aud` / `iss`.
 *
 * @example await signGatewayToken(secret, { sub: 'alice', channels: ['events:user:alice'], patterns: [] }, 600)
 */
export function signGatewayToken(
  secret: string | Uint8Array,
  principal: GatewayPrincipal,
  ttlSeconds = 3600,
  claims: { audience?: string; issuer?: string } = {},
): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const jwt = new SignJWT({ channels: principal.channels, patterns: principal.patterns })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  if (claims.audience) jwt.setAudience(claims.audience);
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  return jwt.sign(key);
}
