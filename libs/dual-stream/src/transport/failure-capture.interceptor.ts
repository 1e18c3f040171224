import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { catchError, type Observable, throwError } from 'rxjs';

/** What the interceptor saw, per delivery context. */
const captured = new WeakMap<object, { reached: boolean; error?: unknown }>();

/**
 * Nest's default RPC exception filter replaces every unknown error with `{ status, message }`, so the server
 * could no longer tell a `NonRetriableError` or a `ValidationPipe` rejection from a crash, nor put the real
 * name and stack into dead-letter headers. `@OnDurable` adds this interceptor (innermost, so pipes and the
 * handler run inside it) to note the original error per delivery; the error still flows on unchanged.
 */
class FailureCaptureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<object | undefined>();
    if (typeof ctx !== 'object' || ctx === null) return next.handle();
    const slot = { reached: true as boolean, error: undefined as unknown };
    captured.set(ctx, slot);
    return next.handle().pipe(
      catchError((error: unknown) => {
        slot.error = error;
        return throwError(() => error);
      }),
    );
  }
}

/** What the capture interceptor saw for this delivery context (`reached: false` = a guard stopped it). */
export function capturedFailure(ctx: object): { reached: boolean; error?: unknown } {
  return captured.get(ctx) ?? { reached: false };
}

export const failureCaptureInterceptor = new FailureCaptureInterceptor();
