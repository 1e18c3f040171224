import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { BearerAuthGuard, bearerToken } from '@app/service-kit';
import { streamCookieToken } from './stream-cookie.js';

/**
 * `GET /sse`: `Authorization: Bearer <token>` (curl, servers), else the cookie `POST /sse/session` set
 * (a browser's `EventSource`). The same `TokenVerifier`, the same 401s as every HTTP route.
 */
@Injectable()
export class StreamAuthGuard extends BearerAuthGuard {
  protected override credential(req: IncomingMessage): string | undefined {
    return bearerToken(req.headers) ?? streamCookieToken(req.headers);
  }

  protected override missingHint(): string {
    return 'send `Authorization: Bearer <token>`, or (EventSource) POST /sse/session with it first to get the stream cookie';
  }
}
