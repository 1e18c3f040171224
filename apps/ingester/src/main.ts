import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { bootstrapService, ensureSourceTopics } from '@app/service-kit';
import { INGESTER_CONFIG, readIngesterConfig, type IngesterConfig } from './config/ingester.config.js';
import { IngestService } from './events/ingest.service.js';
import { configureIngestHttp } from './http/ingest-http.js';
import { PublishErrorResponder } from './http/publish-error.responder.js';
import { IngesterModule } from './ingester.module.js';
import { IngesterMetrics } from './metrics/ingester.metrics.js';

await bootstrapService({
  name: 'ingester',
  port: 3000,
  module: () => IngesterModule.forRoot(readIngesterConfig()),
  createOptions: { bodyParser: false },
  configure: async (app) => {
    const config = app.get<IngesterConfig>(INGESTER_CONFIG);
    // Every accepted source type has its topic before the first event is accepted (no broker auto-creation).
    await ensureSourceTopics(app, config.service, 'Ingester');
    configureIngestHttp(app, {
      config,
      metrics: app.get(IngesterMetrics),
      ingest: app.get(IngestService),
      errors: app.get(PublishErrorResponder),
    });
    const logger = new Logger('Ingester');
    if (config.apiKeys.length === 0) {
      logger.warn('INGESTER_API_KEYS is not set: POST /events is open to anyone who can reach this port');
    } else logger.log(`API key check on: ${config.apiKeys.length} key(s) configured`);
    logger.log(`accepting source types ${config.sourceTypes.join(', ')}`);
  },
});
