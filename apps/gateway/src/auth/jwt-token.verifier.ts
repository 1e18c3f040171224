import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, jwtVerify } from 'jose';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';
import type { GatewayPrincipal } from './gateway-principal.js';
import { TokenVerifier } from './token-verifier.js';

const ALGORITHM = 'HS256';
const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length <= 300) : [];

/** The demo's verifier: HS256 JWTs signed with `GATEWAY_JWT_SECRET`, claims `sub`, `channels`, `patterns`. */
@Injectable()
export class JwtTokenVerifier extends TokenVerifier {
  private readonly key: Uint8Array;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super();
    this.key = new TextEncoder().encode(config.jwtSecret);
  }

  async verify(token: string): Promise<GatewayPrincipal> {
    const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], requiredClaims: ['sub', 'exp'] });
    return { sub: String(payload.sub), channels: stringList(payload.channels), patterns: stringList(payload.patterns) };
  }

  /** Issues a token (dev endpoint, tests, benchmarks). */
  sign(principal: GatewayPrincipal, ttlSeconds = 3600): Promise<string> {
    return signGatewayToken(this.key, principal, ttlSeconds);
  }
}

export function signGatewayToken(
  secret: string | Uint8Array,
  principal: GatewayPrincipal,
  ttlSeconds = 3600,
): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT({ channels: principal.channels, patterns: principal.patterns })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}
