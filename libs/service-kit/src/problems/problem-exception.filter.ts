import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { BaseWsExceptionFilter } from '@nestjs/websockets';
import { RateLimitedLog } from '../logging/rate-limited-log.js';
import { isProblemBody, problem, ProblemException, type ProblemBody } from './problem.js';
import { codeForStatus } from './problem-types.js';
import { sendProblem } from './send-problem.js';

/** Turns any thrown error into the problem it stands for; `serverSide` marks the ones worth a log line. */
export function toProblem(err: unknown): { body: ProblemBody; headers: Record<string, string>; serverSide: boolean } {
  if (err instanceof ProblemException) {
    return { body: err.body, headers: err.headers, serverSide: err.body.status >= 500 };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    if (isProblemBody(response)) return { body: response, headers: {}, serverSide: status >= 500 };
    const message =
      typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? err.message);
    const detail = status >= 500 ? 'unexpected error' : Array.isArray(message) ? message.join('; ') : String(message);
    return { body: problem(codeForStatus(status), detail), headers: {}, serverSide: status >= 500 };
  }
  return { body: problem('internal_error', 'unexpected error'), headers: {}, serverSide: true };
}

/**
 * The services' global filter: every HTTP error answers `application/problem+json`. A server-side error's
 * text goes to the log (rate-limited), never to the client.
 */
@Catch()
export class ProblemExceptionFilter implements ExceptionFilter {
  private readonly log = new RateLimitedLog('Problem');
  // Apps connect their @OnDurable transport with `inheritAppConfig`: RPC (and socket) errors keep Nest's own
  // handling, which the transport's failure classification and the gateway's acks rely on.
  private readonly rpc = new BaseRpcExceptionFilter();
  private readonly ws = new BaseWsExceptionFilter();

  catch(err: unknown, host: ArgumentsHost): unknown {
    if (host.getType() === 'rpc') return this.rpc.catch(err, host);
    if (host.getType() === 'ws') return this.ws.catch(err, host);
    const http = host.switchToHttp();
    const { body, headers, serverSide } = toProblem(err);
    if (serverSide) {
      const route = (http.getRequest<{ url?: string }>().url ?? '').split('?')[0];
      this.log.warn(`${route}: ${body.status} ${body.error}: ${(err as Error)?.message ?? String(err)}`);
    }
    sendProblem(http.getResponse<ServerResponse>(), body, headers);
    return undefined;
  }
}
