import {
  type ArgumentsHost,
  Catch,
  type CallHandler,
  type CanActivate,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type Observable, tap, throwError } from 'rxjs';
import { DurableContext, OnDurable, type DualStreamEvent } from '@dual-stream/nestjs';
import { createTopic, eventually, uniqueSourceType } from '../support/infra.js';
import { readRecords } from '../support/kafka-records.js';
import { startHandlerApp, type HandlerApp } from '../support/transport-fixtures.js';

type Envelope = DualStreamEvent<{ n: number; deny?: boolean; fail?: boolean }> & { id: string };
const log: string[] = [];

@Injectable()
class DenyFlaggedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const event = context.switchToRpc().getData<Envelope>();
    const ctx = context.switchToRpc().getContext<DurableContext>();
    log.push(`guard ${event.data.n} ${ctx instanceof DurableContext ? ctx.getTopic() : '?'}`);
    return !event.data.deny;
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const event = context.switchToRpc().getData<Envelope>();
    log.push(`before ${event.data.n}`);
    return next.handle().pipe(
      tap({
        next: (value) => log.push(`after ${event.data.n} -> ${String(value)}`),
        error: () => log.push(`error ${event.data.n}`),
      }),
    );
  }
}

@Catch()
class RecordingFilter implements ExceptionFilter {
  catch(exception: Error, host: ArgumentsHost): Observable<never> {
    log.push(
      `filter ${host.getType()} ${exception.message} ${host.switchToRpc().getContext() instanceof DurableContext}`,
    );
    return throwError(() => exception);
  }
}

describe('guards, interceptors and exception filters', () => {
  const sourceType = uniqueSourceType('guarded');
  const topic = `events.${sourceType}`;
  const handled: number[] = [];
  let harness: HandlerApp;

  @Controller()
  @UseGuards(DenyFlaggedGuard)
  class GuardedHandlers {
    @OnDurable({ topic, retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 } })
    @UseInterceptors(WrapInterceptor)
    @UseFilters(RecordingFilter)
    handle(@Payload() event: Envelope) {
      if (event.data.fail) throw new Error(`failed ${event.data.n}`);
      handled.push(event.data.n);
      return `handled ${event.data.n}`;
    }
  }

  beforeAll(async () => {
    await createTopic(topic, 1);
    await createTopic(`${topic}.dlq`, 1);
    harness = await startHandlerApp([GuardedHandlers], {}, undefined, [DenyFlaggedGuard, WrapInterceptor]);
  });
  afterAll(() => harness?.close());

  it('a rejecting guard keeps the handler from running and dead-letters the record; an interceptor wraps the call; a filter sees failures', async () => {
    const ev = (n: number, extra: Record<string, unknown> = {}) => ({
      type: 'thing.happened',
      source: { type: sourceType, id: `s-${n}` },
      data: { n, ...extra },
    });
    const [denied, , failing] = await harness.publisher.publishBatch([
      ev(1, { deny: true }),
      ev(2),
      ev(3, { fail: true }),
      ev(4),
    ]);
    await eventually(() => handled.includes(4), 30_000);
    await eventually(() => log.filter((l) => l.startsWith('filter')).length >= 3, 10_000);

    expect(handled).toEqual([2, 4]);
    // Guard ran for every delivery, with our context; denied record never reached the interceptor or the handler.
    expect(log).toContain(`guard 1 ${topic}`);
    expect(log.some((l) => l === 'before 1')).toBe(false);
    expect(log).toEqual(
      expect.arrayContaining(['before 2', 'after 2 -> handled 2', 'before 4', 'after 4 -> handled 4']),
    );
    // The failing record: interceptor saw the error on both attempts, the filter ran with the rpc host.
    expect(log.filter((l) => l === 'error 3')).toHaveLength(2);
    expect(log.filter((l) => l === 'filter rpc failed 3 true')).toHaveLength(2);
    expect(log).toContain('filter rpc Forbidden resource true');

    const dead = await readRecords(`${topic}.dlq`, 2);
    const byOffset = new Map(dead.map((d) => [d.headers.dlq_original_offset, d.headers]));
    expect(byOffset.get(denied.offset)!.dlq_error_message).toBe('Forbidden resource');
    expect(byOffset.get(denied.offset)!.dlq_attempts).toBe('1');
    expect(byOffset.get(failing.offset)!.dlq_error_message).toBe('failed 3');
    expect(byOffset.get(failing.offset)!.dlq_attempts).toBe('2');
  });
});
