import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { ServiceMetrics } from './service-metrics.js';

interface PlainResponse {
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

/** `GET /metrics` in the Prometheus text format (behind `METRICS_TOKEN` when set). */
@Controller('metrics')
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: PlainResponse): Promise<void> {
    const body = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType());
    res.send(body);
  }
}
