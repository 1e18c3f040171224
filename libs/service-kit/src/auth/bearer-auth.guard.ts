import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { RateLimitedLog } from '../logging/rate-limited-log.js';
import { problem, ProblemException } from '../problems/problem.js';
import { bearerToken } from './bearer-token.js';
import type { GatewayPrincipal } from './gateway-principal.js';
import { TokenVerifier } from './token-verifier.js';

/** The request after `BearerAuthGuard`: who called. */
export interface AuthenticatedRequest extends IncomingMessage {
  principal: GatewayPrincipal;
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="dual-stream"' };

/**
 * `Authorization: Bearer <token>` on an HTTP route, checked by the same `TokenVerifier` as the gateway's
 * socket handshake (signature, `exp`, `aud` / `iss` when configured). Missing, malformed, forged or expired:
 * `401 unauthorized` with `WWW-Authenticate`. The principal lands on `request.principal`; what it may read is
 * the controller's decision (`canSubscribe`).
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly log = new RateLimitedLog('Auth', 10_000);

  constructor(@Inject(TokenVerifier) private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = this.credential(req);
    if (!token) {
      throw new ProblemException(problem('unauthorized', this.missingHint()), CHALLENGE);
    }
    try {
      req.principal = await this.verifier.verify(token);
      return true;
    } catch (err) {
      // The reason (bad signature, expired, wrong audience) is for the operator; never the token itself.
      this.log.warn(`token refused from ${req.socket.remoteAddress}: ${(err as Error).name}`);
      throw new ProblemException(problem('unauthorized', 'invalid or expired token'), {
        'WWW-Authenticate': 'Bearer realm="dual-stream", error="invalid_token"',
      });
    }
  }

  /** Where the request's token is; a subclass may look further (the gateway's SSE route: a cookie). */
  protected credential(req: IncomingMessage): string | undefined {
    return bearerToken(req.headers);
  }

  /** The 401's detail when no token was sent: how to send one. */
  protected missingHint(): string {
    return 'send a token as `Authorization: Bearer <token>` (the same token the gateway accepts)';
  }
}
