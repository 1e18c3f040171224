import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { bootstrapService } from '@app/service-kit';
import { INGESTER_CONFIG, type IngesterConfig } from './config/ingester.config.js';
import { configureIngestHttp } from './http/ingest-http.js';
import { IngesterModule } from './ingester.module.js';
import { IngesterMetrics } from './metrics/ingester.metrics.js';

await bootstrapService(IngesterModule, {
  name: 'ingester',
  port: 3000,
  createOptions: { bodyParser: false },
  configure: (app) => {
    const config = app.get<IngesterConfig>(INGESTER_CONFIG);
    configureIngestHttp(app, config, app.get(IngesterMetrics));
    const logger = new Logger('Ingester');
    if (config.apiKeys.length === 0) {
      logger.warn('INGESTER_API_KEYS is not set: POST /events is open to anyone who can reach this port');
    } else logger.log(`API key check on: ${config.apiKeys.length} key(s) configured`);
  },
});
