import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { ServiceMetrics } from '@app/service-kit';

/** `GET /sse` requests refused before a stream started; the hub exports the streams themselves. */
@Injectable()
export class StreamMetrics {
  private readonly refused: Counter<'reason'>;

  constructor(metrics: ServiceMetrics) {
    this.refused = metrics.counter(
      'gateway_sse_refused_total',
      'SSE stream requests refused before the stream started, by problem code',
      ['reason'],
    );
  }

  refusedFor(reason: string): void {
    this.refused.inc({ reason });
  }
}
