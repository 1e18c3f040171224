import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, jwtVerify } from 'jose';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';
import type { GatewayPrincipal } from './gateway-principal.js';
import { TokenVerifier } from './token-verifier.js';

const ALGORITHM = 'HS256';
const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length <= 300) : [];

/** `aud` / `iss` a token must carry (each checked only when set). */
export interface TokenAudience {
  audience?: string;
  issuer?: string;
}

/**
 * The demo's verifier: HS256 JWTs signed with `GATEWAY_JWT_SECRET`, claims `sub`, `exp`, `channels`,
 * `patterns`, and `aud` / `iss` when `GATEWAY_JWT_AUDIENCE` / `GATEWAY_JWT_ISSUER` are set. The principal
 * carries `exp` as `expiresAt`: the hub disconnects the socket then.
 */
@Injectable()
export class JwtTokenVerifier extends TokenVerifier {
  private readonly key: Uint8Array;
  private readonly expected: TokenAudience;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super();
    this.key = new TextEncoder().encode(config.jwtSecret);
    this.expected = { audience: config.jwtAudience, issuer: config.jwtIssuer };
  }

  async verify(token: string): Promise<GatewayPrincipal> {
    const { payload } = await jwtVerify(token, this.key, {
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'exp'],
      ...(this.expected.audience !== undefined && { audience: this.expected.audience }),
      ...(this.expected.issuer !== undefined && { issuer: this.expected.issuer }),
    });
    return {
      sub: String(payload.sub),
      channels: stringList(payload.channels),
      patterns: stringList(payload.patterns),
      expiresAt: payload.exp! * 1000,
    };
  }

  /** Issues a token (dev endpoint, tests, benchmarks) with this gateway's `aud` / `iss`. */
  sign(principal: GatewayPrincipal, ttlSeconds = 3600): Promise<string> {
    return signGatewayToken(this.key, principal, ttlSeconds, this.expected);
  }
}

export function signGatewayToken(
  secret: string | Uint8Array,
  principal: GatewayPrincipal,
  ttlSeconds = 3600,
  { audience, issuer }: TokenAudience = {},
): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const jwt = new SignJWT({ channels: principal.channels, patterns: principal.patterns })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  if (audience !== undefined) jwt.setAudience(audience);
  if (issuer !== undefined) jwt.setIssuer(issuer);
  return jwt.sign(key);
}
