import { Controller, Get, Header, Res } from '@nestjs/common';
import { ServiceMetrics } from './service-metrics.js';

interface PlainResponse {
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

/** `GET /metrics` in the Prometheus text format. */
@Controller('metrics')
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
