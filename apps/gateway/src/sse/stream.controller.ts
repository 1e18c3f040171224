import { Controller, Delete, Get, HttpCode, Inject, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { RealtimeHub, SseStreamRefusedError, type SseRefusalKind, type SseStreamPlan } from '@dual-stream/nestjs';
import {
  BearerAuthGuard,
  bearerToken,
  problem,
  ProblemException,
  type AuthenticatedRequest,
  type ProblemCode,
} from '@app/service-kit';
import { GATEWAY_CONFIG, SSE_DEFAULTS, type GatewayConfig, type GatewaySseConfig } from '../gateway.config.js';
import { clearedStreamCookie, MAX_COOKIE_TOKEN_LENGTH, streamCookie } from './stream-cookie.js';
import { StreamAuthGuard } from './stream-auth.guard.js';
import { StreamLimiter } from './stream-limiter.js';
import { StreamMetrics } from './stream.metrics.js';
import { readStreamQuery } from './stream-query.parser.js';

const REFUSALS: Record<SseRefusalKind, { code: ProblemCode; path: string }> = {
  'invalid-channel': { code: 'invalid_channel', path: 'channel' },
  'too-many-channels': { code: 'invalid_channel', path: 'channel' },
  'invalid-cursor': { code: 'invalid_cursor', path: 'Last-Event-ID' },
  forbidden: { code: 'forbidden', path: 'channel' },
  disabled: { code: 'realtime_disabled', path: '' },
};

/**
 * Server-Sent Events (docs/sse.md): `GET /sse?channel=...` streams the channels as one hub connection of the
 * gateway's `RealtimeHub`, resumable with `Last-Event-ID`. Every check (token, channels, cursor, the token's
 * grants, the per-principal cap) runs before the first byte of the stream, so a refused request subscribed
 * nothing. `POST /sse/session` turns a bearer token into the cookie a browser's `EventSource` sends.
 */
@Controller('sse')
export class StreamController {
  private readonly logger = new Logger('StreamController');
  private readonly settings: GatewaySseConfig;
  private readonly limiter: StreamLimiter;

  constructor(
    private readonly hub: RealtimeHub,
    private readonly metrics: StreamMetrics,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.settings = config.sse ?? SSE_DEFAULTS;
    this.limiter = new StreamLimiter(this.settings.maxStreamsPerPrincipal);
  }

  @Get()
  @UseGuards(StreamAuthGuard)
  async stream(@Req() req: AuthenticatedRequest, @Res() res: ServerResponse): Promise<void> {
    const { principal } = req;
    if (req.method !== 'GET') {
      // Express routes HEAD to GET handlers; a stream without a body would only hold a hub connection.
      throw new ProblemException(problem('method_not_allowed', 'GET /sse streams; HEAD has nothing to show'));
    }
    const plan = await this.refusing(() => this.plan(req));
    if (!this.limiter.acquire(principal.sub)) {
      this.metrics.refusedFor('too_many_streams');
      throw new ProblemException(
        problem(
          'too_many_streams',
          `this token holds ${this.settings.maxStreamsPerPrincipal} streams on this gateway already: close one, or name more channels in one stream`,
        ),
        { 'Retry-After': String(Math.ceil(this.settings.retryMs / 1000)) },
      );
    }
    if (res.destroyed) {
      // The client left while the request was checked: its `close` has been emitted already.
      this.limiter.release(principal.sub);
      return;
    }
    res.once('close', () => this.limiter.release(principal.sub));
    const { heartbeatMs, retryMs } = this.settings;
    try {
      await this.hub.openStream(res, principal, plan, { expiresAt: principal.expiresAt, heartbeatMs, retryMs });
    } catch (err) {
      // The stream has started: no problem body can be sent any more; end it so the client reconnects.
      this.logger.error(`stream failed after it started: ${(err as Error).message}`);
      res.destroy();
    }
  }

  /** Sets the stream cookie for the bearer token (an `EventSource` sends it to `GET /sse` on its own). */
  @Post('session')
  @HttpCode(204)
  @UseGuards(BearerAuthGuard)
  session(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: ServerResponse): void {
    const token = bearerToken(req.headers)!;
    if (token.length > MAX_COOKIE_TOKEN_LENGTH) {
      throw new ProblemException(
        problem(
          'bad_request',
          `the token is over ${MAX_COOKIE_TOKEN_LENGTH} characters, too long for a cookie: send it as Authorization: Bearer instead`,
        ),
      );
    }
    res.setHeader('Set-Cookie', streamCookie(token, req.principal.expiresAt, isHttps(req)));
    res.setHeader('Cache-Control', 'no-store');
  }

  /** Removes the stream cookie (logout); streams already open end at their token's expiry. */
  @Delete('session')
  @HttpCode(204)
  clear(@Req() req: IncomingMessage, @Res({ passthrough: true }) res: ServerResponse): void {
    res.setHeader('Set-Cookie', clearedStreamCookie(isHttps(req)));
    res.setHeader('Cache-Control', 'no-store');
  }

  private plan(req: AuthenticatedRequest): Promise<SseStreamPlan> {
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const { channels, cursor } = readStreamQuery(url, req.headers);
    return this.hub.planStream(req.principal, { channels, cursor, maxChannels: this.settings.maxChannels });
  }

  /** Runs `fn`, turning the hub's refusals into problems and counting every refusal by its code. */
  private async refusing<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SseStreamRefusedError) {
        const { code, path } = REFUSALS[err.kind];
        this.metrics.refusedFor(code);
        throw new ProblemException(problem(code, err.message, [{ path, message: err.message }]));
      }
      if (err instanceof ProblemException) this.metrics.refusedFor(err.body.error);
      throw err;
    }
  }
}

/** Whether the client reached this process over TLS (the cookie is then `Secure`). */
function isHttps(req: IncomingMessage): boolean {
  return req.socket instanceof TLSSocket;
}
